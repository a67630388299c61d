import { z } from "zod";

export const HealthCheck = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
export const HealthResponse = z
  .object({ status: z.enum(["ok", "degraded"]), checks: z.record(z.string(), HealthCheck) })
  .meta({ id: "Health" });
