import type { CommandQueue } from "@ox/bus";
import type { CommandEnvelope } from "@ox/contracts";
import { createOutboxRepo, type Db } from "@ox/db";
import type { Command } from "@ox/engine";
import type { EngineGateway } from "@ox/engine-client";
import type { Logger } from "pino";
import type { Clock } from "./deps.ts";
import { createPoller } from "./poller.ts";

export interface OutboxRelayOptions {
  db: Db;
  queue: CommandQueue<CommandEnvelope>;
  /**
   * Wait for the engine's reply (its durable result) before marking a row SENT, instead of for the
   * queue's acceptance. Embedded mode: the in-process queue is memory, so a row marked SENT on
   * acceptance and lost in a kill -9 before the engine journaled it was never delivered.
   */
  confirmWith?: EngineGateway;
  clock: Clock;
  logger: Logger;
  /** Poll interval when idle; a kick() runs a pass at once. */
  intervalMs?: number;
  /**
   * A send (or, with `confirmWith`, a reply) that takes longer counts as failed: the row stays
   * PENDING and is resent later. Default 2 s, 5 s with `confirmWith`.
   */
  sendTimeoutMs?: number;
  batchSize?: number;
  maxBackoffMs?: number;
}

export interface OutboxRelay {
  start(): void;
  kick(): void;
  /** One pass; resolves with the rows sent. For tests and shutdown. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`send timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Delivers outbox rows to the engine's command queue in order, until the queue accepts each one
 * (or, with `confirmWith`, until the engine answered it). Never gives up: a failing queue only
 * backs off (capped), and login never waits for it. The envelope id is the outbox id and a CREDIT's
 * ref is the outbox id too, so resends are harmless: the engine applies each row once.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const repo = createOutboxRepo(options.db);
  const intervalMs = options.intervalMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const confirm = options.confirmWith;
  const pass = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const now = options.clock.now();
      const result = await repo.relayBatch(
        options.batchSize ?? 200,
        now,
        async (row) => {
          // A CREDIT carries its row's creation time on every send, so a resend after the engine's
          // idempotency window is refused (STALE_REF) rather than applied twice (engine SEMANTICS.md).
          const ts = row.command.type === "CREDIT" ? row.createdAt : options.clock.now();
          const command = { ...row.command, ts } as Command;
          if (confirm) {
            // Any answer counts: applied, or refused as already applied (a resend). Both are durable.
            await confirm.execute(command, { id: row.id, timeoutMs: options.sendTimeoutMs ?? 5_000 });
            return;
          }
          await withTimeout(
            options.queue.send({ id: row.id, replyTo: null, command }),
            options.sendTimeoutMs ?? 2_000,
          );
        },
        (attempts) => now + Math.min(maxBackoffMs, 100 * 2 ** Math.min(attempts, 16)),
      );
      if (!result) return total;
      total += result.sent;
      if (result.failed) {
        options.logger.warn({ sent: total }, "outbox relay: queue refused a command; will retry");
        return total;
      }
      if (result.sent < (options.batchSize ?? 200)) return total;
    }
  };

  const poller = createPoller({
    intervalMs,
    pass,
    onError: (err) => options.logger.error({ err }, "outbox relay pass failed"),
  });
  return {
    start: poller.start,
    kick() {
      void poller.run();
    },
    drain: poller.drain,
    stop: poller.stop,
  };
}
