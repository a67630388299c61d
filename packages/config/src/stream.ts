import { z } from "zod";
import { baseFields, csv, metricsPort, parseWith, port, type Source, shardFields } from "./common.ts";
import { publicOriginsField } from "./public-origins.ts";

/** A stream (socket) process, distributed mode (docs/operations.md#configuration). */
export const streamEnvSchema = z
  .object({
    ...baseFields,
    REDIS_URL: z.string().url(),
    STREAM_PORT: port(3001),
    STREAM_HOST: z.string().default("0.0.0.0"),
    JWT_SECRET: z.string().min(32),
    SESSION_TTL_SEC: positiveIntSeconds(),
    INSTANCE_ID: z.string().default(() => `stream-${process.pid}`),
    ...metricsPort(9466),
    /** A sharded deployment: book snapshots from the market's shard. */
    ...shardFields,
    /** The site's origins, as the API's (required in production; development: this port's loopback). */
    PUBLIC_ORIGINS: publicOriginsField,
    /** Other origins whose pages may open a socket; as the API's ALLOWED_ORIGINS. */
    ALLOWED_ORIGINS: csv,
    /** Markets one socket may follow at once. */
    STREAM_MAX_SUBSCRIPTIONS: z.coerce.number().int().positive().default(50),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && env.PUBLIC_ORIGINS.length === 0)
      ctx.addIssue({ code: "custom", path: ["PUBLIC_ORIGINS"], message: "required in production" });
  });

function positiveIntSeconds() {
  return z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 24 * 3600);
}

export type StreamEnv = z.infer<typeof streamEnvSchema>;

export function parseStreamEnv(source: Source = process.env): StreamEnv {
  return parseWith(streamEnvSchema, source);
}
