/**
 * The seam messages (seam.ts) as records between shards, and the exactly-once bookkeeping of one
 * shard's links (README "Exactly once").
 *
 * Every envelope carries its source shard, its destination, the sequence number on that
 * (source → destination) link (1, 2, 3, … with no gaps) and the shard map version it was sent
 * under. A receiver applies an envelope only when its seq is exactly the next one expected from
 * that source: a lower seq is a duplicate (a replayed sender re-sending, a transport redelivering)
 * and is ignored; a higher one is a gap and is refused without effect (the missing one will come
 * and this one again after it). Both are deterministic, so a shard's input log may contain
 * duplicates and gaps and replaying it still applies each (source, seq) exactly once. Each shard
 * records what it sent (per destination: the last seq, and the envelopes not yet acknowledged) and
 * what it received (per source: the last seq applied), which is how in-flight amounts are counted.
 */

/** A shard's name: `m0`, `m1`, … for matching shards, `r0`, `r1`, … for risk shards. */
export type ShardId = string;

/** Risk → every matching shard: a user now exists, at `handle` on risk shard `riskShard`. */
export interface UserMsg {
  readonly type: "USER";
  userId: string;
  riskShard: number;
  handle: number;
}

/** Matching → risk: reserve a parked BUY's cash (seam.ts ReserveRequest, addressed by ticket). */
export interface ReserveMsg {
  readonly type: "RESERVE";
  /** The parked order's ticket at the matching shard (the answer echoes it). */
  ticket: number;
  /** The user's handle at the destination risk shard. */
  user: number;
  qty: number;
  pricePaise: number;
  maxCostPaise: number;
  maxFeeBps: number;
}

/** Risk → matching: the answer to one RESERVE. */
export interface ReserveAnswerMsg {
  readonly type: "RESERVE_ANSWER";
  ticket: number;
  /** The user's handle at the risk shard (for in-flight accounting only). */
  user: number;
  ok: boolean;
  code: "INSUFFICIENT_FUNDS";
  lockedPaise: number;
  lockPerShare: number;
  budgetPaise: number;
}

/** Matching → risk: seam.ts FillSettlement, `user` the handle at the destination. */
export interface FillMsg {
  readonly type: "FILL";
  user: number;
  isBuy: boolean;
  valuePaise: number;
  feePaise: number;
  unlockPaise: number;
}

export interface ReleaseMsg {
  readonly type: "RELEASE";
  user: number;
  paise: number;
}

export interface PayoutMsg {
  readonly type: "PAYOUT";
  user: number;
  paise: number;
}

export type WireMessage = UserMsg | ReserveMsg | ReserveAnswerMsg | FillMsg | ReleaseMsg | PayoutMsg;

export interface Envelope {
  from: ShardId;
  to: ShardId;
  /** Per (from → to) link: 1 for the first envelope, +1 each. */
  seq: number;
  /** The shard map version the sender runs; a receiver refuses any other. */
  map: number;
  msg: WireMessage;
}

/** What a receiver did with an envelope. */
export type Receipt = "APPLIED" | "DUPLICATE" | "GAP" | "WRONG_MAP" | "MISADDRESSED";

/** One shard's links: sequence numbers out and in, and the sent envelopes not yet acknowledged. */
export class Links {
  /** Destination → last seq sent. */
  readonly sent = new Map<ShardId, number>();
  /** Destination → envelopes sent and not yet acknowledged, in seq order. */
  readonly unacked = new Map<ShardId, Envelope[]>();
  /** Source → last seq applied. */
  readonly received = new Map<ShardId, number>();
  /** Envelopes sent since the owner last drained them (for the transport). */
  outbox: Envelope[] = [];
  /** Counts of what arrived and was not applied (duplicates and gaps are normal on replay). */
  duplicates = 0;
  gaps = 0;

  constructor(
    readonly self: ShardId,
    readonly mapVersion: number,
  ) {}

  send(to: ShardId, msg: WireMessage): Envelope {
    const seq = (this.sent.get(to) ?? 0) + 1;
    this.sent.set(to, seq);
    const env: Envelope = { from: this.self, to, seq, map: this.mapVersion, msg };
    let q = this.unacked.get(to);
    if (q === undefined) {
      q = [];
      this.unacked.set(to, q);
    }
    q.push(env);
    this.outbox.push(env);
    return env;
  }

  /** Decide whether `env` is applied now. Records the seq when it is. */
  receive(env: Envelope): Receipt {
    if (env.to !== this.self) return "MISADDRESSED";
    if (env.map !== this.mapVersion) return "WRONG_MAP";
    const last = this.received.get(env.from) ?? 0;
    if (env.seq <= last) {
      this.duplicates++;
      return "DUPLICATE";
    }
    if (env.seq !== last + 1) {
      this.gaps++;
      return "GAP";
    }
    this.received.set(env.from, env.seq);
    return "APPLIED";
  }

  /** `to` has applied everything up to `seq` from us: forget those envelopes. */
  ack(to: ShardId, seq: number): void {
    const q = this.unacked.get(to);
    if (q === undefined) return;
    let n = 0;
    while (n < q.length && q[n].seq <= seq) n++;
    if (n > 0) q.splice(0, n);
  }

  /** After a restart: send again everything not known to be applied (receivers drop duplicates). */
  resendUnacked(): void {
    for (const q of this.unacked.values()) for (const e of q) this.outbox.push(e);
  }

  drain(): Envelope[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  toJSON(): LinksDoc {
    return {
      sent: [...this.sent],
      received: [...this.received],
      unacked: [...this.unacked].map(([to, q]) => [to, q.map((e) => ({ ...e, msg: { ...e.msg } }))]),
    };
  }

  static fromJSON(self: ShardId, mapVersion: number, doc: LinksDoc): Links {
    const l = new Links(self, mapVersion);
    for (const [to, seq] of doc.sent) l.sent.set(to, seq);
    for (const [from, seq] of doc.received) l.received.set(from, seq);
    for (const [to, q] of doc.unacked) l.unacked.set(to, q);
    return l;
  }
}

export interface LinksDoc {
  sent: [ShardId, number][];
  received: [ShardId, number][];
  unacked: [ShardId, Envelope[]][];
}

/** One item of a shard's totally ordered input: a routed command or a delivered envelope. */
export type ShardInput =
  | { kind: "command"; index: number; cmd: unknown }
  | { kind: "message"; env: Envelope };

const CORE_OPEN = new TextEncoder().encode('{"core":');

/**
 * A shard's snapshot document: `doc` with `core` set to the engine state's own encoding
 * (snapshot.ts encodeState, a JSON text), spliced in as bytes: the same JSON as
 * `{core: JSON.parse(core), ...doc}`, without parsing and writing the state again.
 */
export function withCore(core: Uint8Array, doc: object): Uint8Array {
  const rest = new TextEncoder().encode(JSON.stringify(doc)); // "{...}", never empty here
  const out = new Uint8Array(CORE_OPEN.length + core.length + rest.length);
  out.set(CORE_OPEN, 0);
  out.set(core, CORE_OPEN.length);
  out[CORE_OPEN.length + core.length] = 44; // ","
  out.set(rest.subarray(1), CORE_OPEN.length + core.length + 1);
  return out;
}
