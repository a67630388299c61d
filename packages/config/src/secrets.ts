import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The secrets the API signs with; parsing leaves them optional outside production. */
export interface SecretKeys {
  DATA_DIR: string;
  JWT_SECRET?: string;
  PAYMENT_WEBHOOK_SECRET?: string;
}

export type WithSecrets<E extends SecretKeys> = E & { JWT_SECRET: string; PAYMENT_WEBHOOK_SECRET: string };

function devSecret(dataDir: string, file: string): string {
  const path = join(resolve(dataDir), file);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

/**
 * The explicit boot step after parsing (outside production, where the schema already demanded
 * them): a missing secret is read from, or generated once into, DATA_DIR so sessions survive a
 * restart. Parsing itself never touches the disk.
 */
export function ensureDevSecrets<E extends SecretKeys>(env: E): WithSecrets<E> {
  return {
    ...env,
    JWT_SECRET: env.JWT_SECRET ?? devSecret(env.DATA_DIR, "jwt-secret"),
    PAYMENT_WEBHOOK_SECRET: env.PAYMENT_WEBHOOK_SECRET ?? devSecret(env.DATA_DIR, "payment-webhook-secret"),
  };
}
