/**
 * The ceiling of bench:e2e: Bun.serve + Hono answering POST /api/v1/echo with the JSON body it got,
 * in its own process like the servers it is compared with. Prints "ready <url>" once listening.
 */
import { Hono } from "hono";

const app = new Hono().post("/api/v1/echo", async (c) => c.json({ order: await c.req.json() }, 201));
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
console.log(`ready http://127.0.0.1:${server.port}`);
process.on("SIGTERM", () => {
  void server.stop(true);
  process.exit(0);
});
