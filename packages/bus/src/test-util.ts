import { createServer } from "node:net";

/** Helpers shared by the contract suites. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns true or `timeoutMs` passes; throws with `what` on timeout. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A name no other run uses, for Redis keys, streams and Kafka topics. */
export const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

const handedOut = new Set<number>();

/**
 * A TCP port free on 127.0.0.1 now and never handed out before by this process. The kernel may
 * give the same ephemeral port to two `listen(0)` calls in a row once the first socket is closed;
 * a test asking for two ports (a primary and its standby) then got one, and its "standby" was the
 * primary. Remembering every port handed out rules that out.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const srv = createServer();
      srv.on("error", fail);
      srv.listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => done(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
