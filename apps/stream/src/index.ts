export { createJwtVerifier, type JwtAuthOptions, readCookie, type VerifyToken } from "./auth.ts";
export { createMarketFeed, type FeedSocket, type MarketFeed, marketRoom } from "./market-feed.ts";
export * from "./messages.ts";
export { createStreamMetrics, type StreamMetrics, type StreamMetricsSource } from "./metrics.ts";
export {
  type BunStreamHandler,
  createStreamServer,
  SOCKET_IO_PATH,
  type StreamEngineReader,
  type StreamServer,
  type StreamServerOptions,
  type StreamStats,
  userRoom,
} from "./server.ts";
