/**
 * Where a sharded deployment's persister stands: one consumer_offsets row per shard topic, named
 * `persister:${EVENT_TOPIC}.${shard}:0` (the single engine's row is `persister:${EVENT_TOPIC}:0`).
 */
import { createPersisterHealth, type PersisterHealthProbe } from "@ox/bus";
import { consumerOffsets, type Db } from "@ox/db";
import type { ShardMap } from "@ox/engine/shards";
import { inArray } from "drizzle-orm";
import type { EngineReader } from "./engine-reader.ts";
import { allShards, shardTopic } from "./shard-routing.ts";

export const shardPersisterName = (topic: string, shard: string) => `persister:${shardTopic(topic, shard)}:0`;

/** The persisted offset of every shard's topic (0 for one never persisted), by shard. */
export async function persistedShardOffsets(
  db: Db,
  map: ShardMap,
  topic: string,
): Promise<Map<string, number>> {
  const names = new Map(allShards(map).map((s) => [shardPersisterName(topic, s), s]));
  const rows = await db
    .select({ name: consumerOffsets.name, offset: consumerOffsets.offset })
    .from(consumerOffsets)
    .where(inArray(consumerOffsets.name, [...names.keys()]));
  const out = new Map(allShards(map).map((s) => [s, 0]));
  for (const r of rows) out.set(names.get(r.name) as string, r.offset);
  return out;
}

/**
 * True once the persister has reached every shard's log end as the shards report it (their
 * `stats().shards[].logOffset`): what "the persister caught up" means with N + M topics.
 */
export async function persisterCaughtUp(db: Db, map: ShardMap, topic: string, reader: EngineReader) {
  const [stats, offsets] = await Promise.all([reader.stats(), persistedShardOffsets(db, map, topic)]);
  return (stats.shards ?? []).every((s) => (offsets.get(s.shard) ?? 0) >= s.logOffset);
}

/** /health and /admin/stats' persister figures over every shard topic: offsets and ends summed. */
export function shardedPersisterHealth(options: {
  db: Db;
  map: ShardMap;
  topic: string;
  reader: EngineReader;
  maxLag?: number;
  stuckAfterMs?: number;
}): PersisterHealthProbe {
  const { db, map, topic, reader } = options;
  return createPersisterHealth({
    offset: async () => {
      let n = 0;
      for (const o of (await persistedShardOffsets(db, map, topic)).values()) n += o;
      return n;
    },
    endOffset: async () => (await reader.stats()).logOffset,
    maxLag: options.maxLag,
    stuckAfterMs: options.stuckAfterMs,
  });
}
