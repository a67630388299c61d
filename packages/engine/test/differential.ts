/**
 * Runs one command stream through the reference twin and the fast engine side by side: results
 * must be identical and docs/matching.md#invariants must hold for both after every command.
 */
import { createEngine, restoreEngine } from "../src/index.ts";
import { createReferenceEngine, restoreReferenceEngine } from "../src/reference/index.ts";
import type { Command, Engine, Result } from "../src/types.ts";
import { checkInvariants, createLedger, type EventLedger } from "./invariants.ts";

export class DivergenceError extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly command: unknown,
  ) {
    super(message);
    this.name = "DivergenceError";
  }
}

/** Non-strict deep equality: an `undefined` property equals a missing one. */
function same(a: unknown, b: unknown): boolean {
  return Bun.deepEquals(a, b);
}

function firstDifference(a: unknown, b: unknown, path = "$"): string {
  if (same(a, b)) return "";
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${path}: reference ${JSON.stringify(a)} vs fast ${JSON.stringify(b)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d) return d;
  }
  return `${path}: differ`;
}

/** Read models both engines must agree on, for the users and markets a stream can touch. */
function readModels(engine: Engine, userIds: readonly string[], marketIds: readonly string[]) {
  return {
    lastSeq: engine.lastSeq,
    users: [...engine.userIds()].sort(),
    totals: engine.totals(),
    dedupe: engine.dedupeStats(),
    nextExpiry: engine.nextExpiry(),
    accounts: userIds.map((u) => [engine.account(u), engine.positions(u), engine.openOrders(u)]),
    markets: marketIds.map((m) => [engine.market(m), engine.book(m), engine.book(m, 2), engine.book(m, 0)]),
  };
}

export interface Pair {
  ref: Engine;
  fast: Engine;
  refLedger: EventLedger;
  fastLedger: EventLedger;
}

/**
 * The idempotency window of the differential pairs (command-time ms). Streams advance ~6 ms per
 * command, so clientOrderIds and refs are forgotten every few dozen commands and both engines must
 * forget them alike; scenario tests run on the default 24 h.
 */
export const PAIR_CONFIG = { dedupeWindowMs: 200 };

export function createPair(): Pair {
  return {
    ref: createReferenceEngine(PAIR_CONFIG),
    fast: createEngine(PAIR_CONFIG),
    refLedger: createLedger(),
    fastLedger: createLedger(),
  };
}

/** Both engines restored from their own snapshots; the ledgers carry on. */
export function restorePair(pair: Pair): Pair {
  return {
    ref: restoreReferenceEngine(pair.ref.snapshot(), PAIR_CONFIG),
    fast: restoreEngine(pair.fast.snapshot(), PAIR_CONFIG),
    refLedger: pair.refLedger,
    fastLedger: pair.fastLedger,
  };
}

export interface StepOptions {
  /** Compare full read models every n commands (0 = never). */
  compareModelsEvery?: number;
  userIds?: readonly string[];
}

/** Applies one command to both; throws DivergenceError / InvariantError. Returns the reference result. */
export function applyBoth(pair: Pair, cmd: Command, index: number, options: StepOptions = {}): Result {
  const copy = (c: Command) => (c && typeof c === "object" ? { ...c } : c);
  const r = pair.ref.apply(copy(cmd));
  const f = pair.fast.apply(copy(cmd));
  if (!same(r, f)) {
    throw new DivergenceError(
      `command #${index} ${JSON.stringify(cmd)}: ${firstDifference(r, f)}`,
      index,
      cmd,
    );
  }
  for (const e of r.events) {
    const id = e.type === "ORDER_CLOSED" ? e.orderId : e.type === "TRADE" ? e.makerOrderId : null;
    if (id !== null && !same(pair.ref.order(id), pair.fast.order(id))) {
      throw new DivergenceError(
        `order(${id}) after #${index}: ${firstDifference(pair.ref.order(id), pair.fast.order(id))}`,
        index,
        cmd,
      );
    }
  }
  pair.refLedger.record(r.events);
  pair.fastLedger.record(f.events);
  try {
    checkInvariants(pair.ref, pair.refLedger, "reference");
    checkInvariants(pair.fast, pair.fastLedger, "fast");
  } catch (error) {
    if (error instanceof Error) error.message += ` after command #${index} ${JSON.stringify(cmd)}`;
    throw error;
  }
  const every = options.compareModelsEvery ?? 1;
  if (every > 0 && index % every === 0) {
    const userIds = options.userIds ?? pair.ref.userIds();
    const marketIds = [...pair.ref.markets().map((m) => m.marketId), "nowhere"];
    const a = readModels(pair.ref, userIds, marketIds);
    const b = readModels(pair.fast, userIds, marketIds);
    if (!same(a, b)) {
      throw new DivergenceError(
        `read models after #${index} ${JSON.stringify(cmd)}: ${firstDifference(a, b)}`,
        index,
        cmd,
      );
    }
  }
  return r;
}

/** Runs a whole stream; returns all reference events (for snapshot comparisons). */
export function runBoth(cmds: readonly Command[], options: StepOptions = {}): Pair {
  const pair = createPair();
  for (const [i, cmd] of cmds.entries()) applyBoth(pair, cmd, i, options);
  return pair;
}
