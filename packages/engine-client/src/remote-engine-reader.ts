import { randomUUID } from "node:crypto";
import { type PubSub, withTimeout } from "@ox/bus";
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
  let subscribed: Promise<() => Promise<void>> | null = null;
  const ensureSubscribed = () => {
    subscribed ??= pubsub
      .subscribe(replyTo, (message) => {
        const reply = message as EngineQueryReply;
        waiting.get(reply?.id)?.(reply);
      })
      .catch((err) => {
        subscribed = null; // Redis was down: the next query subscribes again
        throw err;
      });
    return subscribed;
  };
  ensureSubscribed().catch(() => {}); // early; a failure is retried by the first query

  const unavailable = (what: string) => (err: unknown) => {
    throw new EngineUnavailableError(`${what}: ${(err as Error)?.message ?? err}`);
  };

  const reader = createEngineReader(async (kind, args) => {
    await withTimeout(ensureSubscribed(), timeoutMs, "query reply channel subscribe").catch(
      unavailable("engine unreachable"),
    );
    const id = randomUUID();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = new Promise<EngineQueryReply>((resolve, reject) => {
      timer = setTimeout(() => {
        waiting.delete(id);
        reject(new EngineUnavailableError(`engine did not answer a ${kind} query within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(reply);
      });
    });
    answer.catch(() => {}); // awaited below; never an unhandled rejection while the publish hangs
    const query: EngineQuery = { id, replyTo, kind, args };
    try {
      await withTimeout(pubsub.publish(channels.queries, query), timeoutMs, "engine query publish");
    } catch (cause) {
      clearTimeout(timer);
      waiting.delete(id);
      throw new EngineUnavailableError(
        `engine query ${kind} not sent: ${(cause as Error)?.message ?? cause}`,
      );
    }
    const reply = await answer;
    if (!reply.ok)
      throw new EngineUnavailableError(`engine query ${kind} failed: ${reply.error ?? "unknown error"}`);
    return reply.result;
  });

  return {
    ...reader,
    async close() {
      const unsubscribe = await subscribed?.catch(() => null);
      await unsubscribe?.();
    },
  };
}
