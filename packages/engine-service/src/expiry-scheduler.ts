// setTimeout's delay is a signed 32-bit int; longer waits are re-armed in steps.
const MAX_DELAY_MS = 2_147_483_647;

/**
 * Time for the engine's GTD orders: one timer at the engine's earliest `expiresAt`
 * (`Engine.nextExpiry()`); when it comes the service sends EXPIRE_ORDERS stamped with its clock
 * through its own queue, so the expiry is a logged command and a replay expires the same orders at
 * the same place. The engine itself never reads a clock: until the command is applied, an expired
 * order is still in the book but can no longer trade (the engine closes it when a taker meets it).
 */
export interface ExpiryScheduler {
  /**
   * After recovery and after every durable batch: the engine's next expiry, and whether the batch
   * applied an EXPIRE_ORDERS (the one this scheduler sent is then no longer pending).
   */
  sync(nextExpiry: number | null, expireApplied: boolean): void;
  /** The expiresAt the timer is armed for (null: none), for tests and the health page. */
  armedFor(): number | null;
  stop(): void;
}

export interface ExpirySchedulerOptions {
  now: () => number;
  /** Sends EXPIRE_ORDERS {ts}. A rejection is retried after retryMs. */
  onDue: (ts: number) => Promise<void>;
  retryMs?: number;
  /** An EXPIRE_ORDERS sent and not seen applied for this long is sent again (default 10 s). */
  resendMs?: number;
}

export function createExpiryScheduler(options: ExpirySchedulerOptions): ExpiryScheduler {
  const retryMs = options.retryMs ?? 1_000;
  const resendMs = options.resendMs ?? 10_000;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let armed: number | null = null;
  /** When the last EXPIRE_ORDERS was sent and not yet seen applied (null: none pending). */
  let pendingSince: number | null = null;
  let stopped = false;

  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    armed = null;
  };

  const arm = (at: number, delayMs?: number) => {
    if (stopped) return;
    cancel();
    armed = at;
    timer = setTimeout(
      () => {
        timer = null;
        if (stopped) return;
        if (at > options.now()) return arm(at);
        const ts = options.now();
        pendingSince = ts;
        options.onDue(ts).catch(() => {
          pendingSince = null;
          if (!stopped) arm(at, retryMs);
        });
      },
      Math.min(delayMs ?? Math.max(0, at - options.now()), MAX_DELAY_MS),
    );
    timer.unref?.();
  };

  return {
    sync(next, expireApplied) {
      if (stopped) return;
      if (expireApplied) pendingSince = null;
      if (next === null) {
        cancel();
        return;
      }
      if (pendingSince !== null) {
        // The command is on its way: wait for it, unless it seems lost.
        if (options.now() - pendingSince < resendMs) {
          if (armed !== next || timer === null) arm(next, resendMs);
          return;
        }
        pendingSince = null;
      }
      if (armed !== next || timer === null) arm(next);
    },
    armedFor: () => armed,
    stop() {
      stopped = true;
      cancel();
    },
  };
}
