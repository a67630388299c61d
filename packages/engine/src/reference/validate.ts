/** Type checks shared by every command (SEMANTICS.md, "Validation"). */

export function isId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

export function isInt(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

export function isOptionalInt(value: unknown): value is number | undefined {
  return value === undefined || isInt(value);
}

export function isOptionalId(value: unknown): value is string | undefined {
  return value === undefined || isId(value);
}

export function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}

export function isOptionalOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
): value is T | undefined {
  return value === undefined || isOneOf(value, allowed);
}

export function isOptionalBool(value: unknown): value is boolean | undefined {
  return value === undefined || typeof value === "boolean";
}

/** ceil(numerator / 10000) for a non-negative integer numerator, in integers. */
export function ceilBps(numerator: number): number {
  return Math.floor((numerator + 9999) / 10000);
}

/** Fee per share used for locks: ceil(p · maxBps / 10000). */
export function feePerShare(pricePaise: number, maxBps: number): number {
  return ceilBps(pricePaise * maxBps);
}
