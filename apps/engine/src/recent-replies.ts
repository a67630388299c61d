import type { CommandReply } from "@ox/contracts/pipeline";

/**
 * The replies of the most recently applied commands, by envelope id. Part of every snapshot, so a
 * command redelivered after a crash gets its first reply again and is never applied twice.
 * Bounded: only the last in-flight batches can be redelivered, so a few thousand entries suffice.
 */
export interface RecentReplies {
  get(envelopeId: string): CommandReply | undefined;
  remember(envelopeId: string, reply: CommandReply): void;
  entries(): [string, CommandReply][];
  readonly size: number;
}

export function createRecentReplies(limit: number, initial: [string, CommandReply][] = []): RecentReplies {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`recent-replies limit must be ≥ 1, got ${limit}`);
  const byId = new Map<string, CommandReply>();
  const remember = (envelopeId: string, reply: CommandReply) => {
    byId.delete(envelopeId);
    byId.set(envelopeId, reply);
    // Maps iterate in insertion order: the first key is the oldest.
    while (byId.size > limit) byId.delete(byId.keys().next().value as string);
  };
  for (const [id, reply] of initial) remember(id, reply);
  return {
    get: (envelopeId) => byId.get(envelopeId),
    remember,
    entries: () => [...byId.entries()],
    get size() {
      return byId.size;
    },
  };
}
