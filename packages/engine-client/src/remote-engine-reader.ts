import { randomUUID } from "node:crypto";
import type { PubSub } from "@ox/bus";
import { channels, type EngineQuery, type EngineQueryReply } from "@ox/contracts/pipeline";
import { createEngineReader, type EngineReader, EngineUnavailableError } from "./engine-reader.ts";

export interface RemoteEngineReaderOptions {
  pubsub: PubSub<unknown>;
  /** This API instance; answers come back on channels.queryReplies(instanceId). */
  instanceId: string;
  timeoutMs?: number;
}

export interface RemoteEngineReader extends EngineReader {
  close(): Promise<void>;
}

/** Distributed mode: request/reply over pub/sub to the engine process, bounded by a timeout. */
export function createRemoteEngineReader(options: RemoteEngineReaderOptions): RemoteEngineReader {
  const { pubsub } = options;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const replyTo = channels.queryReplies(options.instanceId);
  const waiting = new Map<string, (reply: EngineQueryReply) => void>();
  const subscribed = pubsub.subscribe(replyTo, (message) => {
    const reply = message as EngineQueryReply;
    waiting.get(reply?.id)?.(reply);
  });

  const reader = createEngineReader(async (kind, args) => {
    await subscribed;
    const id = randomUUID();
    const answer = new Promise<EngineQueryReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new EngineUnavailableError(`engine did not answer a ${kind} query within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(reply);
      });
    });
    const query: EngineQuery = { id, replyTo, kind, args };
    await pubsub.publish(channels.queries, query).catch((cause) => {
      waiting.get(id)?.({ id, ok: false, result: null, error: String(cause) });
    });
    const reply = await answer;
    if (!reply.ok)
      throw new EngineUnavailableError(`engine query ${kind} failed: ${reply.error ?? "unknown error"}`);
    return reply.result;
  });

  return {
    ...reader,
    async close() {
      const unsubscribe = await subscribed;
      await unsubscribe();
    },
  };
}
