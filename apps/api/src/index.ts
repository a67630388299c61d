/** What the composition root (apps/platform) takes from the API; nothing else imports an app. */
export { type Api, type ApiAdapters, buildApi } from "./build.ts";
export { type ApiMetrics, createApiMetrics } from "./metrics.ts";
export { type BusinessMetrics, createBusinessMetrics } from "./metrics-business.ts";
export { createSystemStatsProvider, type SystemStatsProvider } from "./routes/admin-stats.ts";
export { type ApiRuntime, type ApiRuntimeOptions, createApiRuntime } from "./runtime.ts";
export { shareWebSocket, type TradingSocket } from "./trading-socket.ts";
