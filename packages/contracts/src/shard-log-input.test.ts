import { describe, expect, test } from "bun:test";
import type { Envelope, WireMessage } from "@ox/engine/shards";
import { packWire, unpackWire, WIRE_FIELDS } from "@ox/engine/wire";
import {
  packEnvelopes,
  packPeerInput,
  peerEnvelope,
  peerEnvelopes,
  peerInputOf,
  shardLogRecordSchema,
  unpackGroup,
} from "./pipeline.ts";

const messages: WireMessage[] = [
  { type: "USER", userId: "alice", riskShard: 1, handle: 7 },
  { type: "RESERVE", ticket: 3, user: 7, qty: 10, pricePaise: 550, maxCostPaise: 5_600, maxFeeBps: 200 },
  {
    type: "RESERVE_ANSWER",
    ticket: 3,
    user: 7,
    ok: false,
    code: "INSUFFICIENT_FUNDS",
    lockedPaise: 0,
    lockPerShare: 0,
    budgetPaise: 0,
  },
  { type: "FILL", user: 7, isBuy: true, valuePaise: 5_500, feePaise: 110, unlockPaise: 5_600 },
  { type: "RELEASE", user: 7, paise: 100 },
  { type: "PAYOUT", user: 7, paise: 1_000 },
];
const env = (msg: WireMessage, to = "r1"): Envelope => ({ from: "m0", to, seq: 41, map: 2, msg });

describe("a peer's envelope as a shard logs it", () => {
  test("every message type comes back as sent, and is logged smaller", () => {
    for (const msg of messages) {
      const input = packPeerInput(env(msg), "r1");
      expect(input.kind).toBe("peer");
      expect(
        shardLogRecordSchema.parse({ input, receipt: "APPLIED", completed: null, events: [] }).input,
      ).toEqual(input);
      // Through JSON, as the log holds it: the same envelope, keys in the sender's order.
      const back = peerEnvelope(JSON.parse(JSON.stringify(input)), "r1");
      expect(JSON.stringify(back)).toBe(JSON.stringify(env(msg)));
      expect(JSON.stringify(input).length).toBeLessThan(
        JSON.stringify({ kind: "message", env: env(msg) }).length,
      );
    }
  });

  test("a misaddressed envelope keeps its destination", () => {
    const input = packPeerInput(env(messages[4], "r0"), "r1");
    expect(input).toMatchObject({ kind: "peer", to: "r0" });
    expect(peerEnvelope(input, "r1").to).toBe("r0");
  });

  test("a message not exactly of a known type is logged whole", () => {
    const odd = { ...messages[4], extra: 1 } as unknown as WireMessage;
    expect(packPeerInput(env(odd), "r1")).toEqual({ kind: "message", env: env(odd) });
    const missing = { type: "RELEASE", user: 7, paisa: 1 } as unknown as WireMessage;
    expect(packPeerInput(env(missing), "r1").kind).toBe("message");
    const unknown = { type: "NEW_KIND", user: 7 } as unknown as WireMessage;
    expect(packPeerInput(env(unknown), "r1").kind).toBe("message");
  });

  test("a log from before `peer` (the envelope whole) reads as it did", () => {
    const old = { kind: "message" as const, env: env(messages[3]) };
    expect(peerEnvelope(old, "r1")).toBe(old.env);
    expect(() => peerEnvelope({ kind: "peer", from: "m0", seq: 1, map: 1, m: ["NOPE"] }, "r1")).toThrow();
  });
});

describe("a peer's stream entry as a risk shard's group input (`peers`)", () => {
  const fills = messages.slice(3).map((msg, i) => ({ ...env(msg), seq: 41 + i }));

  test("the positional form is WIRE_FIELDS' order, each way", () => {
    for (const msg of messages) {
      const m = packWire(msg);
      expect(m).toEqual([msg.type, ...WIRE_FIELDS[msg.type].map((f) => (msg as never)[f])]);
      expect(JSON.stringify(unpackWire(m))).toBe(JSON.stringify(msg));
    }
  });

  test("consecutive seqs: one input, logged as it came, giving back every envelope", () => {
    const entry = JSON.parse(JSON.stringify(packEnvelopes(fills)));
    const group = unpackGroup(entry, "r1");
    expect(group).toEqual({ kind: "peers", from: "m0", seq: 41, map: 2, m: entry.m });
    const input = shardLogRecordSchema.parse({ input: group, events: [] }).input;
    expect(input).toEqual(group as never);
    expect(peerEnvelopes(group as never, "r1")).toEqual(fills);
    expect(peerEnvelope(group as never, "r1")).toEqual(fills[0]); // it names the group
    expect(peerInputOf(group as never, "r1")).toEqual({
      kind: "messages",
      from: "m0",
      to: "r1",
      map: 2,
      seq: 41,
      m: entry.m,
    });
    // Misaddressed: the destination kept.
    expect(unpackGroup(entry, "r0")).toMatchObject({ to: "r1" });
  });

  test("seqs not consecutive, or an entry not well formed: no group", () => {
    const entry = packEnvelopes(fills) as { seq: number[] };
    expect(unpackGroup({ ...entry, seq: [41, 43, 44] }, "r1")).toBeNull();
    expect(unpackGroup({ ...entry, m: [["FILL", 1]] } as never, "r1")).toBeNull();
  });
});
