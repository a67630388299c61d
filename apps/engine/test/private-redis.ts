/**
 * A PRIVATE redis-server for fault tests (never the machine's shared one): its own port and dir,
 * no persistence (`--save ''`, no AOF), so a restart comes back empty — the streams, consumer
 * groups and ack hashes lost, as on a machine whose Redis runs without persistence.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";
import Redis from "ioredis";

export interface PrivateRedis {
  readonly url: string;
  /** kill -9 and start again on the same port: everything in it is gone. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), "ox-private-redis-"));
  const port = await freePort();
  let server: Subprocess | undefined;
  const start = async () => {
    server = spawn(
      [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on("error", () => {});
    try {
      for (let i = 0; i < 200; i++) {
        if (
          await probe.ping().then(
            () => true,
            () => false,
          )
        )
          return;
        await Bun.sleep(50);
      }
      throw new Error(`private redis on ${port} did not answer`);
    } finally {
      probe.disconnect();
    }
  };
  const kill = async () => {
    server?.kill("SIGKILL");
    await server?.exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
