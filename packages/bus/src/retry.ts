import type { Logger } from "./logger.ts";

/**
 * Opens something a process cannot start without (the event log, a database) and retries with
 * backoff (0.5 s doubling to 10 s) while it fails, instead of exiting: a dependency that is down at
 * start is then waited out inside the process, like one that goes down later, and a supervisor
 * does not restart the process in a loop.
 */
export async function retryUntilOpen<T>(
  what: string,
  logger: Logger,
  open: () => Promise<T>,
  /** Errors that retrying cannot fix (a bug, a corrupt log): rethrown at once. */
  isFatal: (err: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      if (isFatal(err)) throw err;
      const waitMs = Math.min(500 * 2 ** attempt, 10_000);
      logger.warn({ err, attempt, waitMs }, `${what}: cannot open yet; retrying`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
