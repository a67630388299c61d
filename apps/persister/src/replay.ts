import type { EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { createEngine, type Engine } from "@ox/engine";

export interface Replayed {
  engine: Engine;
  records: number;
  /** First offset whose replay gave other events than the log holds (a non-deterministic engine or a damaged log). */
  divergedAt: number | null;
}

/** A fresh engine fed the log's commands [0, upTo): the engine state the persisted rows describe. */
export async function replayLog(log: EventLog<LogRecord>, upTo: number, chunk = 5_000): Promise<Replayed> {
  const engine = createEngine();
  let divergedAt: number | null = null;
  let offset = 0;
  while (offset < upTo) {
    const entries = await log.read(offset, Math.min(chunk, upTo - offset));
    if (entries.length === 0) break;
    for (const { offset: at, record } of entries) {
      const result = engine.apply(record.command);
      if (
        divergedAt === null &&
        (result.code !== record.code || JSON.stringify(result.events) !== JSON.stringify(record.events))
      ) {
        divergedAt = at;
      }
    }
    offset = entries.at(-1)!.offset + 1;
  }
  return { engine, records: offset, divergedAt };
}
