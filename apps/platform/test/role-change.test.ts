/**
 * Issue 9: removing a phone from ADMIN_PHONES demoted its sessions per request, but nothing told the
 * stream, and `users.role` kept ADMIN until the next login. End to end: an API restarted with another
 * ADMIN_PHONES over the same database, kv and Redis; a real stream server on the same Redis; real
 * sockets. A demoted user's sockets are disconnected once (ROLE_CHANGED), and users.role follows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Api } from "@ox/api";
import { createHarness, type Harness, REDIS_URL, sessionCookieFrom, signIn } from "@ox/api/testing";
import { createRedisPubSub } from "@ox/bus";
import { channels, type SessionEvent } from "@ox/contracts/pipeline";
import { users } from "@ox/db";
import type { EngineReader } from "@ox/engine-client";
import { createStreamServer, type StreamServer } from "@ox/stream";
import { eq } from "drizzle-orm";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";

const ADMIN = "+919300000031";
const OTHER_ADMIN = "+919300000032";
let h: Harness;
let stream: StreamServer;
const pubsub = createRedisPubSub<unknown>(REDIS_URL);
const events: SessionEvent[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  h = await createHarness({ config: { ADMIN_PHONES: [ADMIN, OTHER_ADMIN] } });
  await pubsub.subscribe(channels.sessions, (e) => void events.push(e as SessionEvent));
  stream = await createStreamServer({
    port: 0,
    pubsub,
    engineReader: {} as EngineReader, // no market is subscribed to here
    cookieName: "ox_session",
    verifyToken: async (token) => {
      const auth = await h.api.sessions.authenticate(token);
      return auth ? { userId: auth.session.userId, sid: auth.session.sid } : null;
    },
    logger: pino({ level: "silent" }),
  });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await stream.close();
  await pubsub.close();
  await h.close();
});

function socketWith(cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(`http://127.0.0.1:${stream.port}`, {
      transports: ["websocket"],
      extraHeaders: { cookie },
      reconnection: false,
    });
    sockets.push(s);
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await Bun.sleep(30);
  }
  throw new Error(`timed out: ${what}`);
}

const roleOf = async (userId: string) =>
  (await h.db.db.select({ role: users.role }).from(users).where(eq(users.id, userId)))[0]?.role;
const roleChanges = (userId: string) =>
  events.filter((e) => e.type === "ROLE_CHANGED" && e.userId === userId).length;

async function loginOn(api: Api, phone: string): Promise<string> {
  const post = (path: string, body: unknown) =>
    api.app.request(`http://localhost/api/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "10.9.9.9" },
      body: JSON.stringify(body),
    });
  const { devOtp } = (await (await post("/auth/otp", { phone })).json()) as { devOtp: string };
  const verified = await post("/auth/verify", { phone, otp: devOtp });
  expect(verified.status).toBe(200);
  return sessionCookieFrom(verified) as string;
}

describe("a phone removed from ADMIN_PHONES", () => {
  test("is demoted at its next request: users.role rewritten, one ROLE_CHANGED, its sockets dropped", async () => {
    const first = await signIn(h, ADMIN);
    await h.kv.del(`otp:cool:${ADMIN}`); // past the OTP resend interval
    const second = await signIn(h, ADMIN);
    const bystander = await signIn(h); // not an admin: unaffected
    expect(await roleOf(first.userId)).toBe("ADMIN");
    const adminSocket = await socketWith(first.cookie);
    const otherSocket = await socketWith(bystander.cookie);

    // The restart: ADMIN_PHONES no longer lists the phone; its sessions live on in the kv.
    const restarted = h.rebuild({ config: { ...h.deps.config, ADMIN_PHONES: [OTHER_ADMIN] } });
    const me = await restarted.app.request("http://localhost/api/v1/me", {
      headers: { cookie: second.cookie },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe("USER");
    expect(await roleOf(first.userId)).toBe("USER");
    await until(() => !adminSocket.connected, "the demoted user's socket is disconnected");
    expect(roleChanges(first.userId)).toBe(1);

    // The other session notices too, but the row is already USER: no second event.
    const again = await restarted.app.request("http://localhost/api/v1/admin/kyc", {
      headers: { cookie: first.cookie },
    });
    expect(again.status).toBe(403);
    await Bun.sleep(200);
    expect(roleChanges(first.userId)).toBe(1);
    expect(otherSocket.connected).toBe(true);
    expect(roleChanges(bystander.userId)).toBe(0);
  });

  test("a demoted phone that logs in again is recorded at login and its old sockets dropped", async () => {
    const before = await signIn(h, OTHER_ADMIN);
    expect(await roleOf(before.userId)).toBe("ADMIN");
    const oldSocket = await socketWith(before.cookie);
    const restarted = h.rebuild({ config: { ...h.deps.config, ADMIN_PHONES: [ADMIN] } });
    await h.kv.del(`otp:cool:${OTHER_ADMIN}`);
    await loginOn(restarted, OTHER_ADMIN);
    expect(await roleOf(before.userId)).toBe("USER");
    await until(() => !oldSocket.connected, "the old session's socket is disconnected");
    expect(roleChanges(before.userId)).toBe(1);
  });
});
