import { expect, test } from "bun:test";
import { ERROR_CODES, OrderView } from "@ox/contracts";
import { en } from "./en";
import { hi } from "./hi";
import {
  categoryLabel,
  durationLabel,
  errorCodeText,
  orderStatusLabel,
  statusLabel,
  translate,
  txKindLabel,
} from "./index";

const tHi = (key: keyof typeof en, vars?: Record<string, string | number>) => translate("hi", key, vars);
const tEn = (key: keyof typeof en, vars?: Record<string, string | number>) => translate("en", key, vars);
const latinWord = /[A-Za-z]{2,}/g;
/** Latin-letter terms the Hindi dictionary keeps on purpose (acronyms, the brand, units). */
const KEPT = new Set(["OX", "KYC", "PAN", "IFSC", "OTP", "SMS", "IOC", "FOK", "UPI", "ID", "p50", "p99"]);

test("every server error code has its own text in English and in Hindi", () => {
  for (const code of ERROR_CODES) {
    expect(errorCodeText(tEn, code)).toBe(en[`err_${code}` as keyof typeof en]);
    const hindi = errorCodeText(tHi, code);
    expect(hindi, code).not.toBeNull();
    expect(hindi, code).not.toBe(errorCodeText(tEn, code));
  }
  expect(errorCodeText(tHi, "NO_SUCH_CODE")).toBeNull();
});

test("the Hindi dictionary has no English left but the kept terms", () => {
  const english: string[] = [];
  for (const [key, text] of Object.entries(hi)) {
    const words = (text.replace(/\{\w+\}/g, "").match(latinWord) ?? []).filter((w) => !KEPT.has(w));
    if (words.length) english.push(`${key}: ${words.join(" ")}`);
  }
  expect(english).toEqual([]);
});

test("relative times, statuses, categories and ledger kinds in Hindi", () => {
  const ms = ((2 * 24 + 23) * 3600 + 5 * 60) * 1000;
  expect(durationLabel(tHi, ms)).toBe("2 दिन 23 घंटे");
  expect(durationLabel(tEn, ms)).toBe("2d 23h");
  expect(durationLabel(tHi, 65_000)).toBe("1 मिनट 05 सेकंड");
  expect(durationLabel(tHi, 0)).toBeNull();
  expect(statusLabel(tHi, "CLOSED")).toBe("बंद");
  expect(categoryLabel(tHi, "Cricket")).toBe("क्रिकेट");
  expect(categoryLabel(tHi, "cricket")).toBe("क्रिकेट");
  expect(categoryLabel(tHi, "Chess")).toBe("Chess");
  expect(txKindLabel(tHi, "PAYOUT")).toBe("भुगतान");
  expect(txKindLabel(tEn, "BONUS")).toBe("Signup bonus");
});

test("every order status the API answers has a label in English and in Hindi", () => {
  const statuses = OrderView.shape.status.options;
  expect(statuses).toContain("EXPIRED");
  for (const status of statuses) {
    const key = `orderStatus${status}` as keyof typeof en;
    expect(en[key], status).toBeString();
    expect(hi[key], status).toBeString();
    expect(orderStatusLabel(tHi, status)).not.toBe(orderStatusLabel(tEn, status));
  }
  expect(orderStatusLabel(tEn, "EXPIRED")).toBe("expired");
  expect(orderStatusLabel(tHi, "EXPIRED")).toBe("समय-सीमा समाप्त");
});
