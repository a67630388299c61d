import { z } from "zod";
import { MarketId } from "./text.ts";

/**
 * Cancel all (DELETE /orders) and the cancel-on-disconnect switch (POST/DELETE/GET /heartbeat):
 * what a program needs to pull its quotes at once, or to have them pulled when it goes silent.
 */

export const CancelAllQuery = z.object({
  marketId: MarketId.optional().meta({ description: "Only this market; absent: every market" }),
});
export const CancelAllResponse = z
  .object({
    cancelled: z.array(z.string()).meta({
      description: "Ids of the orders this request cancelled (empty when none was open)",
    }),
  })
  .meta({ id: "CancelAllResponse" });
export const PendingCancelAllResponse = z.object({ status: z.literal("PENDING") }).meta({
  id: "PendingCancelAll",
  description: "Queued; the engine had not answered in time. GET /orders?status=open shows the outcome.",
});

/** Bounds of a dead-man switch's timeout (Polymarket's heartbeat is ~10 s; Kalshi FIX's is per session). */
export const HEARTBEAT_MIN_MS = 5_000;
export const HEARTBEAT_MAX_MS = 60_000;

export const HeartbeatRequest = z
  .object({
    timeoutMs: z
      .number()
      .int()
      .refine((v) => v === 0 || (v >= HEARTBEAT_MIN_MS && v <= HEARTBEAT_MAX_MS), {
        message: `0 (disarm) or ${HEARTBEAT_MIN_MS}..${HEARTBEAT_MAX_MS}`,
      })
      .meta({
        description: `Cancel all your resting orders if no heartbeat arrives within this many ms (${HEARTBEAT_MIN_MS}–${HEARTBEAT_MAX_MS}); 0 disarms`,
        example: 10_000,
      }),
  })
  .strict()
  .meta({ id: "HeartbeatRequest" });
export const HeartbeatResponse = z
  .object({
    armed: z.boolean(),
    timeoutMs: z.number().int().nullable(),
    deadline: z.number().int().nullable().meta({
      description: "Epoch ms after which your resting orders are cancelled unless another heartbeat arrives",
    }),
    firedAt: z.number().int().nullable().meta({
      description:
        "Epoch ms at which this switch last fired (cancelled your orders), within the last 15 minutes",
    }),
  })
  .meta({ id: "HeartbeatResponse" });
