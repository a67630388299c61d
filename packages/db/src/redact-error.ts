/**
 * Driver errors carry the statement's bound values: drizzle's DrizzleQueryError has `params` and
 * prints them in its message ("params: …"), PGlite's error has `params` too, and Postgres echoes a
 * value in `detail` ("Key (pan)=(ABCDE1234F) already exists") or in the message of a cast that
 * failed. Those values are phones, PANs, bank accounts and OTP hashes, so a log line of a failing
 * write must not print them. This scrubs an error already serialized for a logger (pino's
 * `stdSerializers.err` output: message and stack include every cause's).
 */

const CENSOR = "[redacted]";
const PARAM_KEYS = ["params", "parameters", "queryOptions"];

/** Every `params` array on the error and its causes, as the message printed it (`${params}`). */
function boundParams(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  let e = err as { params?: unknown; parameters?: unknown; cause?: unknown } | undefined;
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    for (const p of [e.params, e.parameters]) if (Array.isArray(p) && p.length > 0) out.push(String(p));
    e = e.cause as typeof e;
  }
  return out;
}

/** A value Postgres echoes: `Key (col)=(value)` in detail, `…: "value"` after a failed cast. */
function scrubEchoedValues(text: string): string {
  return text
    .replace(
      /\)=\(.*?\)( already exists| is not present| conflicts| is still referenced|$)/gms,
      `)=(${CENSOR})$1`,
    )
    .replace(/(invalid input (?:syntax|value) for [^:\n]*: )"[^"\n]*"/g, `$1"${CENSOR}"`);
}

function scrubText(text: string, params: string[]): string {
  let out = text;
  for (const p of params) out = out.split(`params: ${p}`).join(`params: ${CENSOR}`);
  return scrubEchoedValues(out);
}

/** A copy of a serialized error without bound parameters or values echoed by the database. */
export function redactDbError<T>(serialized: T, err: unknown): T {
  if (!serialized || typeof serialized !== "object") return serialized;
  const params = boundParams(err);
  const out: Record<string, unknown> = { ...(serialized as Record<string, unknown>) };
  for (const key of PARAM_KEYS) if (key in out) out[key] = CENSOR;
  for (const key of ["message", "stack", "detail", "where", "hint"])
    if (typeof out[key] === "string") out[key] = scrubText(out[key] as string, params);
  // A nested serialized cause (pino's errWithCause, or an AggregateError's errors) gets the same.
  if (out.cause && typeof out.cause === "object")
    out.cause = redactDbError(out.cause, (err as { cause?: unknown } | undefined)?.cause);
  if (Array.isArray(out.aggregateErrors))
    out.aggregateErrors = out.aggregateErrors.map((e, i) =>
      redactDbError(e, (err as { errors?: unknown[] } | undefined)?.errors?.[i]),
    );
  return out as T;
}
