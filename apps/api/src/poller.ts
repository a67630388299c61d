/**
 * A background pass run every `intervalMs` and on demand, never two at once. A request that arrives
 * while a pass runs makes one more pass run right after it, so nothing kicked is left waiting a
 * whole interval. A failing pass is reported and retried next time; it never stops the poller.
 */
export interface PollerOptions {
  intervalMs: number;
  /** One pass; resolves with how much it did. */
  pass: () => Promise<number>;
  onError: (err: unknown) => void;
}

export interface Poller {
  start(): void;
  /** Runs a pass now (or joins the running one and queues another). */
  run(): Promise<number>;
  /** Waits for the running pass, then runs one more. */
  drain(): Promise<number>;
  /** Stops the timer and waits for the running pass. */
  stop(): Promise<void>;
}

export function createPoller(options: PollerOptions): Poller {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = true;

  const run = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = options
      .pass()
      .catch((err: unknown) => {
        options.onError(err);
        return 0;
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          void run();
        }
      });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      await run();
      schedule();
    }, options.intervalMs);
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    run,
    async drain() {
      if (running) await running;
      return run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
  };
}
