import type * as Contracts from "@ox/contracts";
import type { z } from "zod";
import {
  type ClientOptions,
  createTransport,
  type OperationSpec,
  operation,
  type SchemaName,
} from "./client.ts";

export {
  API_PREFIX,
  ApiError,
  type ClientErrorCode,
  type ClientOptions,
  type Method,
  type Operation,
  type OperationSpec,
  type SchemaName,
  signatureClock,
  signedHeaders,
} from "./client.ts";

/**
 * Every operation of the HTTP API, grouped as the document's tags are. The coverage test
 * (apps/platform/test/client-coverage.test.ts) walks the served OpenAPI document and fails when
 * an operation is missing here, is here but not served, or names other schemas than the route.
 */
export function createClient(options: ClientOptions = {}) {
  const t = createTransport(options);
  return {
    /** The session cookie kept by a `keepCookies` client (undefined in a browser). */
    get cookie() {
      return t.cookie;
    },
    health: operation(t, { method: "GET", path: "/health", responses: ["HealthResponse"] }),
    auth: {
      requestOtp: operation(t, {
        method: "POST",
        path: "/auth/otp",
        body: "OtpRequest",
        responses: ["OtpResponse"],
      }),
      verify: operation(t, {
        method: "POST",
        path: "/auth/verify",
        body: "VerifyRequest",
        responses: ["UserResponse"],
      }),
      refresh: operation(t, { method: "POST", path: "/auth/refresh", responses: ["OkResponse"] }),
      logout: operation(t, { method: "POST", path: "/auth/logout", responses: ["OkResponse"] }),
      session: operation(t, { method: "GET", path: "/auth/session", responses: ["SessionResponse"] }),
      me: operation(t, { method: "GET", path: "/me", responses: ["MeResponse"] }),
    },
    wallet: {
      transactions: operation(t, {
        method: "GET",
        path: "/wallet/transactions",
        query: "TransactionsQuery",
        responses: ["TransactionsResponse"],
      }),
      deposit: operation(t, {
        method: "POST",
        path: "/wallet/deposits",
        body: "DepositRequest",
        responses: ["DepositResponse"],
      }),
      deposits: operation(t, {
        method: "GET",
        path: "/wallet/deposits",
        responses: ["DepositsResponse"],
      }),
      withdraw: operation(t, {
        method: "POST",
        path: "/wallet/withdrawals",
        body: "AmountRequest",
        responses: ["WithdrawalResponse"],
      }),
      withdrawals: operation(t, {
        method: "GET",
        path: "/wallet/withdrawals",
        responses: ["WithdrawalsResponse"],
      }),
    },
    webhooks: {
      payments: operation(t, {
        method: "POST",
        path: "/webhooks/payments",
        body: "DepositWebhook",
        responses: ["WebhookResponse"],
      }),
    },
    referrals: {
      get: operation(t, { method: "GET", path: "/referrals", responses: ["ReferralsResponse"] }),
      redeem: operation(t, {
        method: "POST",
        path: "/referrals/redeem",
        body: "RedeemRequest",
        responses: ["RedeemResponse"],
      }),
    },
    kyc: {
      get: operation(t, { method: "GET", path: "/kyc", responses: ["KycResponse"] }),
      submit: operation(t, { method: "POST", path: "/kyc", body: "KycRequest", responses: ["KycResponse"] }),
    },
    orders: {
      place: operation(t, {
        method: "POST",
        path: "/orders",
        body: "PlaceOrderRequest",
        responses: ["PlaceOrderResponse", "PendingOrderResponse"],
      }),
      list: operation(t, {
        method: "GET",
        path: "/orders",
        query: "OrdersQuery",
        responses: ["OrdersResponse"],
      }),
      get: operation(t, { method: "GET", path: "/orders/{id}", responses: ["OrderResponse"] }),
      cancel: operation(t, {
        method: "DELETE",
        path: "/orders/{id}",
        responses: ["OrderResponse", "PendingOrderResponse"],
      }),
      amend: operation(t, {
        method: "PATCH",
        path: "/orders/{id}",
        body: "AmendOrderRequest",
        responses: ["AmendOrderResponse", "PendingOrderResponse"],
      }),
      placeBatch: operation(t, {
        method: "POST",
        path: "/orders/batch",
        body: "PlaceOrdersBatchRequest",
        responses: ["PlaceOrdersBatchResponse"],
      }),
      cancelBatch: operation(t, {
        method: "DELETE",
        path: "/orders/batch",
        body: "CancelOrdersBatchRequest",
        responses: ["CancelOrdersBatchResponse"],
      }),
      /** Every open order of yours (or in `query.marketId` only), in one engine command. */
      cancelAll: operation(t, {
        method: "DELETE",
        path: "/orders",
        query: "CancelAllQuery",
        responses: ["CancelAllResponse", "PendingCancelAllResponse"],
      }),
    },
    /** The dead-man switch: arm/refresh (timeoutMs 0 disarms), read, disarm. */
    heartbeat: {
      send: operation(t, {
        method: "POST",
        path: "/heartbeat",
        body: "HeartbeatRequest",
        responses: ["HeartbeatResponse"],
      }),
      get: operation(t, { method: "GET", path: "/heartbeat", responses: ["HeartbeatResponse"] }),
      disarm: operation(t, { method: "DELETE", path: "/heartbeat", responses: ["HeartbeatResponse"] }),
    },
    portfolio: {
      get: operation(t, { method: "GET", path: "/portfolio", responses: ["PortfolioResponse"] }),
      fills: operation(t, {
        method: "GET",
        path: "/portfolio/fills",
        query: "FillsQuery",
        responses: ["FillsResponse"],
      }),
      pnl: operation(t, { method: "GET", path: "/portfolio/pnl", responses: ["PnlResponse"] }),
    },
    markets: {
      list: operation(t, {
        method: "GET",
        path: "/markets",
        query: "MarketsQuery",
        responses: ["MarketsResponse"],
      }),
      get: operation(t, { method: "GET", path: "/markets/{id}", responses: ["MarketResponse"] }),
      orderbook: operation(t, {
        method: "GET",
        path: "/markets/{id}/orderbook",
        responses: ["OrderBookResponse"],
      }),
      trades: operation(t, {
        method: "GET",
        path: "/markets/{id}/trades",
        query: "TradesQuery",
        responses: ["TradesResponse"],
      }),
      candles: operation(t, {
        method: "GET",
        path: "/markets/{id}/candles",
        query: "CandlesQuery",
        responses: ["CandlesResponse"],
      }),
    },
    keys: {
      create: operation(t, {
        method: "POST",
        path: "/keys",
        body: "CreateApiKeyRequest",
        responses: ["CreateApiKeyResponse"],
      }),
      list: operation(t, { method: "GET", path: "/keys", responses: ["ApiKeysResponse"] }),
      revoke: operation(t, { method: "DELETE", path: "/keys/{id}", responses: ["ApiKeyResponse"] }),
    },
    notifications: {
      list: operation(t, {
        method: "GET",
        path: "/notifications",
        query: "NotificationsQuery",
        responses: ["NotificationsResponse"],
      }),
      markRead: operation(t, {
        method: "POST",
        path: "/notifications/read",
        body: "MarkNotificationsReadRequest",
        responses: ["NotificationsReadResponse"],
      }),
    },
    admin: {
      userKeys: operation(t, {
        method: "GET",
        path: "/admin/users/{id}/keys",
        responses: ["AdminUserKeysResponse"],
      }),
      setRateTier: operation(t, {
        method: "POST",
        path: "/admin/users/{id}/rate-tier",
        body: "SetRateTierRequest",
        responses: ["RateTierResponse"],
      }),
      kycQueue: operation(t, { method: "GET", path: "/admin/kyc", responses: ["AdminKycListResponse"] }),
      revealKyc: operation(t, {
        method: "POST",
        path: "/admin/kyc/{id}/reveal",
        responses: ["KycRevealResponse"],
      }),
      decideKyc: operation(t, {
        method: "POST",
        path: "/admin/kyc/{id}/decision",
        body: "KycDecisionRequest",
        responses: ["KycResponse"],
      }),
      createMarket: operation(t, {
        method: "POST",
        path: "/admin/markets",
        body: "CreateMarketRequest",
        responses: ["MarketResponse"],
      }),
      closeMarket: operation(t, {
        method: "POST",
        path: "/admin/markets/{id}/close",
        responses: ["AdminMarketCommandResult"],
      }),
      settlement: operation(t, {
        method: "GET",
        path: "/admin/markets/{id}/settlement",
        responses: ["MarketSettlementPreview"],
      }),
      resolveMarket: operation(t, {
        method: "POST",
        path: "/admin/markets/{id}/resolve",
        body: "ResolveMarketRequest",
        responses: ["AdminMarketCommandResult"],
      }),
      users: operation(t, {
        method: "GET",
        path: "/admin/users",
        query: "AdminUsersQuery",
        responses: ["AdminUsersResponse"],
      }),
      stats: operation(t, { method: "GET", path: "/admin/stats", responses: ["SystemStats"] }),
      health: operation(t, { method: "GET", path: "/admin/health", responses: ["HealthHistoryView"] }),
    },
  };
}

export type Client = ReturnType<typeof createClient>;

/** Every operation of a client with the path to it (`markets.get`), for the coverage test. */
export function operationsOf(client: Client): Array<{ name: string; spec: OperationSpec }> {
  const out: Array<{ name: string; spec: OperationSpec }> = [];
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === "function" && "spec" in node) {
      out.push({ name: prefix, spec: (node as { spec: OperationSpec }).spec });
      return;
    }
    if (node && typeof node === "object")
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
  };
  walk(client, "");
  return out;
}

/** The parsed (output) type of a contract schema, by export name: what the API answers. */
export type Schema<N extends SchemaName> = z.output<(typeof Contracts)[N]>;
/** The input type of a contract schema, by export name: what a request may send. */
export type SchemaInput<N extends SchemaName> = z.input<(typeof Contracts)[N]>;

export type User = Schema<"UserView">;
export type Role = User["role"];
export type Market = Schema<"MarketSummary">;
export type OrderBook = Schema<"OrderBookResponse">;
export type Trade = Schema<"TradeView">;
export type Candle = Schema<"Candle">;
export type CandleInterval = SchemaInput<"CandlesQuery">["interval"] & string;
export type Order = Schema<"OrderView">;
export type PlacedOrder = Schema<"PlacedOrder">;
export type PlaceOrderBody = SchemaInput<"PlaceOrderRequest">;
export type PlaceOrderAnswer = Schema<"PlaceOrderResponse"> | Schema<"PendingOrderResponse">;
export type Portfolio = Schema<"PortfolioResponse">;
export type Position = Portfolio["positions"][number];
export type Fill = Schema<"Fill">;
export type MarketPnl = Schema<"PnlMarket">;
export type LedgerEntry = Schema<"LedgerEntryView">;
export type Kyc = Schema<"KycView">;
export type KycStatus = Schema<"MeResponse">["kycStatus"];
export type AdminKyc = Schema<"AdminKycView">;
export type AdminUser = Schema<"AdminUser">;
export type ApiKey = Schema<"ApiKey">;
export type ApiKeyScope = Schema<"ApiKey">["scopes"][number];
export type RateTier = Schema<"RateTierResponse">["tier"];
export type Referrals = Schema<"ReferralsResponse">;
export type HealthHistory = Schema<"HealthHistoryView">;
export type SystemStats = Schema<"SystemStats">;
