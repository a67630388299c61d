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
 * Seqs are taken as they are: the shard process numbers its events with `globalSeq` (contracts),
 * unique across shards and increasing per shard, so the per-row guards are unchanged.
 */
import type { EventLog, LogEntry } from "@ox/bus";
import type { LogRecord, ShardLogRecord } from "@ox/contracts/pipeline";
import { shardEnvelopeId } from "@ox/contracts/pipeline";
import type { Command, PlaceOrderCommand } from "@ox/engine";

export interface ShardLogViewOptions {
  shard: string;
}

/**
 * The persister's view of shard `shard`'s topic. Records that changed nothing (a duplicate or gap
 * of an envelope) carry no events and persist as nothing, but still advance the offset.
 */
export function shardLogView(
  log: EventLog<ShardLogRecord>,
  options: ShardLogViewOptions,
): EventLog<LogRecord> {
  /** PLACE_ORDERs seen parked (no completion in their own record), by order id: a refusal later names them. */
  const parked = new Map<string, PlaceOrderCommand>();
  const toLogRecord = (r: ShardLogRecord): LogRecord => {
    if (r.shard !== options.shard) throw new Error(`${options.shard}'s log holds a record of ${r.shard}`);
    const input = r.input;
    const completedCommand = (r.completed as { command?: Command } | null)?.command;
    let command: Command | undefined = input.kind === "command" ? input.command : completedCommand;
    if (input.kind === "command" && input.command.type === "PLACE_ORDER" && r.completed === null) {
      parked.set(input.command.orderId, input.command);
      // Answers come within moments: keep the newest, never an unbounded map.
      if (parked.size > 100_000) parked.delete(parked.keys().next().value as string);
    }
    if (command === undefined) {
      // A parked BUY completed by its RESERVE_ANSWER: its command is the one that parked it.
      for (const e of r.events)
        if ((e.type === "ORDER_REJECTED" || e.type === "ORDER_ACCEPTED") && parked.has(e.orderId)) {
          // Kept, not deleted: a batch whose commit failed is read again.
          command = parked.get(e.orderId);
          break;
        }
    }
    return {
      envelopeId:
        r.completed?.envelopeId ?? (input.kind === "command" ? input.envelopeId : shardEnvelopeId(input.env)),
      // Only an ORDER_REJECTED reads the command (plan.ts); a message without one carries none.
      command: command ?? ({ type: "SHARD_MESSAGE" } as unknown as Command),
      code: r.completed?.code ?? "OK",
      events: r.events,
    };
  };
  return {
    append: () => Promise.reject(new Error("the persister's view of a shard log is read-only")),
    endOffset: () => log.endOffset(),
    async read(from, max) {
      const entries = await log.read(from, max);
      return entries.map((e): LogEntry<LogRecord> => ({ offset: e.offset, record: toLogRecord(e.record) }));
    },
    close: () => log.close(),
  };
}
