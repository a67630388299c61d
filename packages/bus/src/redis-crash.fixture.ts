// A consumer process for redis-crash.test.ts: receives, prints the ids, and waits to be killed.
import { createRedisStreamQueue } from "./redis-stream-queue.ts";

const [url, stream, consumer] = process.argv.slice(2);
const queue = createRedisStreamQueue<{ n: number }>({ url, stream, group: "engine", consumer });
const got = await queue.receive(3, 1_000);
console.log(JSON.stringify(got.map((d) => d.body.n)));
setInterval(() => {}, 1_000);
