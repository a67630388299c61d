import type { z } from "@hono/zod-openapi";
import { ErrorResponse } from "@ox/contracts";

/** A required JSON body: other content types are refused as 400 instead of skipping validation. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } } as const;
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

const DESCRIPTIONS: Record<number, string> = {
  400: "Validation error",
  401: "Not signed in, or wrong code",
  403: "Forbidden (not an admin, CSRF, KYC required)",
  404: "Not found",
  409: "Conflict",
  422: "Business rule refused the request",
  429: "Rate limited or locked",
  502: "Upstream provider failed",
  503: "Dependency unavailable",
};

/** The shared error shape for the listed statuses. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, json(ErrorResponse, DESCRIPTIONS[s] ?? "Error")]),
  ) as Record<number, ReturnType<typeof json<typeof ErrorResponse>>>;
}
