import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFileSnapshotStore,
  encodeSnapshot,
  type ServiceSnapshot,
  SnapshotCorruptError,
} from "./snapshot-store.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ox-snapstore-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const snapshot = (logOffset: number): ServiceSnapshot => ({
  logOffset,
  lastSeq: logOffset * 3,
  takenAt: 1_700_000_000_000 + logOffset,
  engine: new Uint8Array([1, 2, 3, logOffset % 256]),
  recent: [
    [`env-${logOffset}`, { id: `env-${logOffset}`, code: "OK", duplicate: false, order: null, lastSeq: 9 }],
  ],
});

test("round-trips, keeps the newest few, and loads the newest", async () => {
  const store = createFileSnapshotStore({ dir, keep: 2 });
  expect(await store.loadLatest()).toBeNull();
  for (const offset of [10, 200, 3_000]) await store.save(snapshot(offset));
  expect(readdirSync(dir).sort()).toEqual(["snapshot-0000000000000200.bin", "snapshot-0000000000003000.bin"]);
  expect(await store.loadLatest()).toEqual(snapshot(3_000));
});

test("a damaged newest snapshot falls back to the previous one; all damaged is an error, never an empty start", async () => {
  const store = createFileSnapshotStore({ dir });
  await store.save(snapshot(5));
  await store.save(snapshot(6));
  const newest = join(dir, "snapshot-0000000000000006.bin");
  const bytes = readFileSync(newest);
  bytes[bytes.length - 6] ^= 0xff;
  writeFileSync(newest, bytes);
  expect((await store.loadLatest())?.logOffset).toBe(5);
  writeFileSync(join(dir, "snapshot-0000000000000005.bin"), Buffer.from("OXSNAP1\ntruncated"));
  await expect(store.loadLatest()).rejects.toBeInstanceOf(SnapshotCorruptError);
});

test("a large engine state is written in parts, byte for byte the one-buffer encoding, and loads back", async () => {
  const store = createFileSnapshotStore({ dir });
  const engine = new Uint8Array(5 << 20);
  for (let i = 0; i < engine.length; i += 4093) engine[i] = i % 251;
  const big = { ...snapshot(42), engine };
  await store.save(big);
  expect(readFileSync(join(dir, "snapshot-0000000000000042.bin")).equals(encodeSnapshot(big))).toBe(true);
  const loaded = await store.loadLatest();
  expect(loaded?.logOffset).toBe(42);
  expect(Buffer.from(loaded?.engine ?? []).equals(Buffer.from(engine))).toBe(true);
});
