/**
 * The single engine's log as the persister reads it: a log record is one command's LogRecord, or a
 * LogBatch of a group commit's records (the distributed engine's default, ENGINE_LOG_FORMAT=batch);
 * a log may hold both (written before and after the switch). A LogBatch is read as one LogRecord,
 * as a shard's log record is (shard-log.ts): its events those of its commands in order, `orders`
 * the command each ORDER_REJECTED is about (the one thing plan.ts reads of a command). It persists
 * in one transaction and is quarantined whole if Postgres refuses it, holding the batch as logged.
 */
import type { EventLog, LogEntry } from "@ox/bus";
import { isLogBatch, type LogBatch, type LoggedRecord, type LogRecord } from "@ox/contracts/pipeline";
import type { PlaceOrderCommand } from "@ox/engine";

const commandsIn = (record: LoggedRecord) => (isLogBatch(record) ? record.batch.length : 1);

/** A LogBatch as one record; JSON.stringify of it (the quarantine's copy) gives the batch back. */
export function batchAsRecord(logged: LogBatch): LogRecord {
  const first = logged.batch[0];
  if (!first) throw new Error("an empty LogBatch in the event log");
  if (logged.batch.length === 1) return first;
  const events: LogRecord["events"] = [];
  let orders: Map<string, PlaceOrderCommand> | undefined;
  for (const r of logged.batch) {
    for (const e of r.events) {
      events.push(e);
      if (e.type !== "ORDER_REJECTED") continue;
      // As for one record per command: the command of the record the rejection is in. A later
      // rejection of the same order id wins, as it does in the plan's rows.
      orders ??= new Map();
      orders.set(e.orderId, r.command as PlaceOrderCommand);
    }
  }
  const record: LogRecord & { toJSON(): LogBatch } = {
    envelopeId: first.envelopeId,
    command: first.command,
    code: first.code,
    events,
    ...(first.requestId !== undefined && { requestId: first.requestId }),
    ...(orders && { orders }),
    toJSON: () => logged,
  };
  return record;
}

/**
 * `log` with every LogBatch read as one LogRecord. `read(from, max)` keeps `max` in commands, so a
 * transaction holds about as many as with one record per command: it asks for max / (commands
 * per record seen so far) records and hands back at least one, keeping what does not fit for the
 * next read (a reread of the same offsets would make a Kafka reader seek).
 */
export function batchLogView(log: EventLog<LoggedRecord>): EventLog<LogRecord> & { lastReadFull(): boolean } {
  let perRecord = 1;
  let held: LogEntry<LoggedRecord>[] = [];
  let full = false;
  return {
    /** The last read filled `max` (or the log gave all it was asked): more is probably there. */
    lastReadFull: () => full,
    append: () => Promise.reject(new Error("the persister's view of the event log is read-only")),
    endOffset: () => log.endOffset(),
    async read(from, max) {
      let entries = held.length > 0 && held[0]?.offset === from ? held : [];
      held = [];
      // What was kept back, topped up from the log to about `max` commands.
      let kept = 0;
      for (const e of entries) kept += commandsIn(e.record);
      let asked = 0;
      let got = 0;
      if (kept < max) {
        const last = entries[entries.length - 1];
        asked = Math.max(1, Math.ceil((max - kept) / perRecord));
        const more = await log.read(last ? last.offset + 1 : from, asked);
        got = more.length;
        entries = entries.length > 0 ? entries.concat(more) : more;
      }
      const out: LogEntry<LogRecord>[] = [];
      let commands = 0;
      for (let i = 0; i < entries.length; i++) {
        const { offset, record } = entries[i] as LogEntry<LoggedRecord>;
        const n = commandsIn(record);
        if (out.length > 0 && commands + n > max) {
          held = entries.slice(i);
          break;
        }
        commands += n;
        out.push({ offset, record: isLogBatch(record) ? batchAsRecord(record) : record });
      }
      if (out.length > 0) perRecord = Math.max(1, commands / out.length);
      full = held.length > 0 || commands >= max || (asked > 0 && got >= asked);
      return out;
    },
    idle: () => {
      held = [];
      log.idle?.();
    },
    close: () => log.close(),
  };
}
