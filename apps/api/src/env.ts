import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

const csv = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );
const paise = (def: number) => z.coerce.number().int().nonnegative().default(def);
const optionalUrl = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .pipe(z.string().url().optional())
  .optional();

/** SPEC §7. Absent DATABASE_URL / REDIS_URL / KAFKA_BROKERS mean the embedded defaults. */
export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    DATA_DIR: z.string().default("./data"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    DATABASE_URL: optionalUrl,
    REDIS_URL: optionalUrl,
    KAFKA_BROKERS: z.string().optional(),
    JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
    SESSION_TTL_SEC: z.coerce
      .number()
      .int()
      .positive()
      .default(30 * 24 * 3600),
    ACCESS_TOKEN_TTL_SEC: z.coerce
      .number()
      .int()
      .positive()
      .default(15 * 60),
    SMS_PROVIDER: z.enum(["console", "twilio"]).default("console"),
    TWILIO_ACCOUNT_SID: z.string().optional(),
    TWILIO_AUTH_TOKEN: z.string().optional(),
    TWILIO_FROM: z.string().optional(),
    TWILIO_BASE_URL: z.string().url().default("https://api.twilio.com"),
    ADMIN_PHONES: csv,
    SIGNUP_BONUS_PAISE: paise(1500),
    REFERRAL_BONUS_PAISE: paise(5000),
    /** The referrer is credited on the referee's first confirmed deposit of at least this much. */
    REFERRAL_MIN_DEPOSIT_PAISE: paise(10_000),
    WITHDRAWAL_MIN_PAISE: paise(10_000),
    WITHDRAWAL_MAX_PAISE: paise(10_000_000),
    DEPOSIT_MIN_PAISE: paise(100),
    DEPOSIT_MAX_PAISE: paise(10_000_000),
    /**
     * sandbox: confirms every deposit at once (development only). webhook: a deposit stays PENDING
     * until the signed payment webhook confirms it. provider: as webhook, and the payment link comes
     * from the HTTP payment provider (PAYMENT_PROVIDER_*).
     */
    PAYMENT_GATEWAY: z.enum(["sandbox", "webhook", "provider"]).default("sandbox"),
    PAYMENT_WEBHOOK_SECRET: z.string().min(16).optional(),
    PAYMENT_PROVIDER_URL: optionalUrl,
    PAYMENT_PROVIDER_KEY_ID: z.string().optional(),
    PAYMENT_PROVIDER_KEY_SECRET: z.string().optional(),
    /** Where the provider sends the payer back after paying (the wallet page). */
    PAYMENT_RETURN_URL: optionalUrl,
    /** Extra origins allowed to send cookie-authenticated writes (the request's own origin always is). */
    ALLOWED_ORIGINS: csv,
    TRUST_PROXY: z
      .enum(["true", "false"])
      .default("false")
      .transform((s) => s === "true"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (!env.JWT_SECRET)
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "required in production" });
    if (env.SMS_PROVIDER === "console") {
      ctx.addIssue({ code: "custom", path: ["SMS_PROVIDER"], message: "console is refused in production" });
    }
    if (!env.PAYMENT_WEBHOOK_SECRET) {
      ctx.addIssue({ code: "custom", path: ["PAYMENT_WEBHOOK_SECRET"], message: "required in production" });
    }
    if (env.PAYMENT_GATEWAY === "sandbox") {
      ctx.addIssue({
        code: "custom",
        path: ["PAYMENT_GATEWAY"],
        message:
          "sandbox confirms every deposit instantly and is refused in production; set PAYMENT_GATEWAY=webhook or provider",
      });
    }
  })
  .superRefine((env, ctx) => {
    if (env.PAYMENT_GATEWAY !== "provider") return;
    for (const key of [
      "PAYMENT_PROVIDER_URL",
      "PAYMENT_PROVIDER_KEY_ID",
      "PAYMENT_PROVIDER_KEY_SECRET",
    ] as const) {
      if (!env[key])
        ctx.addIssue({ code: "custom", path: [key], message: "required when PAYMENT_GATEWAY=provider" });
    }
  })
  .superRefine((env, ctx) => {
    if (env.SMS_PROVIDER !== "twilio") return;
    for (const key of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"] as const) {
      if (!env[key])
        ctx.addIssue({ code: "custom", path: [key], message: "required when SMS_PROVIDER=twilio" });
    }
  });

export type Env = z.infer<typeof EnvSchema> & { JWT_SECRET: string; PAYMENT_WEBHOOK_SECRET: string };

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid environment:\n  ${issues.join("\n  ")}`);
    this.name = "EnvError";
  }
}

/** Outside production a missing secret is generated once into DATA_DIR, so sessions survive restarts. */
function devSecret(dataDir: string, file: string): string {
  const path = join(resolve(dataDir), file);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const env = parsed.data;
  return {
    ...env,
    JWT_SECRET: env.JWT_SECRET ?? devSecret(env.DATA_DIR, "jwt-secret"),
    PAYMENT_WEBHOOK_SECRET: env.PAYMENT_WEBHOOK_SECRET ?? devSecret(env.DATA_DIR, "payment-webhook-secret"),
  };
}
