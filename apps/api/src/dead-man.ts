/**
 * Cancel-on-disconnect (README "Trading programmatically"): a user arms a dead-man switch with a
 * timeout (POST /heartbeat, or the trading socket's own heartbeat) and refreshes it with every
 * heartbeat; when none arrives for the timeout, every resting order of the user is cancelled through
 * the engine (one CANCEL_ALL without a market), once. Polymarket's heartbeats, Kalshi FIX's
 * CancelOrdersOnDisconnect.
 *
 * State lives in the Kv port (Redis in distributed mode, memory embedded), so every API replica sees
 * every switch and any replica's sweeper may fire it; the Kv's first-writer-wins `setIfAbsent` makes
 * exactly one of them do so. The Kv has no sorted set, so due times are indexed in one-second
 * buckets of counted entries:
 *
 *   deadman:arm:<user>            {gen, timeoutMs, deadline}     the switch as the last heartbeat set it
 *   deadman:due:<second>          n                              entries in that second (INCR)
 *   deadman:due:<second>:<i>      {userId, gen}                  "user's switch of gen is due then"
 *   deadman:fired:<user>:<gen>    firedAt                        the claim: set once, by the replica that fires
 *   deadman:last:<user>           firedAt                        for the answer's `firedAt`
 *   deadman:any                   1                              some switch was armed within KEEP_MS
 *
 * A heartbeat writes a fresh `gen` (its index entry first, then the switch, so a switch is never
 * current without an entry). A sweeper walks the buckets from its cursor to now; an entry whose
 * switch has another gen (refreshed, disarmed) is stale, one whose deadline has passed is claimed
 * and fired. A heartbeat racing the claim after the deadline is too late: the orders are cancelled
 * and that heartbeat arms the switch again. Entries and claims expire after KEEP_MS. A sweeper that
 * starts walks back over the last LOOKBACK_MS only if `deadman:any` says some switch was armed in
 * that time (every heartbeat refreshes it before its entry): otherwise every bucket back there is
 * empty, and the walk would be one Kv read per second of it (840 reads, each a statement to the
 * storage thread in embedded mode) before the sweeper looks at the present.
 */
import { HEARTBEAT_MAX_MS, HEARTBEAT_MIN_MS } from "@ox/contracts";
import { EngineTimeoutError } from "@ox/engine-client";
import { Counter, Histogram, type Registry } from "@ox/metrics";
import type { AppDeps } from "./deps.ts";
import { ApiError } from "./errors.ts";
import { createPoller } from "./poller.ts";

/** What POST/GET/DELETE /heartbeat answer (contracts HeartbeatResponse). */
export interface DeadManState {
  armed: boolean;
  timeoutMs: number | null;
  /** Epoch ms after which the orders are cancelled unless a heartbeat comes first. */
  deadline: number | null;
  /** When this user's switch last fired (within KEEP_MS), else null. */
  firedAt: number | null;
}

export interface DeadManSwitch {
  /**
   * Arms the user's switch or refreshes it: deadline = now + timeoutMs. timeoutMs must be an
   * integer in HEARTBEAT_MIN_MS..HEARTBEAT_MAX_MS (ApiError VALIDATION_ERROR otherwise).
   */
  heartbeat(userId: string, timeoutMs: number): Promise<DeadManState>;
  /** Disarms the user's switch (idempotent). */
  disarm(userId: string): Promise<DeadManState>;
  status(userId: string): Promise<DeadManState>;
  /** One sweep pass now: fires the due switches this replica claims; resolves with how many. */
  sweep(): Promise<number>;
  /** Sweeps every `intervalMs` until stop(). */
  start(): void;
  stop(): Promise<void>;
}

export interface DeadManOptions {
  /** Time between sweep passes (default 500 ms): a switch fires within about this after its deadline. */
  intervalMs?: number;
  /** The process's metrics registry (counters of firings and cancelled orders). */
  registry?: Registry;
}

const BUCKET_MS = 1_000;
/** How long index entries, claims and the last firing are kept. */
const KEEP_MS = 15 * 60_000;
/** A sweeper that starts looks this far back: switches that fell due while every replica was down fire then. */
const LOOKBACK_MS = KEEP_MS - 60_000;

const armKey = (userId: string) => `deadman:arm:${userId}`;
const countKey = (bucket: number) => `deadman:due:${bucket}`;
const entryKey = (bucket: number, i: number) => `deadman:due:${bucket}:${i}`;
const firedKey = (userId: string, gen: string) => `deadman:fired:${userId}:${gen}`;
const lastKey = (userId: string) => `deadman:last:${userId}`;
const ANY_KEY = "deadman:any";

interface Armed {
  gen: string;
  timeoutMs: number;
  deadline: number;
}

function parse<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function checkTimeout(timeoutMs: number): void {
  if (!Number.isInteger(timeoutMs) || timeoutMs < HEARTBEAT_MIN_MS || timeoutMs > HEARTBEAT_MAX_MS)
    throw new ApiError(
      "VALIDATION_ERROR",
      `timeoutMs: 0 (disarm) or ${HEARTBEAT_MIN_MS}..${HEARTBEAT_MAX_MS}, got ${timeoutMs}`,
    );
}

export function createDeadManSwitch(deps: AppDeps, options: DeadManOptions = {}): DeadManSwitch {
  const { kv, clock, logger } = deps;
  const registers = options.registry ? [options.registry] : [];
  const fired = new Counter({
    name: "ox_deadman_fired_total",
    help: "Dead-man switches this replica fired (heartbeats stopped), by outcome",
    labelNames: ["outcome"],
    registers,
  });
  const cancelledOrders = new Counter({
    name: "ox_deadman_cancelled_orders_total",
    help: "Resting orders cancelled by dead-man switches this replica fired",
    registers,
  });
  const lateness = new Histogram({
    name: "ox_deadman_fire_delay_seconds",
    help: "Time from a switch's deadline to this replica firing it",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers,
  });

  const lastFired = async (userId: string) => {
    const v = await kv.get(lastKey(userId));
    return v === null ? null : Number(v);
  };

  const stateOf = async (userId: string, armed: Armed | null): Promise<DeadManState> => {
    const firedAt = await lastFired(userId);
    if (armed === null || (await kv.get(firedKey(userId, armed.gen))) !== null)
      return { armed: false, timeoutMs: null, deadline: null, firedAt };
    return { armed: true, timeoutMs: armed.timeoutMs, deadline: armed.deadline, firedAt };
  };

  /** Sends the CANCEL_ALL; false when it could not be queued (the claim is then given back). */
  const fire = async (userId: string, armed: Armed, now: number): Promise<boolean> => {
    const command = { type: "CANCEL_ALL" as const, userId, ts: now };
    try {
      const reply = await deps.engine.execute(command, { requestId: `deadman-${armed.gen}` });
      const cancelled = reply.cancelled ?? [];
      cancelledOrders.inc(cancelled.length);
      fired.inc({ outcome: reply.code === "OK" ? "cancelled" : reply.code.toLowerCase() });
      logger.warn(
        {
          userId,
          timeoutMs: armed.timeoutMs,
          deadline: armed.deadline,
          lateMs: now - armed.deadline,
          code: reply.code,
          cancelled: cancelled.length,
        },
        "dead-man switch fired: heartbeats stopped, resting orders cancelled",
      );
    } catch (err) {
      if (!(err instanceof EngineTimeoutError)) {
        fired.inc({ outcome: "send_failed" });
        logger.error({ err, userId }, "dead-man switch: CANCEL_ALL could not be queued; retrying");
        return false;
      }
      // Queued (the queue is at-least-once) but unanswered in time: the engine applies it.
      fired.inc({ outcome: "unanswered" });
      logger.warn(
        { userId, timeoutMs: armed.timeoutMs, deadline: armed.deadline },
        "dead-man switch fired; the engine has not answered the CANCEL_ALL yet",
      );
    }
    lateness.observe(Math.max(0, now - armed.deadline) / 1000);
    await kv.set(lastKey(userId), String(now), KEEP_MS);
    return true;
  };

  /** Buckets before `cursor` are done; undecided entries of later buckets, by bucket. */
  let cursor: number | null = null;
  const decided = new Map<number, Set<number>>();

  const sweepBucket = async (bucket: number, now: number): Promise<{ fired: number; done: boolean }> => {
    const count = Number((await kv.get(countKey(bucket))) ?? 0);
    let seen = decided.get(bucket);
    if (seen === undefined) {
      seen = new Set();
      decided.set(bucket, seen);
    }
    let firedHere = 0;
    let done = true;
    for (let i = 1; i <= count; i++) {
      if (seen.has(i)) continue;
      const entry = parse<{ userId: string; gen: string }>(await kv.get(entryKey(bucket, i)));
      const armed = entry ? parse<Armed>(await kv.get(armKey(entry.userId))) : null;
      if (!entry || !armed || armed.gen !== entry.gen) {
        seen.add(i); // expired, refreshed since or disarmed
        continue;
      }
      if (armed.deadline > now) {
        done = false; // due later in this second
        continue;
      }
      if (!(await kv.setIfAbsent(firedKey(entry.userId, armed.gen), String(now), KEEP_MS))) {
        seen.add(i); // another replica fired it
        continue;
      }
      if (await fire(entry.userId, armed, now)) {
        firedHere++;
        seen.add(i);
      } else {
        await kv.del(firedKey(entry.userId, armed.gen));
        done = false;
      }
    }
    return { fired: firedHere, done };
  };

  const pass = async (): Promise<number> => {
    const now = clock.now();
    const last = Math.floor(now / BUCKET_MS);
    if (cursor === null) {
      // Nothing armed within KEEP_MS: no bucket before now holds a live entry.
      const armedLately = (await kv.get(ANY_KEY)) !== null;
      cursor = Math.floor((armedLately ? now - LOOKBACK_MS : now) / BUCKET_MS);
    }
    let total = 0;
    let contiguous = true;
    for (let b = cursor; b <= last; b++) {
      const { fired: n, done } = await sweepBucket(b, now);
      total += n;
      // The cursor passes a second only once it is over and every entry in it is decided.
      if (contiguous && done && b < last) {
        decided.delete(b);
        cursor = b + 1;
      } else {
        contiguous = false;
      }
    }
    return total;
  };

  const poller = createPoller({
    intervalMs: options.intervalMs ?? 500,
    pass,
    onError: (err) => logger.error({ err }, "dead-man sweep pass failed"),
  });

  return {
    async heartbeat(userId, timeoutMs) {
      checkTimeout(timeoutMs);
      const now = clock.now();
      const armed: Armed = { gen: crypto.randomUUID(), timeoutMs, deadline: now + timeoutMs };
      const bucket = Math.floor(armed.deadline / BUCKET_MS);
      await kv.set(ANY_KEY, "1", KEEP_MS);
      const i = await kv.incr(countKey(bucket), KEEP_MS);
      await kv.set(entryKey(bucket, i), JSON.stringify({ userId, gen: armed.gen }), KEEP_MS);
      await kv.set(armKey(userId), JSON.stringify(armed), timeoutMs + KEEP_MS);
      return { armed: true, timeoutMs, deadline: armed.deadline, firedAt: await lastFired(userId) };
    },
    async disarm(userId) {
      await kv.del(armKey(userId));
      return stateOf(userId, null);
    },
    async status(userId) {
      return stateOf(userId, parse<Armed>(await kv.get(armKey(userId))));
    },
    sweep: poller.run,
    start: poller.start,
    stop: poller.stop,
  };
}
