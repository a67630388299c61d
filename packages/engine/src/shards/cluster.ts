import { DEFAULT_DEDUPE_WINDOW_MS } from "../dedupe.ts";
import { createRandom } from "../random.ts";
import type { AccountView, BookView, EngineEvent, MarketView, PositionView, Result } from "../types.ts";
import { bookView, marketView, positionsOf } from "../views.ts";
import { fanOutOf, joinFanOut, routeCommandAll } from "./fan-out.ts";
import { MatchingShard, type ShardStep } from "./matching-shard.ts";
import { RiskShard } from "./risk-shard.ts";
import { checkShardMap, matchingShardOf, riskShardOf, routeCommand, type ShardMap } from "./shard-map.ts";
import { type Envelope, packWire, type Receipt, type ShardId, type ShardInput } from "./wire.ts";

/**
 * N matching shards × M risk shards in one process, with a deterministic transport (README
 * "Topology"): commands are routed by the shard map into per-shard queues, envelopes travel on
 * per-link FIFO channels, and `step()` delivers one item — a shard's next command or a link's next
 * envelope — chosen by a seeded PRNG, so a seed is an interleaving and a failing one replays. With
 * `faults`, some steps instead re-deliver an envelope already applied (a duplicate) or deliver one
 * out of order (a gap): the receiver must ignore or refuse them without effect. Every item given
 * to a shard is appended to that shard's input log, exactly as a partition would hold it, so
 * snapshot + replay of the log can be checked against the live shard.
 */
export interface ClusterOptions {
  seed?: number;
  dedupeWindowMs?: number;
  /** Inject duplicate and out-of-order deliveries (never losing one). */
  faults?: boolean;
  /** Keep every shard's input log and events (tests; off for the bench). */
  record?: boolean;
}

export class ShardedEngine {
  readonly map: ShardMap;
  readonly matching: MatchingShard[] = [];
  readonly risk: RiskShard[] = [];
  /** Results by submission index, when recording (undefined while a BUY is parked or the command is queued). */
  readonly results: (Result | undefined)[] = [];
  /** Per shard: its input log and the events it emitted (when recording). */
  readonly inputs = new Map<ShardId, ShardInput[]>();
  readonly events = new Map<ShardId, EngineEvent[]>();
  /** Per shard, what it did with each input (parallel to `inputs`): APPLIED, DUPLICATE, GAP, … */
  readonly receipts = new Map<ShardId, Receipt[]>();
  /** Per shard, the input position at which each submission completed (when recording). */
  readonly completedAt = new Map<ShardId, { input: number; index: number }[]>();
  private readonly queues = new Map<ShardId, { index: number; cmd: unknown }[]>();
  private readonly queueHeads = new Map<ShardId, number>();
  /** In flight, per link `from>to`: envelopes sent and not yet applied, in seq order. */
  readonly channels = new Map<string, Envelope[]>();
  /** Per link: the envelopes already applied (for duplicate injection). */
  private readonly delivered = new Map<string, Envelope[]>();
  private readonly orderMarket = new Map<string, string>();
  private readonly byId = new Map<ShardId, MatchingShard | RiskShard>();
  private readonly random: () => number;
  private readonly faults: boolean;
  private readonly record: boolean;
  readonly dedupeWindowMs: number;
  submitted = 0;
  faultsInjected = 0;
  /** Deliveries of a group (deliverGroup): consecutive envelopes of a link as one input. */
  groupsDelivered = 0;
  /** The result of the command completed last (results are kept by index only when recording). */
  private lastResult: Result | null = null;
  /** Fanned-out commands still waiting for some shard's answer: index → answers so far. */
  private readonly pendingFanOut = new Map<number, { left: number; parts: Map<ShardId, Result> }>();
  /** A fanned-out command's answer per shard, by submission index (when recording). */
  readonly parts = new Map<number, Map<ShardId, Result>>();

  constructor(map: ShardMap, options: ClusterOptions = {}) {
    this.map = checkShardMap(map);
    this.random = createRandom(options.seed ?? 1);
    this.faults = options.faults === true;
    this.record = options.record !== false;
    this.dedupeWindowMs = options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    for (let k = 0; k < map.matchingShards; k++)
      this.matching.push(new MatchingShard(k, map, this.dedupeWindowMs));
    for (let k = 0; k < map.riskShards; k++) this.risk.push(new RiskShard(k, map, this.dedupeWindowMs));
    for (const s of this.shards()) {
      this.byId.set(s.id, s);
      this.inputs.set(s.id, []);
      this.events.set(s.id, []);
      this.receipts.set(s.id, []);
      this.completedAt.set(s.id, []);
      this.queues.set(s.id, []);
      this.queueHeads.set(s.id, 0);
    }
  }

  shards(): (MatchingShard | RiskShard)[] {
    return [...this.matching, ...this.risk];
  }

  shard(id: ShardId): MatchingShard | RiskShard {
    const s = this.byId.get(id);
    if (s === undefined) throw new Error(`no shard ${id}`);
    return s;
  }

  /** Replace a shard (a restart from snapshot + replay). */
  replace(s: MatchingShard | RiskShard): void {
    if (s instanceof MatchingShard) this.matching[s.shard] = s;
    else this.risk[s.shard] = s;
    this.byId.set(s.id, s);
  }

  /**
   * Which shards a command goes to: the API's routing. One shard for every command but CANCEL_ALL
   * without marketId, which goes to every matching shard (fan-out.ts; answers joined by joinFanOut).
   */
  routeAll(raw: unknown): ShardId[] {
    return routeCommandAll(this.map, raw, (orderId) => this.orderMarket.get(orderId));
  }

  /** The one shard a command goes to; throws for a fanned-out command (use routeAll). */
  route(raw: unknown): ShardId {
    if (fanOutOf(this.map, raw) !== null)
      throw new Error("route: CANCEL_ALL without marketId goes to every matching shard (routeAll)");
    return routeCommand(this.map, raw, (orderId) => this.orderMarket.get(orderId));
  }

  /**
   * EXPIRE_ORDERS (time passed, for every market) is the engine shell's, not the API router's: it
   * goes to every matching shard under one submission index, each expiring its own markets' GTD
   * orders (its answer is each shard's own; they are not joined).
   */
  private static isExpire(raw: unknown): boolean {
    return typeof raw === "object" && raw !== null && (raw as { type?: unknown }).type === "EXPIRE_ORDERS";
  }

  /** Route a command into its shard's queue (each target's); returns its submission index. */
  submit(cmd: unknown): number {
    const index = this.admit(cmd);
    if (ShardedEngine.isExpire(cmd)) {
      for (const m of this.matching)
        (this.queues.get(m.id) as { index: number; cmd: unknown }[]).push({ index, cmd });
      return index;
    }
    const targets = this.routeAll(cmd);
    if (targets.length > 1) this.pendingFanOut.set(index, { left: targets.length, parts: new Map() });
    for (const id of targets) (this.queues.get(id) as { index: number; cmd: unknown }[]).push({ index, cmd });
    return index;
  }

  /** Number a command and note what the API learns from it (an order id's market). */
  private admit(cmd: unknown): number {
    const c = cmd as { type?: unknown; orderId?: unknown; marketId?: unknown } | null;
    if (c !== null && typeof c === "object" && c.type === "PLACE_ORDER" && typeof c.orderId === "string") {
      if (!this.orderMarket.has(c.orderId) && typeof c.marketId === "string")
        this.orderMarket.set(c.orderId, c.marketId);
    }
    return this.submitted++;
  }

  /** Give `input` to shard `id`; move what it sent onto the channels. */
  deliver(id: ShardId, input: ShardInput): ShardStep {
    const s = this.shard(id);
    const step = s.apply(input);
    if (this.record) {
      (this.inputs.get(id) as ShardInput[]).push(input);
      (this.receipts.get(id) as Receipt[]).push(step.receipt);
      const ev = this.events.get(id) as EngineEvent[];
      for (const e of step.events) ev.push(e);
    }
    if (input.kind !== "command") {
      const [from, to] = input.kind === "message" ? [input.env.from, input.env.to] : [input.from, input.to];
      const applied = this.shard(to).links.received.get(from) ?? 0;
      this.shard(from).links.ack(to, applied);
      if (step.receipt === "APPLIED") {
        const key = `${from}>${to}`;
        const ch = this.channels.get(key) as Envelope[];
        if (input.kind === "message" && ch[0] !== input.env)
          throw new Error(`transport: applied ${key}#${input.env.seq} not at the head`);
        // What the receiver applied leaves the channel (a group: its envelopes not applied before).
        while (ch.length > 0 && ch[0].seq <= applied) {
          const env = ch.shift() as Envelope;
          if (!this.faults) continue;
          let d = this.delivered.get(key);
          if (d === undefined) {
            d = [];
            this.delivered.set(key, d);
          }
          d.push(env);
          if (d.length > 8) d.shift();
        }
      }
    }
    if (step.index >= 0) {
      const fan = this.pendingFanOut.get(step.index);
      if (fan === undefined) {
        this.lastResult = step.result;
        if (this.record) this.results[step.index] = step.result ?? undefined;
      } else {
        fan.parts.set(id, step.result as Result);
        if (this.record) this.parts.set(step.index, fan.parts);
        if (--fan.left === 0) {
          this.pendingFanOut.delete(step.index);
          const joined = joinFanOut([...fan.parts.values()]);
          this.lastResult = joined;
          if (this.record) this.results[step.index] = joined;
        }
      }
      if (this.record)
        (this.completedAt.get(id) as { input: number; index: number }[]).push({
          input: (this.inputs.get(id) as ShardInput[]).length - 1,
          index: step.index,
        });
    }
    this.collect(s);
    return step;
  }

  /**
   * Put what `s` sent onto the channels. A restored shard re-sends what it had sent before: an
   * envelope the receiver already applied is delivered as the duplicate it is (and must be
   * ignored); one still in flight must equal the copy on the channel (determinism) and is dropped.
   */
  collect(s: MatchingShard | RiskShard): void {
    for (const env of s.links.drain()) {
      const key = `${env.from}>${env.to}`;
      let ch = this.channels.get(key);
      if (ch === undefined) {
        ch = [];
        this.channels.set(key, ch);
      }
      const received = this.shard(env.to).links.received.get(env.from) ?? 0;
      if (env.seq <= received) {
        this.deliver(env.to, { kind: "message", env });
        continue;
      }
      const last = ch.length > 0 ? ch[ch.length - 1].seq : received;
      if (env.seq <= last) {
        const copy = ch.find((e) => e.seq === env.seq);
        if (copy === undefined || JSON.stringify(copy.msg) !== JSON.stringify(env.msg))
          throw new Error(`transport: ${key}#${env.seq} re-sent differently: ${JSON.stringify(env.msg)}`);
        continue;
      }
      if (env.seq !== last + 1) throw new Error(`transport: ${key} skipped from ${last} to ${env.seq}`);
      ch.push(env);
    }
  }

  private nextCommand(id: ShardId): { index: number; cmd: unknown } | undefined {
    const q = this.queues.get(id) as { index: number; cmd: unknown }[];
    const h = this.queueHeads.get(id) as number;
    if (h >= q.length) return undefined;
    this.queueHeads.set(id, h + 1);
    return q[h];
  }

  private hasCommand(id: ShardId): boolean {
    return (this.queueHeads.get(id) as number) < (this.queues.get(id) as unknown[]).length;
  }

  /**
   * Give consecutive envelopes of one link to a risk shard as one input (a group, as a shard
   * process logs a peer's stream entry: RiskShard "group").
   */
  deliverGroup(envs: readonly Envelope[]): ShardStep {
    const first = envs[0];
    for (let i = 1; i < envs.length; i++)
      if (envs[i].seq !== first.seq + i || envs[i].from !== first.from || envs[i].to !== first.to)
        throw new Error("transport: a group is consecutive envelopes of one link");
    this.groupsDelivered++;
    return this.deliver(first.to, {
      kind: "messages",
      from: first.from,
      to: first.to,
      map: first.map,
      seq: first.seq,
      m: envs.map((e) => packWire(e.msg)),
    });
  }

  /** Deliver one item chosen by the seed. False when nothing is queued or in flight. */
  step(): boolean {
    const options: (() => void)[] = [];
    for (const s of this.shards()) {
      const id = s.id;
      if (this.hasCommand(id))
        options.push(() => {
          const next = this.nextCommand(id) as { index: number; cmd: unknown };
          this.deliver(id, { kind: "command", index: next.index, cmd: next.cmd });
        });
    }
    const links: Envelope[][] = [];
    for (const ch of this.channels.values()) if (ch.length > 0) links.push(ch);
    for (const ch of links) options.push(() => this.deliver(ch[0].to, { kind: "message", env: ch[0] }));
    // A risk shard also takes a link's head as a group (a shard process: one per stream entry).
    for (const ch of links)
      if (ch.length > 1 && ch[0].to.startsWith("r"))
        options.push(() => this.deliverGroup(ch.slice(0, 2 + Math.floor(this.random() * (ch.length - 1)))));
    if (options.length === 0) return false;
    if (this.faults && this.random() < 0.1) {
      const r = this.random();
      const withTwo = links.filter((ch) => ch.length > 1);
      if (r < 0.5 && withTwo.length > 0) {
        const ch = withTwo[Math.floor(this.random() * withTwo.length)];
        const env = ch[1 + Math.floor(this.random() * (ch.length - 1))];
        this.faultsInjected++;
        this.deliver(env.to, { kind: "message", env });
        return true;
      }
      // A group re-sent with more behind it: its applied prefix is skipped, the rest applied.
      const overlapping = links.filter((ch) => {
        const d = this.delivered.get(`${ch[0].from}>${ch[0].to}`);
        return (
          ch[0].to.startsWith("r") && d !== undefined && d.length > 0 && d[d.length - 1].seq === ch[0].seq - 1
        );
      });
      if (r >= 0.5 && r < 0.7 && overlapping.length > 0) {
        const ch = overlapping[Math.floor(this.random() * overlapping.length)];
        const d = this.delivered.get(`${ch[0].from}>${ch[0].to}`) as Envelope[];
        this.faultsInjected++;
        this.deliverGroup([
          ...d.slice(-1 - Math.floor(this.random() * d.length)),
          ...ch.slice(0, 1 + Math.floor(this.random() * ch.length)),
        ]);
        return true;
      }
      const old = [...this.delivered.values()].filter((d) => d.length > 0);
      if (old.length > 0) {
        const d = old[Math.floor(this.random() * old.length)];
        const env = d[Math.floor(this.random() * d.length)];
        this.faultsInjected++;
        this.deliver(env.to, { kind: "message", env });
        return true;
      }
    }
    options[Math.floor(this.random() * options.length)]();
    return true;
  }

  /** Manual delivery (scenario tests): shard `id`'s next command. */
  pump(id: ShardId): ShardStep {
    const next = this.nextCommand(id);
    if (next === undefined) throw new Error(`${id} has no command queued`);
    return this.deliver(id, { kind: "command", index: next.index, cmd: next.cmd });
  }

  /** Manual delivery: the next envelope on link `from → to`. */
  pass(from: ShardId, to: ShardId): ShardStep {
    const ch = this.channels.get(`${from}>${to}`);
    if (ch === undefined || ch.length === 0) throw new Error(`nothing in flight ${from} → ${to}`);
    return this.deliver(to, { kind: "message", env: ch[0] });
  }

  /** Step until nothing is queued or in flight; `each` runs after every step. */
  run(each?: () => void): number {
    let n = 0;
    while (this.step()) {
      n++;
      each?.();
    }
    return n;
  }

  /**
   * Submit and settle at once: the command, then every envelope it caused (links in a fixed order)
   * until nothing is in flight. With every command settled before the next, the shards behave
   * exactly as the single engine (sharded.test.ts).
   */
  applyNow(cmd: unknown): Result {
    if (ShardedEngine.isExpire(cmd)) {
      const ids = this.matching.map((m) => m.id);
      // A broadcast: each shard in turn, settled; one result carrying every shard's events.
      const index = this.admit(cmd);
      const events: EngineEvent[] = [];
      for (const id of ids) {
        if (this.hasCommand(id)) throw new Error(`applyNow: ${id} has submitted commands queued`);
        this.deliver(id, { kind: "command", index, cmd });
        this.flush();
        for (const e of (this.lastResult as Result).events) events.push(e);
      }
      const result: Result = { code: (this.lastResult as Result).code, events };
      if (this.record) this.results[index] = result;
      return result;
    }
    const index = this.admit(cmd);
    const targets = this.routeAll(cmd);
    for (const id of targets)
      if (this.hasCommand(id)) throw new Error(`applyNow: ${id} has submitted commands queued`);
    if (targets.length > 1) this.pendingFanOut.set(index, { left: targets.length, parts: new Map() });
    this.lastResult = null;
    for (const id of targets) this.deliver(id, { kind: "command", index, cmd });
    this.flush();
    // Settled: this command is the only one that can have completed meanwhile.
    if (this.record && this.results[index] !== this.lastResult) throw new Error("applyNow: result mismatch");
    return this.lastResult as unknown as Result;
  }

  /** Deliver every envelope in flight (and what they cause), link by link, no commands. */
  flush(): void {
    let moved = true;
    while (moved) {
      moved = false;
      for (const ch of this.channels.values()) {
        while (ch.length > 0) {
          this.deliver(ch[0].to, { kind: "message", env: ch[0] });
          moved = true;
        }
      }
    }
  }

  /** Envelopes in flight. */
  inFlight(): Envelope[] {
    const all: Envelope[] = [];
    for (const ch of this.channels.values()) for (const e of ch) all.push(e);
    return all;
  }

  // Reads across shards (the portfolio joins cash from the risk shard with holdings everywhere).

  account(userId: string): AccountView | undefined {
    const risk = this.risk[riskShardOf(this.map, userId)].state.risk;
    const h = risk.users.get(userId);
    return h === undefined ? undefined : { availablePaise: risk.available(h), lockedPaise: risk.locked(h) };
  }

  positions(userId: string): PositionView[] {
    const out: PositionView[] = [];
    for (const m of this.matching) {
      const mc = m.state.matching;
      const h = mc.users.get(userId);
      if (h !== undefined) out.push(...positionsOf(mc, mc.traders[h]));
    }
    return out.sort((a, b) => (a.marketId < b.marketId ? -1 : a.marketId > b.marketId ? 1 : 0));
  }

  market(marketId: string): MarketView | undefined {
    const mc = this.matching[matchingShardOf(this.map, marketId)].state.matching;
    const h = mc.marketIndex.get(marketId);
    return h === undefined ? undefined : marketView(mc.markets[h]);
  }

  book(marketId: string, depth?: number): BookView | undefined {
    const mc = this.matching[matchingShardOf(this.map, marketId)].state.matching;
    const h = mc.marketIndex.get(marketId);
    return h === undefined ? undefined : bookView(mc.markets[h], depth ?? Number.POSITIVE_INFINITY);
  }
}
