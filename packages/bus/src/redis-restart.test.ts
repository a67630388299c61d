/**
 * A Redis that comes back empty (restarted without persistence) has lost the stream and the
 * consumer group: producers and the consumer must re-create them and carry on by themselves.
 * Runs a PRIVATE redis-server on a free port (never the machine's shared one), restarted here.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep, uniqueName } from "@ox/bus/testing";
import { type Subprocess, spawn } from "bun";
import Redis from "ioredis";
import { createRedisStreamQueue } from "./redis-stream-queue.ts";

const dir = mkdtempSync(join(tmpdir(), "ox-redis-restart-"));
let server: Subprocess | undefined;
const started: Subprocess[] = [];
afterAll(() => {
  for (const s of started) s.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });

async function startRedis(port: number) {
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
  started.push(server);
  const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0 });
  probe.on("error", () => {});
  for (let i = 0; i < 100; i++) {
    if (
      await probe.ping().then(
        () => true,
        () => false,
      )
    )
      break;
    await sleep(50);
  }
  probe.disconnect();
}

async function receiveSome(queue: ReturnType<typeof createRedisStreamQueue<{ n: number }>>, want: number) {
  const got: number[] = [];
  for (let i = 0; i < 100 && got.length < want; i++) {
    const batch = await queue.receive(10, 100).catch(() => []);
    await queue.ack(batch.map((d) => d.id)).catch(() => {});
    got.push(...batch.map((d) => d.body.n));
  }
  return got;
}

test("after Redis restarts empty, producers and the consumer re-create stream and group and resume", async () => {
  const port = await freePort();
  await startRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  const stream = uniqueName("restart");
  const producer = createRedisStreamQueue<{ n: number }>({ url, stream, group: "engine", consumer: "api" });
  const consumer = createRedisStreamQueue<{ n: number }>({
    url,
    stream,
    group: "engine",
    consumer: "engine-0",
  });
  try {
    for (let n = 0; n < 3; n++) await producer.send({ n });
    expect(await receiveSome(consumer, 3)).toEqual([0, 1, 2]);

    server?.kill("SIGKILL");
    await server?.exited;
    await startRedis(port); // same port, nothing kept: no stream, no group

    for (let n = 3; n < 6; n++) {
      for (let i = 0; ; i++) {
        const sent = await producer.send({ n }).then(
          () => true,
          () => false,
        );
        if (sent) break;
        if (i > 100) throw new Error("producer never reconnected");
        await sleep(50);
      }
    }
    expect(await receiveSome(consumer, 3)).toEqual([3, 4, 5]);
    expect(await consumer.depth()).toBe(0);
  } finally {
    await producer.close();
    await consumer.close();
  }
}, 30_000);

test("a stream deleted under the consumer (the group with it) is re-created on the next call", async () => {
  server?.kill("SIGKILL");
  await server?.exited;
  const port = await freePort();
  await startRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  const stream = uniqueName("deleted");
  const producer = createRedisStreamQueue<{ n: number }>({ url, stream, group: "engine", consumer: "api" });
  const consumer = createRedisStreamQueue<{ n: number }>({
    url,
    stream,
    group: "engine",
    consumer: "engine-0",
  });
  const admin = new Redis(url);
  try {
    await producer.send({ n: 1 });
    expect(await receiveSome(consumer, 1)).toEqual([1]);
    await admin.del(stream);
    await producer.send({ n: 2 }); // XADD re-creates the stream, not the group
    expect(await consumer.receive(10, 100).then((d) => d.map((x) => x.body.n))).toEqual([2]);
  } finally {
    admin.disconnect();
    await producer.close();
    await consumer.close();
  }
});
