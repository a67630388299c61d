/** Shape checks for untrusted command fields. A failure is INVALID_COMMAND. */

export function isId(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

export function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

export function isOptInt(v: unknown): v is number | undefined {
  return v === undefined || (typeof v === "number" && Number.isSafeInteger(v));
}

export function isOptBool(v: unknown): v is boolean | undefined {
  return v === undefined || typeof v === "boolean";
}

export function isOneOf<T extends string>(v: unknown, a: T, b: T, c?: T): v is T {
  return v === a || v === b || (c !== undefined && v === c);
}
