/**
 * A 400 VALIDATION_ERROR's message is one line of "field: what is wrong" parts joined by "; "
 * (apps/api/src/app-env.ts validationMessage). This reads it back into the fields a form shows, so
 * the error stands under the input it is about; parts naming no known field are left out.
 */
import { ApiError } from "@ox/client";

export function fieldErrors<F extends string>(e: unknown, fields: readonly F[]): Partial<Record<F, string>> {
  if (!(e instanceof ApiError) || e.code !== "VALIDATION_ERROR") return {};
  const out: Partial<Record<F, string>> = {};
  for (const part of e.message.split("; ")) {
    const at = part.indexOf(": ");
    if (at < 0) continue;
    const field = part.slice(0, at).split(".")[0] as F;
    if (fields.includes(field) && out[field] === undefined) out[field] = part.slice(at + 2);
  }
  return out;
}
