import { expect, test } from "bun:test";
import { InfraTimeoutError, isTransientError, withTimeout } from "./transient.ts";

const err = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? "x")), fields);

test("infrastructure errors are transient; data and code errors are not", () => {
  expect(isTransientError(err({ code: "ECONNREFUSED" }))).toBe(true);
  expect(
    isTransientError(err({ code: "57P01", message: "terminating connection due to administrator command" })),
  ).toBe(true);
  expect(isTransientError(err({ code: "08006" }))).toBe(true);
  expect(isTransientError(err({ message: "Connection terminated unexpectedly" }))).toBe(true);
  expect(isTransientError(err({ message: "Connection is closed." }))).toBe(true);
  expect(isTransientError(err({ name: "MaxRetriesPerRequestError" }))).toBe(true);
  expect(isTransientError(err({ name: "KafkaJSProtocolError", retriable: true }))).toBe(true);
  expect(isTransientError(new InfraTimeoutError("redis", 10))).toBe(true);
  // drizzle wraps the driver's error
  expect(isTransientError(new Error("Failed query: select 1", { cause: err({ code: "57P03" }) }))).toBe(true);

  expect(
    isTransientError(err({ code: "23505", message: "duplicate key value violates unique constraint" })),
  ).toBe(false);
  expect(isTransientError(err({ code: "22P02", message: "invalid input syntax for type integer" }))).toBe(
    false,
  );
  expect(
    isTransientError(err({ name: "KafkaJSProtocolError", retriable: false, message: "too large" })),
  ).toBe(false);
  expect(isTransientError(new TypeError("cannot read properties of undefined"))).toBe(false);
  expect(isTransientError(null)).toBe(false);
  expect(isTransientError("ECONNREFUSED")).toBe(false);
});

test("withTimeout rejects late calls with InfraTimeoutError and leaves no unhandled rejection", async () => {
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on("unhandledRejection", onUnhandled);
  try {
    const never = new Promise<number>((_, reject) => setTimeout(() => reject(new Error("late")), 60));
    await expect(withTimeout(never, 20, "redis xadd")).rejects.toBeInstanceOf(InfraTimeoutError);
    expect(await withTimeout(Promise.resolve(7), 20, "fast")).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unhandled).toBe(0);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
