/**
 * The persister's health, read fresh at every call: its committed offset against the log's END
 * offset as it is now (Kafka's high watermark through the admin client, the file journal's end, or
 * the engine's log offset), never a cached value. Reusable by any process that can read both
 * numbers: the embedded platform (in-process persister), the distributed API (consumer_offsets in
 * Postgres and the engine's stats) and health/readiness code that builds on it.
 *
 *   ok       lag ≤ maxLag and, if lag > 0, the offset advanced within stuckAfterMs
 *   lagging  lag > maxLag but the offset is advancing
 *   stuck    lag > 0 and the offset has not moved for stuckAfterMs
 */

export type PersisterState = "ok" | "lagging" | "stuck";

export interface PersisterHealth {
  state: PersisterState;
  /** Next log offset the persister will write (everything before it is in Postgres). */
  offset: number;
  /** The log's end offset, read for this call. */
  endOffset: number;
  lag: number;
  /** How long the offset has not moved (0 when it moved since the last read or lag is 0). */
  stalledMs: number;
  /** Records quarantined so far (dead-letter table), when the source knows it. */
  quarantined?: number;
}

export interface PersisterHealthOptions {
  /** The persister's committed offset now. */
  offset: () => number | Promise<number>;
  /** The log's end offset now (Kafka high watermark, journal end). */
  endOffset: () => number | Promise<number>;
  quarantined?: () => number | Promise<number>;
  /** Lag (records) above which the persister counts as lagging. Default 10 000. */
  maxLag?: number;
  /** With lag > 0, no progress for this long counts as stuck. Default 15 s. */
  stuckAfterMs?: number;
  now?: () => number;
}

export const PERSISTER_HEALTH_DEFAULTS = { maxLag: 10_000, stuckAfterMs: 15_000 } as const;

export interface PersisterHealthProbe {
  read(): Promise<PersisterHealth>;
}

export function createPersisterHealth(options: PersisterHealthOptions): PersisterHealthProbe {
  const now = options.now ?? Date.now;
  const maxLag = options.maxLag ?? PERSISTER_HEALTH_DEFAULTS.maxLag;
  const stuckAfterMs = options.stuckAfterMs ?? PERSISTER_HEALTH_DEFAULTS.stuckAfterMs;
  let lastOffset = -1;
  let movedAt = 0;
  return {
    async read() {
      const [offset, endOffset, quarantined] = await Promise.all([
        options.offset(),
        options.endOffset(),
        options.quarantined?.(),
      ]);
      const t = now();
      if (offset !== lastOffset) {
        lastOffset = offset;
        movedAt = t;
      }
      const lag = Math.max(0, endOffset - offset);
      const stalledMs = lag === 0 ? 0 : t - movedAt;
      const state: PersisterState =
        lag > 0 && stalledMs >= stuckAfterMs ? "stuck" : lag > maxLag ? "lagging" : "ok";
      return {
        state,
        offset,
        endOffset,
        lag,
        stalledMs,
        ...(quarantined === undefined ? {} : { quarantined }),
      };
    },
  };
}

/** For a `/health` check map: resolves when ok, throws (→ degraded, 503) when lagging or stuck. */
export function persisterHealthCheck(probe: PersisterHealthProbe): () => Promise<void> {
  return async () => {
    const h = await probe.read();
    if (h.state !== "ok")
      throw new Error(
        `persister ${h.state}: lag ${h.lag} records, no progress for ${Math.round(h.stalledMs / 1000)} s`,
      );
  };
}
