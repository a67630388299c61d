import { afterEach, describe, expect, test } from "bun:test";
import { request as httpRequest } from "node:http";
import { createMemoryKv, createMemoryPubSub, createMemoryPubSubHub } from "@ox/bus";
import { createPublicOrigins } from "@ox/config";
import { channels, type SessionEvent } from "@ox/contracts/pipeline";
import { createSessions } from "@ox/sessions";
import { io as connect } from "socket.io-client";
import { createStreamServer, type StreamServerOptions } from "./server.ts";
import { client, createDriver, engineReaderOf, quiet, setupMarket, subscribe, until } from "./test-kit.ts";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function setup(extra: Partial<StreamServerOptions> = {}) {
  const hub = createMemoryPubSubHub();
  const pubsub = createMemoryPubSub<unknown>({ hub });
  const driver = createDriver(pubsub);
  const kv = createMemoryKv();
  const sessions = createSessions({
    kv,
    secret: "stream-hardening-secret-stream-hardening",
    clock: { now: () => Date.now() },
    sessionTtlSec: 3600,
    accessTtlSec: 900,
    onRevoked: (sid) => void pubsub.publish(channels.sessions, { type: "SESSION_REVOKED", sid }),
  });
  let reads = 0;
  const reader = engineReaderOf(driver.engine);
  const server = await createStreamServer({
    port: 0,
    pubsub: createMemoryPubSub<unknown>({ hub }),
    engineReader: {
      book: reader.book,
      market: (id) => {
        reads++;
        return reader.market(id);
      },
    },
    cookieName: "ox_session",
    verifyToken: async (token) => {
      const auth = await sessions.authenticate(token);
      return auth ? { userId: auth.session.userId, sid: auth.session.sid } : null;
    },
    logger: quiet,
    ...extra,
  });
  open.push(server);
  const socketOf = async (cookie?: string) => {
    const c = await client(server.port, cookie);
    open.push({ close: () => c.socket.disconnect() });
    return c;
  };
  return { driver, server, sessions, pubsub, socketOf, reads: () => reads };
}

const handshake = (port: number, origin?: string) =>
  new Promise<"connected" | "refused">((resolve) => {
    const socket = connect(`http://127.0.0.1:${port}`, {
      transports: ["websocket"],
      extraHeaders: origin ? { origin } : undefined,
      reconnection: false,
    });
    socket.once("connect", () => {
      socket.disconnect();
      resolve("connected");
    });
    socket.once("connect_error", () => resolve("refused"));
  });

/** An Engine.IO polling handshake with the headers a client chose (Host included): its status. */
const rawHandshake = (port: number, headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/socket.io/?EIO=4&transport=polling", headers },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });

describe("stream hardening", () => {
  test("subscribing to unknown markets keeps no per-market state", async () => {
    const { driver, server, socketOf } = await setup();
    await setupMarket(driver.run, "m1", ["u1"]);
    const c = await socketOf();
    for (let i = 0; i < 200; i++) {
      const r = await subscribe(c, `nope-${i}`);
      expect(r.error).toMatchObject({ code: "MARKET_NOT_FOUND" });
    }
    expect((await server.stats()).feeds).toBe(0);
    expect((await subscribe(c, "m1")).ok).toBe(true);
    expect((await server.stats()).feeds).toBe(1);
  });

  test("a feed is dropped when its last subscriber unsubscribes or disconnects", async () => {
    const { driver, server, socketOf } = await setup();
    await setupMarket(driver.run, "m1", ["u1"]);
    const a = await socketOf();
    const b = await socketOf();
    expect((await subscribe(a, "m1")).ok).toBe(true);
    expect((await subscribe(b, "m1")).ok).toBe(true);
    a.socket.emit("unsubscribe", { marketId: "m1" });
    await Bun.sleep(50);
    expect((await server.stats()).feeds).toBe(1);
    b.socket.disconnect();
    await until(() => server.io.engine.clientsCount === 1, "b gone");
    expect((await server.stats()).feeds).toBe(0);
  });

  test("subscriptions per socket are capped", async () => {
    const { driver, socketOf } = await setup({ maxSubscriptionsPerSocket: 2 });
    for (const id of ["m1", "m2", "m3"]) await driver.run({ type: "CREATE_MARKET", marketId: id });
    const c = await socketOf();
    expect((await subscribe(c, "m1")).ok).toBe(true);
    expect((await subscribe(c, "m2")).ok).toBe(true);
    expect((await subscribe(c, "m3")).error).toMatchObject({ code: "TOO_MANY_SUBSCRIPTIONS" });
    expect((await subscribe(c, "m1")).ok).toBe(true);
    c.socket.emit("unsubscribe", { marketId: "m2" });
    await Bun.sleep(50);
    expect((await subscribe(c, "m3")).ok).toBe(true);
  });

  test("the handshake checks Origin like the API's CSRF check", async () => {
    const { server } = await setup({ allowedOrigins: ["https://app.example.in"] });
    expect(await handshake(server.port)).toBe("connected");
    expect(await handshake(server.port, "https://app.example.in")).toBe("connected");
    expect(await handshake(server.port, `http://127.0.0.1:${server.port}`)).toBe("connected");
    expect(await handshake(server.port, "https://evil.example")).toBe("refused");
    expect(await handshake(server.port, "null")).toBe("refused");
  });

  test("the handshake's Origin is checked against configured origins, never the Host header", async () => {
    const dev = await setup();
    const port = dev.server.port;
    // DNS rebinding: Host and Origin are both the attacker's name.
    expect(
      await rawHandshake(port, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }),
    ).toBe(403);
    expect(await rawHandshake(port, { origin: `http://localhost:${port}` })).toBe(200);

    const behindProxy = await setup({
      publicOrigins: createPublicOrigins({
        NODE_ENV: "production",
        PUBLIC_ORIGINS: ["https://exchange.example.com"],
      }),
    });
    const p = behindProxy.server.port;
    expect(await rawHandshake(p, { host: `127.0.0.1:${p}`, origin: "https://exchange.example.com" })).toBe(
      200,
    );
    expect(await handshake(p, "https://exchange.example.com")).toBe("connected");
    expect(await rawHandshake(p, { host: `127.0.0.1:${p}`, origin: `http://127.0.0.1:${p}` })).toBe(403);
  });

  test("logout disconnects that session's sockets; a role change all of the user's", async () => {
    const { sessions, pubsub, socketOf } = await setup();
    const one = await sessions.create("u1", "USER");
    const two = await sessions.create("u1", "USER");
    const other = await sessions.create("u2", "USER");
    const a = await socketOf(`ox_session=${one.token}`);
    const b = await socketOf(`ox_session=${two.token}`);
    const c = await socketOf(`ox_session=${other.token}`);
    await sessions.revoke(one.session.sid);
    await until(() => !a.socket.connected, "the revoked session's socket is disconnected");
    expect(b.socket.connected).toBe(true);
    const roleChanged: SessionEvent = { type: "ROLE_CHANGED", userId: "u1" };
    await pubsub.publish(channels.sessions, roleChanged);
    await until(() => !b.socket.connected, "the user's other socket is disconnected");
    await Bun.sleep(50);
    expect(c.socket.connected).toBe(true);
  });
});
