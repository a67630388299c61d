/**
 * A Kafka broker that goes away and comes back: the log must be readable again at once, from a
 * fresh consumer, after an append failed meanwhile (the engine rebuilds from the log right then).
 * A consumer that sat idle through the restart did not resume by itself: the first read after the
 * restart waited out its 10 s read timeout and threw. Runs a PRIVATE broker (scripts/kafka.sh on
 * free ports, its own data dir), never the machine's shared one.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawn } from "bun";
import pino from "pino";
import { createKafkaLog } from "./kafka-log.ts";
import { uniqueName } from "./test-util.ts";

const dir = mkdtempSync(join(tmpdir(), "ox-kafka-restart-"));
const freePort = () =>
  new Promise<number>((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
const port = await freePort();
const env = {
  ...process.env,
  KAFKA_PORT: String(port),
  KAFKA_CONTROLLER_PORT: String(await freePort()),
  KAFKA_DATA_DIR: join(dir, "kafka"),
  KAFKA_START_TIMEOUT_S: "180",
};
async function kafka(action: "start" | "stop") {
  const script = resolve(import.meta.dir, "../../../scripts/kafka.sh");
  const p = spawn(["bash", script, action], { env, stdout: "pipe", stderr: "pipe" });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`kafka.sh ${action} failed (${code}): ${err}`);
}
afterAll(async () => {
  try {
    await kafka("stop"); // SIGTERM, then SIGKILL after 30 s
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

test("after a broker restart and a failed append, the next read is served (no stale consumer)", async () => {
  await kafka("start");
  const log = await createKafkaLog<{ n: number }>({
    brokers: [`127.0.0.1:${port}`],
    topic: uniqueName("ox.restart"),
    retryForMs: 2_000, // give up on the dead broker quickly
    logger: pino({ level: "silent" }), // the outage's connection errors are expected here
  });
  try {
    await log.append(Array.from({ length: 50 }, (_, n) => ({ n })));
    expect((await log.read(0, 10)).map((e) => e.record.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    await kafka("stop");
    await expect(log.append([{ n: 50 }])).rejects.toThrow();
    await kafka("start");

    expect(await log.endOffset()).toBe(50); // the failed append left nothing
    expect((await log.read(0, 10)).map((e) => e.record.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await log.read(40, 20)).map((e) => e.record.n)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    await log.append([{ n: 50 }]);
    expect(await log.endOffset()).toBe(51);
  } finally {
    await log.close();
  }
}, 300_000);
