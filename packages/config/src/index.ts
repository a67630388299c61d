export { type ApiEnv, type Env, EnvSchema, parseApiEnv, parseApiProcessEnv } from "./api.ts";
export {
  baseFields,
  checkShardInMap,
  csv,
  EnvError,
  LOG_LEVELS,
  type LogLevel,
  logLevel,
  optionalUrl,
  paise,
  parseWith,
  port,
  positiveInt,
  type Source,
  shardField,
  shardFields,
  shardMapField,
  topicFields,
  transportFields,
} from "./common.ts";
export { secureDataDir } from "./data-dir.ts";
export { type EngineEnv, engineEnvSchema, parseEngineEnv } from "./engine.ts";
export { type PersisterEnv, parsePersisterEnv, persisterEnvSchema } from "./persister.ts";
export { createPublicOrigins, type PublicOrigins, publicOriginsField } from "./public-origins.ts";
export {
  type LimitRule,
  type RateLimitConfig,
  rateLimitDefaults,
  rateLimitEnv,
} from "./rate-limits.ts";
export { ensureDevSecrets, type SecretKeys, type WithSecrets } from "./secrets.ts";
export { parseStreamEnv, type StreamEnv, streamEnvSchema } from "./stream.ts";
export { parseTrustedProxies, type TrustedProxies } from "./trusted-proxies.ts";
