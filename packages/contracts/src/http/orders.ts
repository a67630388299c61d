import { z } from "zod";
import { ClientOrderId, MarketId, OrderId } from "./text.ts";

const Paise = z.number().int();
const PricePaise = z.number().int().min(1).max(999).meta({
  description: "Paise per share in the order's own outcome; a multiple of the market tick (default 50)",
  example: 650,
});

const TimeInForce = z.enum(["GTC", "GTD", "IOC", "FOK"]).meta({
  description: "GTC rests until filled or cancelled; GTD rests until `expiresAt`; IOC and FOK never rest",
});
/** Epoch ms, up to the end of year 9999. */
const ExpiresAt = z.number().int().min(1).max(253_402_300_799_999);
const SelfTradePrevention = z.enum(["CANCEL_RESTING", "CANCEL_TAKER"]).meta({
  description:
    "When this order would trade with one of your own resting orders: CANCEL_RESTING (the default; Kalshi's `maker`) cancels that resting order and goes on matching; CANCEL_TAKER (Kalshi's `taker_at_cross`) cancels the rest of this order there and leaves the resting one",
});

export const PlaceOrderRequest = z
  .object({
    marketId: MarketId,
    outcome: z.enum(["YES", "NO"]),
    side: z.enum(["BUY", "SELL"]),
    type: z.enum(["LIMIT", "MARKET"]),
    pricePaise: PricePaise.optional().meta({
      description: "LIMIT: the limit price. MARKET: optional worst price",
    }),
    quantity: z.number().int().min(1).max(1_000_000).meta({ example: 10 }),
    timeInForce: TimeInForce.optional(),
    expiresAt: ExpiresAt.optional().meta({
      description:
        "GTD only, and required there: epoch ms from which the order no longer trades; it then closes EXPIRED and its lock is released. Must be later than the time the exchange receives the order (else 400 INVALID_EXPIRY)",
      example: 1_796_200_000_000,
    }),
    selfTradePrevention: SelfTradePrevention.optional(),
    postOnly: z.boolean().optional(),
    maxCostPaise: z
      .number()
      .int()
      .positive()
      .max(10_000_000_000)
      .optional()
      .meta({ description: "MARKET BUY only: cap on paise spent, fees included" }),
    clientOrderId: ClientOrderId.optional().meta({
      description: "Unique per user; a repeat returns the first result and never places a second order",
    }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.type === "LIMIT" && body.pricePaise === undefined)
      ctx.addIssue({ code: "custom", path: ["pricePaise"], message: "required for LIMIT" });
    if (body.type === "LIMIT" && body.maxCostPaise !== undefined)
      ctx.addIssue({ code: "custom", path: ["maxCostPaise"], message: "MARKET BUY only" });
    if (body.type === "MARKET" && (body.timeInForce === "GTC" || body.timeInForce === "GTD"))
      ctx.addIssue({ code: "custom", path: ["timeInForce"], message: "MARKET is IOC or FOK" });
    const tif = body.timeInForce ?? (body.type === "LIMIT" ? "GTC" : "IOC");
    if (body.postOnly && (body.type !== "LIMIT" || (tif !== "GTC" && tif !== "GTD"))) {
      ctx.addIssue({ code: "custom", path: ["postOnly"], message: "only on a LIMIT GTC or GTD order" });
    }
    if (tif === "GTD" && body.expiresAt === undefined)
      ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "required for GTD" });
    if (tif !== "GTD" && body.expiresAt !== undefined)
      ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "only with timeInForce GTD" });
    if (body.maxCostPaise !== undefined && body.side !== "BUY")
      ctx.addIssue({ code: "custom", path: ["maxCostPaise"], message: "MARKET BUY only" });
  })
  .meta({ id: "PlaceOrderRequest" });

export const FillView = z
  .object({
    tradeSeq: z.number().int(),
    kind: z.enum(["TRANSFER", "MINT", "MERGE"]),
    qty: z.number().int(),
    pricePaise: Paise,
    feePaise: Paise,
  })
  .meta({ id: "OrderFill" });

export const OrderView = z
  .object({
    id: z.string(),
    marketId: z.string(),
    clientOrderId: z.string().nullable(),
    outcome: z.enum(["YES", "NO"]),
    side: z.enum(["BUY", "SELL"]),
    type: z.enum(["LIMIT", "MARKET"]),
    timeInForce: TimeInForce,
    expiresAt: ExpiresAt.nullable().meta({ description: "GTD: when it stops trading (epoch ms); else null" }),
    selfTradePrevention: SelfTradePrevention,
    postOnly: z.boolean(),
    pricePaise: Paise,
    quantity: z.number().int(),
    status: z.enum(["OPEN", "FILLED", "CANCELLED", "EXPIRED", "REJECTED"]),
    filledQty: z.number().int(),
    remainingQty: z.number().int(),
    filledValuePaise: Paise,
    avgPricePaise: Paise.nullable().meta({
      description: "filledValuePaise / filledQty rounded to the paisa; null before a fill",
    }),
    feesPaise: Paise,
    createdAt: z.number().int(),
  })
  .meta({ id: "Order" });

export const PlacedOrder = OrderView.extend({ fills: z.array(FillView) }).meta({ id: "PlacedOrder" });
export const PlaceOrderResponse = z
  .object({ order: PlacedOrder, duplicate: z.boolean() })
  .meta({ id: "PlaceOrderResponse" });
export const PendingOrderResponse = z
  .object({ order: z.object({ id: z.string(), status: z.literal("PENDING") }) })
  .meta({
    id: "PendingOrder",
    description: "Queued; the engine had not answered in time. Poll GET /orders/{id}.",
  });
export const OrderResponse = z.object({ order: OrderView }).meta({ id: "OrderResponse" });
export const OrdersResponse = z
  .object({
    orders: z.array(OrderView),
    nextBefore: z.string().nullable().meta({
      description: "Opaque cursor (the last row's createdAt and id): pass it as `before` for the next page",
    }),
  })
  .meta({ id: "Orders" });
export const OrdersQuery = z.object({
  status: z.enum(["open", "closed", "all"]).default("all"),
  marketId: MarketId.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional()
    .meta({ description: "The previous page's `nextBefore` (opaque; a bare createdAt is accepted too)" }),
});
export const OrderIdParam = z.object({
  id: OrderId,
});

/**
 * PATCH /orders/{id}: change a resting order's price and/or remaining quantity (engine SEMANTICS.md
 * "AMEND_ORDER"). Lowering the quantity at the same price keeps time priority; any other change
 * re-queues the order at the back of its level and it may trade at once if it now crosses.
 */
export const AmendOrderRequest = z
  .object({
    pricePaise: PricePaise.optional().meta({ description: "The new limit price (absent: unchanged)" }),
    quantity: z.number().int().min(1).max(1_000_000).optional().meta({
      description:
        "The new remaining quantity (absent: unchanged); the order's quantity becomes filledQty + this",
      example: 5,
    }),
    clientAmendId: ClientOrderId.optional().meta({
      description:
        "Unique per user (its own namespace); a repeat returns the first result and amends nothing",
    }),
  })
  .strict()
  .refine((b) => b.pricePaise !== undefined || b.quantity !== undefined, {
    message: "give pricePaise, quantity or both",
    path: ["quantity"],
  })
  .meta({ id: "AmendOrderRequest" });
export const AmendOrderResponse = z
  .object({
    order: PlacedOrder.meta({ description: "The order after the amend; fills: what it traded in the amend" }),
    duplicate: z.boolean(),
  })
  .meta({ id: "AmendOrderResponse" });

/** Most orders one POST /orders/batch may carry (Kalshi's BatchCreateOrders allows 20). */
export const ORDER_BATCH_MAX = 20;
/** Most ids one DELETE /orders/batch may carry. */
export const CANCEL_BATCH_MAX = 100;

/** One item's failure in a batch answer; the other items are unaffected. */
export const BatchItemError = z
  .object({
    error: z.object({
      code: z.string().meta({ example: "INSUFFICIENT_FUNDS" }),
      message: z.string(),
    }),
  })
  .meta({ id: "BatchItemError" });

/** A JSON object (not null, not an array): what z.record(z.string(), z.unknown()) accepted. */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const PlaceOrdersBatchRequest = z
  .object({
    orders: z
      .array(
        // Each item is checked on its own (a bad one is an error result, never a 400 for all), so
        // the envelope takes any object here; the document still names the item's schema, and
        // the input type is a POST /orders body, so typed clients get their items checked. A
        // custom check, not z.record: the record walks and copies every key of every item only
        // for the item's own schema to walk them again (about 10 µs of a 20-order batch).
        z.custom<Record<string, unknown>>(isPlainObject, { message: "Invalid input: expected object" }).meta({
          type: "object",
          additionalProperties: { nullable: true },
          allOf: [{ $ref: "#/components/schemas/PlaceOrderRequest" }],
        }) as unknown as z.ZodType<Record<string, unknown>, z.input<typeof PlaceOrderRequest>>,
      )
      .min(1)
      .max(ORDER_BATCH_MAX),
  })
  .strict()
  .meta({
    id: "PlaceOrdersBatchRequest",
    description: `Up to ${ORDER_BATCH_MAX} bodies of POST /orders, applied in this order in one engine round trip`,
  });
export const PlaceOrdersBatchResponse = z
  .object({
    results: z.array(
      z.union([
        z.object({ order: PlacedOrder, duplicate: z.boolean() }),
        PendingOrderResponse,
        BatchItemError,
      ]),
    ),
  })
  .meta({
    id: "PlaceOrdersBatchResponse",
    description:
      "One result per order, in request order: the placed order (as POST /orders answers 201), PENDING when the engine did not answer in time, or an error",
  });

export const CancelOrdersBatchRequest = z
  .object({ ids: z.array(z.string()).min(1).max(CANCEL_BATCH_MAX) })
  .strict()
  .meta({
    id: "CancelOrdersBatchRequest",
    description: `Up to ${CANCEL_BATCH_MAX} ids of your open orders, cancelled in this order in one engine round trip`,
  });
export const CancelOrdersBatchResponse = z
  .object({ results: z.array(z.union([OrderResponse, PendingOrderResponse, BatchItemError])) })
  .meta({
    id: "CancelOrdersBatchResponse",
    description: "One result per id, in request order: the cancelled order, PENDING, or an error",
  });
