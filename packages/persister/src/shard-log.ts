/**
 * A shard's log read as the single engine's log (README "Running the production topology"): the
 * persister runs once per shard topic over this view, with its own consumer_offsets row per topic,
 * so each topic's offset commits in the same transaction as that topic's rows.
 *
 * Why one persister per topic is enough for "Postgres as with one engine": every row the persister
 * keys is written by one shard only — orders, trades, positions and markets by the market's
 * matching shard; engine_balances and engine_transfers by the user's risk shard; payouts by the
 * market's shard — so each row sees its own shard's events in that shard's order, and the
 * `last_seq <` guards hold per row. Ledger entries are per event and immutable; a wallet's balance
 * is the sum of its movements, whichever topic committed first (wallet rows are locked per batch).
 *
 * One log record of a shard is a batch of its inputs (ShardLogBatch): it persists as one record,
 * in one transaction, and is quarantined whole if Postgres refuses it.
 *
 * Seqs are taken as they are: the shard process numbers its events with `globalSeq` (contracts),
 * unique across shards and increasing per shard, so the per-row guards are unchanged.
 */
import type { EventLog, LogEntry } from "@ox/bus";
import type { LogRecord, ShardLogBatch, ShardLogRecord } from "@ox/contracts/pipeline";
import { completedEnvelopeId, peerEnvelope, shardEnvelopeId } from "@ox/contracts/pipeline";
import { createFenceFilter, type FenceFilter, fenceEpochAt } from "@ox/contracts/shard-fence";
import type { Command, PlaceOrderCommand } from "@ox/engine";

/** Log records read per `max / this` inputs asked: batches hold ~50-200 inputs under load. */
const INPUTS_PER_RECORD_GUESS = 50;

export interface ShardLogViewOptions {
  shard: string;
}

/**
 * The persister's view of shard `shard`'s topic: one LogRecord per log record (a batch of the
 * shard's inputs, ShardLogBatch), its events those of its inputs in order and `orders` the
 * PLACE_ORDER commands its ORDER_REJECTEDs name. Inputs that changed nothing (a duplicate or gap
 * of an envelope) carry no events and persist as nothing; so do fences and a superseded
 * incarnation's late log records (@ox/contracts shard-fence.ts: the view keeps the fence rule as
 * it reads; started mid-log, it learns the epoch there first).
 */
export function shardLogView(
  log: EventLog<ShardLogBatch>,
  options: ShardLogViewOptions,
): EventLog<LogRecord> {
  /** PLACE_ORDERs seen parked (no completion in their own record), by order id: a refusal later names them. */
  const parked = new Map<string, PlaceOrderCommand>();
  let fence: FenceFilter | null = null;
  /** The offset the fence rule has read up to (a read elsewhere learns the epoch there again). */
  let fenceAt = -1;
  /** The PLACE_ORDER a record's ORDER_REJECTED is about. */
  const commandOf = (r: ShardLogRecord, orderId: string): Command | undefined => {
    const input = r.input;
    if (input.kind === "command") return input.command;
    const completed = (r.completed as { command?: Command } | null | undefined)?.command;
    // A parked BUY completed by its RESERVE_ANSWER: its command is the one that parked it (kept,
    // not deleted: a batch whose commit failed is read again).
    return completed ?? parked.get(orderId);
  };
  const toLogRecord = (batch: ShardLogBatch, offset: number, f: FenceFilter): LogRecord => {
    if (batch.shard !== options.shard)
      throw new Error(`${options.shard}'s log holds a record of ${batch.shard}`);
    const first = batch.records[0];
    if (!f.admit(batch) || first.input.kind === "fence")
      return {
        envelopeId: first.input.kind === "fence" ? `fence:${first.input.incarnation}` : `stale:${offset}`,
        command: { type: "SHARD_BATCH", offset } as unknown as Command,
        code: "OK",
        events: [],
      };
    const events: LogRecord["events"] = [];
    let orders: Map<string, PlaceOrderCommand> | undefined;
    for (const r of batch.records) {
      const input = r.input;
      if (input.kind === "command" && input.command.type === "PLACE_ORDER" && r.completed == null) {
        parked.set(input.command.orderId, input.command);
        // Answers come within moments: keep the newest, never an unbounded map.
        if (parked.size > 100_000) parked.delete(parked.keys().next().value as string);
      }
      for (const e of r.events) {
        events.push(e);
        if (e.type !== "ORDER_REJECTED") continue;
        // Only an ORDER_REJECTED reads the command (plan.ts).
        const command = commandOf(r, e.orderId);
        if (command?.type !== "PLACE_ORDER") continue;
        orders ??= new Map();
        orders.set(e.orderId, command);
      }
    }
    // `completed` absent is null (logs since session 9 leave it out).
    const firstCompleted = batch.records.find((r) => r.completed != null);
    return {
      envelopeId:
        (firstCompleted && completedEnvelopeId(firstCompleted)) ??
        (first.input.kind === "command"
          ? first.input.envelopeId
          : shardEnvelopeId(peerEnvelope(first.input, options.shard))),
      command: { type: "SHARD_BATCH", offset } as unknown as Command,
      code: "OK",
      events,
      orders,
    };
  };
  return {
    append: () => Promise.reject(new Error("the persister's view of a shard log is read-only")),
    endOffset: () => log.endOffset(),
    /**
     * Up to `max` inputs' worth of log records (at least one): a log record holds a batch of
     * inputs, and the persister's batch size is meant in commands, so a transaction stays as large
     * as with one record per input.
     */
    async read(from, max) {
      const entries = await log.read(from, Math.max(1, Math.ceil(max / INPUTS_PER_RECORD_GUESS)));
      if (fence === null || fenceAt !== from) {
        fence = createFenceFilter(from === 0 ? 0 : await fenceEpochAt((at, n) => log.read(at, n), from));
        fenceAt = from;
      }
      const f = fence;
      const out: LogEntry<LogRecord>[] = [];
      let inputs = 0;
      for (const e of entries) {
        if (out.length > 0 && inputs + e.record.records.length > max) break;
        inputs += e.record.records.length;
        out.push({ offset: e.offset, record: toLogRecord(e.record, e.offset, f) });
      }
      if (out.length > 0) fenceAt = out[out.length - 1].offset + 1;
      return out;
    },
    close: () => log.close(),
  };
}
