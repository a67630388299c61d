import { z } from "zod";
import { lineText, multilineText } from "./text.ts";

const Paise = z.number().int();
export const AdminUsersQuery = z.object({
  q: lineText(0, 64)
    .default("")
    .meta({ description: "Part of a phone number, or a user id; empty lists the newest" }),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const AdminUser = z
  .object({
    id: z.string(),
    phone: z.string(),
    role: z.enum(["USER", "ADMIN"]),
    referralCode: z.string(),
    createdAt: z.number().int(),
    kycStatus: z.string().nullable(),
    balance: z.object({ availablePaise: Paise, lockedPaise: Paise }),
    positions: z.array(
      z.object({
        marketId: z.string(),
        title: z
          .string()
          .nullable()
          .meta({ description: "The market's title; null if not in the catalogue" }),
        yes: z.number().int(),
        no: z.number().int(),
        yesCostPaise: Paise,
        noCostPaise: Paise,
      }),
    ),
  })
  .meta({ id: "AdminUser" });
export const AdminUsersResponse = z.object({ users: z.array(AdminUser) }).meta({ id: "AdminUsers" });

export const CreateMarketRequest = z
  .object({
    title: lineText(5, 200),
    titleHi: lineText(0, 200)
      .optional()
      .meta({ description: "The title in Hindi, shown in Hindi mode; empty or absent shows the title" }),
    description: multilineText(5_000).default(""),
    category: lineText(2, 50),
    rules: multilineText(5_000).default(""),
    resolutionSource: lineText(0, 500).default(""),
    closeAt: z.number().int().positive().meta({ description: "Epoch ms; trading stops then" }),
    tickPaise: z
      .number()
      .int()
      .refine((t) => t > 0 && 1000 % t === 0, "must divide 1000")
      .default(50)
      .optional(),
    makerFeeBps: z.number().int().min(0).max(1_000).optional(),
    takerFeeBps: z.number().int().min(0).max(1_000).optional(),
  })
  .strict()
  .meta({ id: "CreateMarketRequest" });
export const ResolveMarketRequest = z
  .object({ outcome: z.enum(["YES", "NO", "VOID"]) })
  .strict()
  .meta({ id: "ResolveMarketRequest" });
export const MarketSettlementPreview = z
  .object({
    marketId: z.string(),
    status: z.enum(["OPEN", "CLOSED", "RESOLVED", "VOIDED"]),
    winningShares: z.number().int().meta({
      description: "Shares paid on YES or NO: the pairs outstanding (each YES share has a NO twin)",
    }),
    payoutPerSharePaise: z.number().int(),
    totalPaise: z.number().int().meta({
      description:
        "What resolving pays out now: winningShares × payoutPerSharePaise (VOID pays the same total)",
    }),
  })
  .meta({ id: "MarketSettlementPreview" });
export const AdminMarketCommandResult = z
  .object({ marketId: z.string(), status: z.enum(["APPLIED", "PENDING"]), code: z.string().nullable() })
  .meta({ id: "AdminMarketCommandResult" });

const Count = z.number().int().nullable();
export const ReconcileStatus = z
  .object({
    ok: z.boolean(),
    differences: z.number().int(),
    checkedAt: z.number().int(),
    error: z.string().optional(),
  })
  .meta({ id: "ReconcileStatus" });
export const SystemStats = z
  .object({
    commandQueueDepth: Count.meta({ description: "Commands waiting for the engine" }),
    engineSeq: Count.meta({ description: "The engine's last event seq" }),
    engineLogOffset: Count,
    ordersPlaced: Count.meta({ description: "PLACE_ORDER commands the engine applied since it started" }),
    persisterOffset: Count,
    persisterLag: Count.meta({
      description:
        "Log records the persister has not written to Postgres yet (against the log's end, read now)",
    }),
    persisterState: z.enum(["ok", "lagging", "stuck"]).nullable().meta({
      description: "stuck: lag > 0 and no progress for PERSISTER_STUCK_MS; lagging: lag > PERSISTER_MAX_LAG",
    }),
    persisterQuarantined: Count.meta({ description: "Log records quarantined (dead-letter table)" }),
    connectedSockets: Count,
    reconcile: ReconcileStatus.nullable().meta({
      description: "Engine vs Postgres, cached; null when not configured",
    }),
    unavailable: z.array(z.string()).meta({ description: "Sources that did not answer" }),
    checkedAt: z.number().int(),
  })
  .meta({ id: "SystemStats" });

const Sample = z.object({
  t: z.number().int(),
  orderRate: z.number().nullable().meta({ description: "Orders the engine applied per second" }),
  rtP50Ms: z.number().nullable().meta({ description: "Engine round trip (PLACE_ORDER) p50, this API" }),
  rtP99Ms: z.number().nullable(),
  queueDepth: Count,
  persisterLag: Count,
  sockets: Count,
});
export const HealthHistoryView = z
  .object({
    status: z.enum(["healthy", "degraded"]),
    reasons: z.array(z.string()),
    intervalMs: z.number().int(),
    limits: z
      .object({
        queueDepth: z.number().int(),
        persisterLag: z.number().int(),
        persisterStuckSamples: z.number().int(),
        rtP99Ms: z.number(),
      })
      .meta({ description: "Above these (or stuck this many samples) the verdict is degraded" }),
    samples: z.array(Sample),
    current: SystemStats.nullable(),
  })
  .meta({ id: "HealthHistory" });

export type SystemStats = z.infer<typeof SystemStats>;
