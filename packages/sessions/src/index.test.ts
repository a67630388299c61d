import { describe, expect, test } from "bun:test";
import { createMemoryKv } from "@ox/bus";
import { CLOCK_TOLERANCE_SEC, createSessions } from "./index.ts";

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
