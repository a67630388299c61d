import { describe, expect, test } from "bun:test";
import { createMemoryKv } from "@ox/bus";
import { CLOCK_TOLERANCE_SEC, createSessions, sessionKey } from "./index.ts";

function setup() {
  const clock = { t: 1_800_000_000_000, now: () => clock.t };
  const sessions = createSessions({
    kv: createMemoryKv(), // real time: the record outlives the token, so only exp can refuse it
    secret: "sessions-test-secret-sessions-test-secret",
    clock,
    sessionTtlSec: 3_600,
    accessTtlSec: 3_600 * 3,
  });
  return { clock, sessions };
}

// A token verified once is remembered; what it is remembered for must still be checked each time.
describe("verified-token cache", () => {
  test("a remembered token is refused once past its exp (plus the tolerance)", async () => {
    const { clock, sessions } = setup();
    const { token } = await sessions.create("u1", "USER");
    expect((await sessions.authenticate(token))?.session.userId).toBe("u1");
    clock.t += (3_600 + CLOCK_TOLERANCE_SEC + 1) * 1000;
    expect(await sessions.authenticate(token)).toBeNull();
  });

  test("a remembered token is refused once its session is revoked", async () => {
    const { sessions } = setup();
    const { token, session } = await sessions.create("u2", "USER");
    expect(await sessions.authenticate(token)).not.toBeNull();
    await sessions.revoke(session.sid);
    expect(await sessions.authenticate(token)).toBeNull();
  });

  test("the same claims under another signature are not a hit", async () => {
    const { sessions } = setup();
    const { token } = await sessions.create("u3", "USER");
    expect(await sessions.authenticate(token)).not.toBeNull();
    const [head, body, sig] = token.split(".") as [string, string, string];
    const flipped = `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`;
    expect(await sessions.authenticate(flipped)).toBeNull();
  });
});

// A distributed API replica keeps session records it read (cacheMs); what may change elsewhere must
// still reach it: its own writes at once, other replicas' through forget/forgetUser or the age bound.
describe("kept session records (cacheMs)", () => {
  function replicas(cacheMs: number) {
    const clock = { t: 1_800_000_000_000, now: () => clock.t };
    const shared = createMemoryKv();
    let reads = 0;
    const kv = {
      ...shared,
      get: (key: string) => {
        reads++;
        return shared.get(key);
      },
    };
    const make = () =>
      createSessions({
        kv,
        secret: "sessions-test-secret-sessions-test-secret",
        clock,
        sessionTtlSec: 3_600,
        accessTtlSec: 3_600 * 3,
        cacheMs,
      });
    return { clock, a: make(), b: make(), reads: () => reads };
  }

  test("a kept record spares the Kv read until it is older than cacheMs", async () => {
    const { clock, a, reads } = replicas(1_000);
    const { token } = await a.create("u1", "USER");
    expect((await a.authenticate(token))?.session.userId).toBe("u1");
    const before = reads();
    for (let i = 0; i < 5; i++) expect(await a.authenticate(token)).not.toBeNull();
    expect(reads()).toBe(before);
    clock.t += 1_001;
    expect(await a.authenticate(token)).not.toBeNull();
    expect(reads()).toBe(before + 1);
  });

  test("a revocation here counts at once; one elsewhere at forget(), else after cacheMs", async () => {
    const { clock, a, b } = replicas(1_000);
    const first = await a.create("u1", "USER");
    expect(await a.authenticate(first.token)).not.toBeNull();
    await a.revoke(first.session.sid);
    expect(await a.authenticate(first.token)).toBeNull();

    const second = await a.create("u1", "USER");
    expect(await a.authenticate(second.token)).not.toBeNull();
    await b.revoke(second.session.sid); // another replica: its event has not arrived yet
    expect(await a.authenticate(second.token)).not.toBeNull();
    a.forget(second.session.sid); // the SESSION_REVOKED event
    expect(await a.authenticate(second.token)).toBeNull();

    const third = await a.create("u1", "USER");
    expect(await a.authenticate(third.token)).not.toBeNull();
    await b.revoke(third.session.sid); // and that event is lost
    clock.t += 1_001;
    expect(await a.authenticate(third.token)).toBeNull();
  });

  test("absence is not kept; forgetUser drops a user's records; cacheMs 0 reads every time", async () => {
    const { a, b } = replicas(1_000);
    const { token, session } = await b.create("u2", "USER");
    expect(await a.authenticate(token)).not.toBeNull(); // created elsewhere, read at once
    await b.revoke(session.sid);
    a.forgetUser("someone-else");
    expect(await a.authenticate(token)).not.toBeNull();
    a.forgetUser("u2"); // a ROLE_CHANGED event
    expect(await a.authenticate(token)).toBeNull();

    const off = replicas(0);
    const created = await off.a.create("u3", "USER");
    expect(await off.a.authenticate(created.token)).not.toBeNull();
    await off.b.revoke(created.session.sid);
    expect(await off.a.authenticate(created.token)).toBeNull();
  });
});

// A record's parse is kept by session and text; a different text under the same session is parsed afresh.
describe("kept record parses", () => {
  test("a record rewritten under the same sid counts at once; each answer is its own object", async () => {
    const kv = createMemoryKv();
    const sessions = createSessions({
      kv,
      secret: "sessions-test-secret-sessions-test-secret",
      clock: { now: () => Date.now() },
      sessionTtlSec: 3_600,
      accessTtlSec: 3_600 * 3,
    });
    const { token, session } = await sessions.create("u1", "USER");
    const first = await sessions.authenticate(token);
    expect(first?.session).toEqual(session);
    await kv.set(sessionKey(session.sid), JSON.stringify({ ...session, role: "ADMIN" }), 60_000);
    const second = await sessions.authenticate(token);
    expect(second?.session.role).toBe("ADMIN");
    (second?.session as { role: string }).role = "MUTATED";
    expect((await sessions.authenticate(token))?.session.role).toBe("ADMIN");
    await kv.set(sessionKey(session.sid), JSON.stringify({ ...session, userId: "someone-else" }), 60_000);
    expect(await sessions.authenticate(token)).toBeNull();
  });
});
