/**
 * Embedded mode's in-process queue and pub/sub hand an object from one side to the other without
 * a JSON copy when both use the default codec (memory-queue.ts, memory-pubsub.ts). Neither side may
 * then change it. Under NODE_ENV=test (bun test, vitest) every shared message is deep-frozen, so a
 * write to one throws in the tests instead of reaching the other side.
 */
const freezeShared = process.env.NODE_ENV === "test";

/** The message, frozen all the way down when the tests run; as it is otherwise. */
export function shared<T>(message: T): T {
  if (freezeShared) deepFreeze(message, new Set());
  return message;
}

function deepFreeze(value: unknown, seen: Set<object>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v, seen);
}
