export { API_PREFIX, type RouteContext, type RouteFactory } from "./app.ts";
export { type AppEnv, createRouter, sessionOf } from "./app-env.ts";
export { type Api, type ApiAdapters, buildApi } from "./build.ts";
export { type ApiConfig, type AppDeps, type Clock, systemClock } from "./deps.ts";
export { ApiError, ERROR_STATUS } from "./errors.ts";
export { createLogger } from "./logger.ts";
export { type ApiMetrics, createApiMetrics } from "./metrics.ts";
export { type BusinessMetrics, createBusinessMetrics } from "./metrics-business.ts";
export { createOutboxRelay, type OutboxRelay } from "./outbox-relay.ts";
export {
  createSandboxGateway,
  createSandboxPayouts,
  createWebhookGateway,
  type PaymentGateway,
  type PayoutProvider,
  signWebhook,
} from "./payments/gateway.ts";
export { createProviderGateway, PaymentProviderError } from "./payments/provider-gateway.ts";
export { createSystemStatsProvider, type SystemStatsProvider } from "./routes/admin-stats.ts";
export { errors, json, jsonBody } from "./routes/openapi-helpers.ts";
export {
  type ApiRuntime,
  type ApiRuntimeOptions,
  createApiRuntime,
  createPaymentGateway,
  createSmsSender,
} from "./runtime.ts";
export { createConsoleSms, type SmsSender } from "./sms/sms.ts";
export { createTwilioSms } from "./sms/twilio-sms.ts";
