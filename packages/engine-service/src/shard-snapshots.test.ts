import { describe, expect, test } from "bun:test";
import { decodeShardShell, encodeShardShell, type ShardShellDoc } from "./shard-snapshots.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("shard shell", () => {
  // A shard's state is JSON with strings that need escaping; the pending command holds a newline.
  const state = enc(JSON.stringify({ v: "matching-shard/1", core: { users: ['a"b', "c\\d"] } }));
  const doc: ShardShellDoc = {
    v: "shard-shell/2",
    shard: "m1",
    nextIndex: 7,
    pending: [[5, { envelopeId: "e5", replyTo: null, command: { type: "PLACE_ORDER", note: "x\ny" } }]],
    epoch: 3,
  };

  test("v2: the fields and the shard's bytes come back as written", () => {
    const shell = decodeShardShell(encodeShardShell(doc, state));
    expect(shell?.doc).toEqual(doc);
    expect(dec(shell?.state ?? new Uint8Array())).toBe(dec(state));
  });

  test("v2 holds the shard's bytes once, unescaped", () => {
    const bytes = encodeShardShell(doc, state);
    expect(bytes.length).toBe(enc(`${JSON.stringify(doc)}\n`).length + state.length);
  });

  test("v1 (the state a JSON string in the document) still reads", () => {
    const { v: _v, ...fields } = doc;
    const v1 = enc(JSON.stringify({ v: "shard-shell/1", ...fields, state: dec(state) }));
    const shell = decodeShardShell(v1);
    expect(shell?.doc).toEqual({ ...fields, v: "shard-shell/1" });
    expect(dec(shell?.state ?? new Uint8Array())).toBe(dec(state));
  });

  test("anything else is not a shell", () => {
    expect(decodeShardShell(enc(JSON.stringify({ v: "engine/3" })))).toBeNull();
    expect(decodeShardShell(enc(`${JSON.stringify({ v: "shard-shell/1", shard: "m0" })}`))).toBeNull();
    expect(() => decodeShardShell(enc("not json"))).toThrow();
  });
});
