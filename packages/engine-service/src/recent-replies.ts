import type { CommandReply } from "@ox/contracts/pipeline";

/**
 * The replies of the most recently applied commands, by envelope id. Part of every snapshot, so a
 * command redelivered after a crash gets its first reply again and is never applied twice.
 * Bounded: only the last in-flight batches can be redelivered, so a few thousand entries suffice.
 */
export interface RecentReplies {
  get(envelopeId: string): CommandReply | undefined;
  remember(envelopeId: string, reply: CommandReply): void;
  /** Oldest first. */
  entries(): [string, CommandReply][];
  readonly size: number;
}

export function createRecentReplies(limit: number, initial: [string, CommandReply][] = []): RecentReplies {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`recent-replies limit must be ≥ 1, got ${limit}`);
  const byId = new Map<string, CommandReply>();
  // A ring of ids in arrival order evicts the oldest in O(1); evicting through the Map's own
  // iteration order degrades badly after many deletes.
  const ring: (string | undefined)[] = new Array(limit);
  let next = 0;
  const remember = (envelopeId: string, reply: CommandReply) => {
    if (byId.has(envelopeId)) {
      byId.set(envelopeId, reply);
      return;
    }
    const evicted = ring[next];
    if (evicted !== undefined) byId.delete(evicted);
    ring[next] = envelopeId;
    next = (next + 1) % limit;
    byId.set(envelopeId, reply);
  };
  for (const [id, reply] of initial) remember(id, reply);
  return {
    get: (envelopeId) => byId.get(envelopeId),
    remember,
    entries() {
      const out: [string, CommandReply][] = [];
      for (let i = 0; i < limit; i++) {
        const id = ring[(next + i) % limit];
        if (id !== undefined) out.push([id, byId.get(id) as CommandReply]);
      }
      return out;
    },
    get size() {
      return byId.size;
    },
  };
}
