/**
 * The trading socket (README "Trading programmatically"): a plain WebSocket at TRADING_SOCKET_PATH
 * on the API's port, for programs in any language (no Socket.io client needed). JSON text frames.
 *
 * Handshake: `GET /api/v1/ws` with the API-key signature headers (OX-ACCESS-*, signed over
 * `<ts>GET/api/v1/ws`) or the session cookie; refused as the HTTP API refuses (401/403 + code).
 * A key needs the `read` scope to connect and to subscribe, `trade` to place or cancel.
 *
 * Client → server: every message has an `id` (the client's, echoed in its `ack` or `error`).
 * Messages are handled one at a time in the order sent. Orders go through the HTTP API's own
 * handlers (validation, rate limits, idempotency by clientOrderId), so an ack's `result` is exactly
 * the body the matching HTTP call answers with.
 *
 * Server → client: every message carries `seq`, this connection's counter (1, 2, 3, …). It never
 * skips: a gap means messages were lost (a bug or a broken proxy), and the client resyncs by
 * resubscribing (a fresh `book` snapshot) and reading GET /orders?status=open. `book_delta`s of a
 * market also carry the book's own `data.seq`, which follows the `book` snapshot's `data.seq`.
 */
import { z } from "zod";
import { MarketId, OrderId } from "./http/text.ts";
import { BookDeltaMsg, BookMsg, FillMsg } from "./socket.ts";

export const TRADING_SOCKET_PATH = "/api/v1/ws";
/** A client message longer than this (bytes) is refused with VALIDATION_ERROR. */
export const TRADING_SOCKET_MAX_MESSAGE_BYTES = 64 * 1024;
/** Client messages queued on one connection, unanswered; the next is refused with RATE_LIMITED. */
export const TRADING_SOCKET_MAX_QUEUED = 100;
/** Markets one connection may follow at once. */
export const TRADING_SOCKET_MAX_BOOKS = 50;
/** WebSocket close codes the server uses (beside 1000 and 1001 on shutdown). */
export const TRADING_SOCKET_CLOSE = {
  /** The key was revoked or the session ended. */
  UNAUTHENTICATED: 4001,
  /** The client did not read its messages fast enough (unsent data beyond 4 MiB). */
  SLOW_CONSUMER: 4008,
} as const;

/** The client's id of a message: echoed in its ack or error. */
export const SocketMessageId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only");

/**
 * The order of a `place` is exactly a POST /orders body (PlaceOrderRequest); it is validated by
 * that route, so its errors are the route's.
 */
const PlaceMsg = z
  .object({ type: z.literal("place"), id: SocketMessageId, order: z.record(z.string(), z.unknown()) })
  .strict()
  .meta({ description: "POST /orders: `order` is a PlaceOrderRequest; ack result: PlaceOrderResponse" });
const CancelMsg = z
  .object({ type: z.literal("cancel"), id: SocketMessageId, orderId: OrderId })
  .strict()
  .meta({ description: "DELETE /orders/{orderId}; ack result: OrderResponse" });
const AmendMsg = z
  .object({
    type: z.literal("amend"),
    id: SocketMessageId,
    orderId: OrderId,
    amend: z.record(z.string(), z.unknown()),
  })
  .strict()
  .meta({
    description: "PATCH /orders/{orderId}: `amend` is an AmendOrderRequest; ack result: AmendOrderResponse",
  });
const CancelAllMsg = z
  .object({ type: z.literal("cancel_all"), id: SocketMessageId, marketId: MarketId.optional() })
  .strict()
  .meta({ description: "DELETE /orders?marketId=…: ack result: CancelAllResponse (or PendingCancelAll)" });
const HeartbeatMsg = z
  .object({ type: z.literal("heartbeat"), id: SocketMessageId, timeoutMs: z.number().int() })
  .strict()
  .meta({
    description:
      "POST /heartbeat {timeoutMs}: arms or refreshes your dead-man switch (0 disarms); ack result: HeartbeatResponse. Closing the socket does not disarm it.",
  });
const SubscribeBook = z
  .object({
    type: z.literal("subscribe"),
    id: SocketMessageId,
    channel: z.literal("book"),
    marketId: MarketId,
  })
  .strict();
const SubscribeOrders = z
  .object({ type: z.literal("subscribe"), id: SocketMessageId, channel: z.literal("orders") })
  .strict();
const Unsubscribe = z
  .object({
    type: z.literal("unsubscribe"),
    id: SocketMessageId,
    channel: z.enum(["book", "orders"]),
    marketId: MarketId.optional(),
  })
  .strict();
const PingMsg = z.object({ type: z.literal("ping"), id: SocketMessageId }).strict();

export const TradingClientMessage = z
  .union([
    PlaceMsg,
    CancelMsg,
    AmendMsg,
    CancelAllMsg,
    HeartbeatMsg,
    SubscribeBook,
    SubscribeOrders,
    Unsubscribe,
    PingMsg,
  ])
  .meta({ id: "TradingClientMessage" });
export type TradingClientMessage = z.infer<typeof TradingClientMessage>;
export type TradingOp = TradingClientMessage["type"];

const Seq = z.number().int().min(1).meta({ description: "This connection's message counter" });

/** The answer to one client message; `result` is the HTTP answer's body for the order messages. */
export const TradingAck = z
  .object({
    type: z.literal("ack"),
    id: SocketMessageId,
    seq: Seq,
    op: z.enum(["place", "cancel", "amend", "cancel_all", "heartbeat", "subscribe", "unsubscribe"]),
    result: z.unknown(),
  })
  .meta({ id: "TradingAck" });

/** A refused message (id = its id; null when the message had none readable). State is unchanged. */
export const TradingError = z
  .object({
    type: z.literal("error"),
    id: SocketMessageId.nullable(),
    seq: Seq,
    error: z.object({
      code: z.string().meta({ description: "An ERROR_CODES code, or TRADING_SOCKET_ERROR_CODES" }),
      message: z.string(),
      retryAfterSec: z.number().int().optional(),
    }),
  })
  .meta({ id: "TradingError" });

/** Codes only the socket uses (every other code is the HTTP API's ERROR_CODES). */
export const TRADING_SOCKET_ERROR_CODES = ["TOO_MANY_SUBSCRIPTIONS", "SNAPSHOT_STALE"] as const;

/** One of your orders changed: accepted, rejected, amended, or closed (filled, cancelled, expired). */
export const OrderEventMsg = z
  .discriminatedUnion("event", [
    z.object({
      event: z.literal("accepted"),
      orderId: z.string(),
      marketId: z.string(),
      clientOrderId: z.string().nullable(),
      outcome: z.enum(["YES", "NO"]),
      side: z.enum(["BUY", "SELL"]),
      type: z.enum(["LIMIT", "MARKET"]),
      pricePaise: z.number().int(),
      quantity: z.number().int(),
      ts: z.number().int(),
    }),
    z.object({
      event: z.literal("rejected"),
      orderId: z.string(),
      marketId: z.string(),
      clientOrderId: z.string().nullable(),
      code: z.string(),
      ts: z.number().int(),
    }),
    z.object({
      event: z.literal("amended"),
      orderId: z.string(),
      marketId: z.string(),
      clientAmendId: z.string().nullable(),
      pricePaise: z.number().int(),
      quantity: z.number().int().meta({ description: "filledQty + remainingQty after the amend" }),
      remainingQty: z.number().int(),
      priorityKept: z.boolean().meta({ description: "false: re-queued at the back (it may have traded)" }),
      ts: z.number().int(),
    }),
    z.object({
      event: z.literal("closed"),
      orderId: z.string(),
      marketId: z.string(),
      status: z.enum(["FILLED", "CANCELLED", "EXPIRED"]),
      reason: z.string(),
      filledQty: z.number().int(),
      cancelledQty: z.number().int(),
      ts: z.number().int(),
    }),
  ])
  .meta({ id: "OrderEventMsg" });
export type OrderEventMsg = z.infer<typeof OrderEventMsg>;

export const TradingServerMessage = z
  .discriminatedUnion("type", [
    TradingAck,
    TradingError,
    z.object({ type: z.literal("pong"), id: SocketMessageId, seq: Seq }),
    /** `subscribe` book: the whole book, before its deltas. */
    z.object({ type: z.literal("book"), seq: Seq, data: BookMsg }),
    z.object({ type: z.literal("book_delta"), seq: Seq, data: BookDeltaMsg }),
    /** `subscribe` orders: one side of a trade of yours. */
    z.object({ type: z.literal("fill"), seq: Seq, data: FillMsg }),
    z.object({ type: z.literal("order"), seq: Seq, data: OrderEventMsg }),
  ])
  .meta({ id: "TradingServerMessage" });
export type TradingServerMessage = z.infer<typeof TradingServerMessage>;
