/**
 * Fencing a shard's stale incarnations at the transport (packages/engine README "Shard processes",
 * Fencing; the log side is @ox/contracts shard-fence.ts).
 *
 * Redis holds the current epoch of shard S at `epochKey(base, S)`. A new incarnation raises it
 * (`acquire`) before it appends its fence record, and every effect that leaves a shard process for
 * another process — the XADDs of its envelopes and the HSET of its ack hash — runs in ONE Lua script
 * that first checks the key still holds this incarnation's epoch (`send`). Redis runs a script
 * atomically, so a paused incarnation that wakes after its successor raised the key cannot add an
 * envelope or an ack, however long it slept between its checks: the script refuses, and the process
 * stops (SupersededError, fatal) before it publishes a reply or acks its stream entries. Replies are
 * published only after the batch's script passed, so nothing a superseded process applied is
 * acknowledged to a client.
 *
 * Why the key is raised before the fence is appended: a late append lands after the fence (and is
 * skipped by every reader) only if it completed after the fence did, so after the key was raised, so
 * its batch's script fails — a record skipped by the readers never has its envelopes sent.
 *
 * A Redis restarted empty has lost the key: the script answers "lost", and the process reads its
 * own log from where it stands to the end — a newer fence there means it was superseded; otherwise
 * it sets the key again (`assert`, never lowering it) and sends again. Its records are all in the
 * log before it reads the end, so if no newer fence is there yet, they precede any newer fence.
 */
import Redis from "ioredis";

export class SupersededError extends Error {
  readonly fatal = true;
  constructor(
    readonly shard: string,
    readonly epoch: number,
    readonly current: number | null,
  ) {
    super(
      `${shard}: incarnation of epoch ${epoch} is superseded${current === null ? "" : ` by epoch ${current}`}; stopping`,
    );
    this.name = "SupersededError";
  }
}

export interface ShardFencing {
  /** A new epoch above `seen` (the log's) and above the key's; sets the key to it. */
  acquire(seen: number): Promise<number>;
  /**
   * XADDs each entry to its stream and, if given, writes `acks` to the ack hash — all only while
   * the key holds `epoch`. Throws SupersededError when a newer epoch holds it; "lost" when the key
   * is gone (Redis restarted empty: check the log, then `assert`, then send again).
   */
  send(
    epoch: number,
    entries: { stream: string; body: string }[],
    acks?: { key: string; received: ReadonlyMap<string, number> },
  ): Promise<"ok" | "lost">;
  /** Sets the key to `epoch` unless a newer one holds it (then SupersededError). */
  assert(epoch: number): Promise<void>;
  close(): Promise<void>;
}

/** Shard S's epoch key. */
export const epochKey = (base: string, shard: string) => `${base}.${shard}.epoch`;

// KEYS[1] epoch key, KEYS[2] ack hash (or the epoch key again), KEYS[3..] one stream per entry.
// ARGV[1] epoch, ARGV[2] n ack pairs, ARGV[3 .. 2+2n] the pairs, ARGV[3+2n ..] one body per stream.
const SEND = `
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
cur = tonumber(cur)
local mine = tonumber(ARGV[1])
if cur > mine then return cur end
if cur < mine then redis.call('SET', KEYS[1], ARGV[1]) end
local n = tonumber(ARGV[2])
if n > 0 then redis.call('HSET', KEYS[2], unpack(ARGV, 3, 2 + 2 * n)) end
for i = 3, #KEYS do redis.call('XADD', KEYS[i], '*', 'b', ARGV[2 * n + i]) end
return 0
`;
// KEYS[1] epoch key; ARGV[1] the log's highest epoch. Returns the new epoch.
const ACQUIRE = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local e = math.max(cur, tonumber(ARGV[1])) + 1
redis.call('SET', KEYS[1], e)
return e
`;
// KEYS[1] epoch key; ARGV[1] epoch: set unless a higher one is there. Returns the key's epoch.
const ASSERT = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local mine = tonumber(ARGV[1])
if cur < mine then redis.call('SET', KEYS[1], ARGV[1]) return mine end
return cur
`;

export function createRedisShardFencing(options: { url: string; base: string; shard: string }): ShardFencing {
  const { shard } = options;
  const key = epochKey(options.base, shard);
  const redis = new Redis(options.url, { commandTimeout: 5_000 });
  redis.on("error", () => {}); // ioredis reconnects; callers see the rejection and retry
  redis.defineCommand("oxShardSend", { lua: SEND });
  redis.defineCommand("oxShardAcquire", { numberOfKeys: 1, lua: ACQUIRE });
  redis.defineCommand("oxShardAssert", { numberOfKeys: 1, lua: ASSERT });
  const r = redis as Redis & {
    oxShardSend(n: number, ...args: string[]): Promise<number>;
    oxShardAcquire(key: string, seen: number): Promise<number>;
    oxShardAssert(key: string, epoch: number): Promise<number>;
  };
  return {
    acquire: async (seen) => Number(await r.oxShardAcquire(key, seen)),
    async send(epoch, entries, acks) {
      const keys = [key, acks?.key ?? key, ...entries.map((e) => e.stream)];
      const pairs: string[] = [];
      for (const [from, seq] of acks?.received ?? []) pairs.push(from, String(seq));
      const args = [String(epoch), String(pairs.length / 2), ...pairs, ...entries.map((e) => e.body)];
      const answer = Number(await r.oxShardSend(keys.length, ...keys, ...args));
      if (answer === 0) return "ok";
      if (answer > 0) throw new SupersededError(shard, epoch, answer);
      return "lost";
    },
    async assert(epoch) {
      const now = Number(await r.oxShardAssert(key, epoch));
      if (now > epoch) throw new SupersededError(shard, epoch, now);
    },
    async close() {
      redis.disconnect();
    },
  };
}
