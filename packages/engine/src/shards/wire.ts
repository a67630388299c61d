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

/**
 * A message positionally: its type, then its values in this order (the packed form of the wire and
 * of the logs: @ox/contracts pipeline.ts packPeerInput). A log must stay replayable: fields are
 * only ever appended here, never moved.
 */
export const WIRE_FIELDS: Readonly<Record<WireMessage["type"], readonly string[]>> = {
  USER: ["userId", "riskShard", "handle"],
  RESERVE: ["ticket", "user", "qty", "pricePaise", "maxCostPaise", "maxFeeBps"],
  RESERVE_ANSWER: ["ticket", "user", "ok", "code", "lockedPaise", "lockPerShare", "budgetPaise"],
  FILL: ["user", "isBuy", "valuePaise", "feePaise", "unlockPaise"],
  RELEASE: ["user", "paise"],
  PAYOUT: ["user", "paise"],
};

/** `msg` positionally (WIRE_FIELDS), built per type: the sender's hot path. */
export function packWire(msg: WireMessage): unknown[] {
  switch (msg.type) {
    case "FILL":
      return ["FILL", msg.user, msg.isBuy, msg.valuePaise, msg.feePaise, msg.unlockPaise];
    case "RESERVE":
      return ["RESERVE", msg.ticket, msg.user, msg.qty, msg.pricePaise, msg.maxCostPaise, msg.maxFeeBps];
    case "RESERVE_ANSWER":
      return [
        "RESERVE_ANSWER",
        msg.ticket,
        msg.user,
        msg.ok,
        msg.code,
        msg.lockedPaise,
        msg.lockPerShare,
        msg.budgetPaise,
      ];
    case "RELEASE":
      return ["RELEASE", msg.user, msg.paise];
    case "PAYOUT":
      return ["PAYOUT", msg.user, msg.paise];
    case "USER":
      return ["USER", msg.userId, msg.riskShard, msg.handle];
  }
}

/** A positional message (WIRE_FIELDS) as its object, built per type (one shape per type). */
export function unpackWire(m: readonly unknown[]): WireMessage {
  switch (m[0]) {
    case "FILL":
      return {
        type: "FILL",
        user: m[1] as number,
        isBuy: m[2] as boolean,
        valuePaise: m[3] as number,
        feePaise: m[4] as number,
        unlockPaise: m[5] as number,
      };
    case "RESERVE":
      return {
        type: "RESERVE",
        ticket: m[1] as number,
        user: m[2] as number,
        qty: m[3] as number,
        pricePaise: m[4] as number,
        maxCostPaise: m[5] as number,
        maxFeeBps: m[6] as number,
      };
    case "RESERVE_ANSWER":
      return {
        type: "RESERVE_ANSWER",
        ticket: m[1] as number,
        user: m[2] as number,
        ok: m[3] as boolean,
        code: m[4] as "INSUFFICIENT_FUNDS",
        lockedPaise: m[5] as number,
        lockPerShare: m[6] as number,
        budgetPaise: m[7] as number,
      };
    case "RELEASE":
      return { type: "RELEASE", user: m[1] as number, paise: m[2] as number };
    case "PAYOUT":
      return { type: "PAYOUT", user: m[1] as number, paise: m[2] as number };
    case "USER":
      return { type: "USER", userId: m[1] as string, riskShard: m[2] as number, handle: m[3] as number };
    default:
      throw new Error(`not a wire message type: ${String(m[0])}`);
  }
}

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

  /**
   * Decide whether the run `seq … seq + n - 1` from `from` (a group, README "Exactly once") is
   * applied now: its envelopes already applied are skipped (`skipped`, counted as duplicates) and
   * the rest applied (APPLIED, recorded), or none is: DUPLICATE (all applied before), GAP (the
   * first new one is not the next), WRONG_MAP, MISADDRESSED.
   */
  receiveRun(from: ShardId, to: ShardId, map: number, seq: number, n: number): Receipt {
    this.skipped = 0;
    if (to !== this.self) return "MISADDRESSED";
    if (map !== this.mapVersion) return "WRONG_MAP";
    const last = this.received.get(from) ?? 0;
    if (seq + n - 1 <= last) {
      this.duplicates += n;
      return "DUPLICATE";
    }
    if (seq > last + 1) {
      this.gaps += n;
      return "GAP";
    }
    this.skipped = last + 1 - seq;
    this.duplicates += this.skipped;
    this.received.set(from, seq + n - 1);
    return "APPLIED";
  }

  /** The last receiveRun's envelopes skipped as already applied. */
  skipped = 0;

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

/**
 * Envelopes `seq … seq + m.length - 1` of one link delivered together (one stream entry), each
 * message positional (WIRE_FIELDS): a risk shard's input (RiskShard "group"). Matching shards take
 * envelopes one by one (each answer completes its own command).
 */
export interface MessagesInput {
  kind: "messages";
  from: ShardId;
  to: ShardId;
  map: number;
  seq: number;
  m: readonly (readonly unknown[])[];
}

/** One item of a shard's totally ordered input: a routed command or a delivered envelope (or a group). */
export type ShardInput =
  | { kind: "command"; index: number; cmd: unknown }
  | { kind: "message"; env: Envelope }
  | MessagesInput;

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
