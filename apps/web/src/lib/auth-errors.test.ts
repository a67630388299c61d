import { expect, test } from "bun:test";
import { ERROR_CODES } from "@ox/contracts";
import { en } from "../i18n/en";
import { hi } from "../i18n/hi";
import { authErrorKey } from "./auth-errors";

test("each OTP error code has its own English and Hindi text", () => {
  const keys = ["OTP_INVALID", "OTP_EXPIRED", "OTP_LOCKED", "RATE_LIMITED"].map(authErrorKey);
  expect(new Set(keys).size).toBe(4);
  for (const k of keys) {
    expect(k).not.toBeNull();
    if (!k) continue;
    expect(en[k].length).toBeGreaterThan(0);
    expect(hi[k]).not.toBe(en[k]);
  }
});

test("only real contract codes are mapped; others fall back", () => {
  for (const code of ["OTP_INVALID", "OTP_EXPIRED", "OTP_LOCKED", "RATE_LIMITED"])
    expect(ERROR_CODES as readonly string[]).toContain(code);
  expect(authErrorKey("INSUFFICIENT_FUNDS")).toBeNull();
  expect(authErrorKey("NETWORK")).toBeNull();
});
