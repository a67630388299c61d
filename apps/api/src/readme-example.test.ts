/**
 * README "Trading programmatically": the example client there is run as written, in its own Bun
 * process, against a test server over real HTTP. Editing the block so it no longer signs or places
 * an order fails here.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTradingHarness, type TradingHarness } from "./routes/orders-harness.ts";
import { type Client, request, signIn } from "./test-harness.ts";

const README = join(import.meta.dir, "../../../README.md");

/** The n-th ```ts block of the README's "Trading programmatically" section (0: HTTP, 1: the socket). */
function exampleBlock(n = 0): string {
  const text = readFileSync(README, "utf8");
  const section = text.slice(
    text.indexOf("\n## Trading programmatically"),
    text.indexOf("\n## Abuse limits"),
  );
  const m = [...section.matchAll(/```ts\n([\s\S]*?)```/g)][n];
  if (!m?.[1]) throw new Error(`no ts block ${n} in README's Trading programmatically section`);
  return m[1];
}

let h: TradingHarness;
let server: ReturnType<typeof Bun.serve>;
let dir: string;
let alice: Client;
let marketId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ox-readme-"));
  h = await createTradingHarness({ config: { TRUSTED_PROXIES: null } });
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => h.api.fetch(req, srv),
    websocket: h.api.tradingSocket.websocket,
  });
  const admin = await signIn(h, "+919999900000");
  const market = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will the README's client trade?",
    category: "tech",
    closeAt: Date.now() + 3_600_000,
  });
  marketId = ((await market.json()) as { market: { id: string } }).market.id;
  alice = await signIn(h);
  await h.settle();
});
afterAll(async () => {
  await h.api.tradingSocket.close();
  server.stop(true);
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the README's example client signs, places an order and lists it", async () => {
  const block = exampleBlock();
  expect(block.split("\n").length).toBeLessThanOrEqual(30);
  const created = await alice.call("POST", "/api/v1/keys", { name: "readme", scopes: ["read", "trade"] });
  expect(created.status).toBe(201);
  const { key, secret } = (await created.json()) as { key: { id: string }; secret: string };
  const file = join(dir, "trade.ts");
  writeFileSync(file, block);

  // Asynchronously: the server answering it runs in this process.
  const runExample = async (apiSecret: string) => {
    const child = Bun.spawn([process.execPath, file, marketId], {
      env: {
        ...process.env,
        OX_URL: `http://127.0.0.1:${server.port}`,
        OX_API_KEY: key.id,
        OX_API_SECRET: apiSecret,
      },
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, exit] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { out, err, exit };
  };
  const { out, err, exit } = await runExample(secret);
  expect({ exit, err }).toEqual({ exit: 0, err: "" });
  const placedId = /placed (\S+) OPEN/.exec(out)?.[1];
  expect(placedId).toBeDefined();
  expect(out).toContain("open orders 1");

  // The order is alice's, resting in the book.
  const open = await request(h, "GET", `/api/v1/orders?status=open&marketId=${marketId}`, undefined, {
    cookie: alice.cookie,
  });
  const { orders } = (await open.json()) as {
    orders: { id: string; pricePaise: number; quantity: number }[];
  };
  expect(orders).toEqual([expect.objectContaining({ id: placedId, pricePaise: 450, quantity: 2 })]);

  // With the wrong secret the same program fails with the server's code.
  const wrong = await runExample("nope");
  expect(wrong.exit).not.toBe(0);
  expect(wrong.err).toContain("401 INVALID_SIGNATURE");
});

test("the README's socket client signs the handshake, places and cancels over the trading socket", async () => {
  const block = exampleBlock(1);
  const bob = await signIn(h); // alice's bonus is locked by the HTTP example's order
  await h.settle();
  expect(block.split("\n").length).toBeLessThanOrEqual(30);
  const created = await bob.call("POST", "/api/v1/keys", { name: "readme-ws", scopes: ["read", "trade"] });
  const { key, secret } = (await created.json()) as { key: { id: string }; secret: string };
  const file = join(dir, "socket.ts");
  writeFileSync(file, block);
  const run = async (apiSecret: string) => {
    const child = Bun.spawn([process.execPath, file, marketId], {
      env: {
        ...process.env,
        OX_URL: `ws://127.0.0.1:${server.port}`,
        OX_API_KEY: key.id,
        OX_API_SECRET: apiSecret,
      },
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, exit] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { out, err, exit };
  };
  const { out, err, exit } = await run(secret);
  expect({ exit, err }).toEqual({ exit: 0, err: "" });
  const placedId = /placed (\S+) OPEN/.exec(out)?.[1];
  expect(placedId).toBeDefined();
  expect(out).toContain("cancelled CANCELLED");
  const open = await request(h, "GET", `/api/v1/orders?status=open&marketId=${marketId}`, undefined, {
    cookie: bob.cookie,
  });
  expect(((await open.json()) as { orders: { id: string }[] }).orders.map((o) => o.id)).not.toContain(
    placedId,
  );

  // A wrong secret: the handshake is refused and the program exits non-zero.
  expect((await run("nope")).exit).not.toBe(0);
});
