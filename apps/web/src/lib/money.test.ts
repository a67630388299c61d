import { describe, expect, test } from "bun:test";
import {
  formatCompact,
  formatRupees,
  formatSignedRupees,
  groupIndian,
  parseRupees,
  probabilityPct,
} from "./money";

describe("formatRupees", () => {
  test("whole rupees, halves and paise", () => {
    expect(formatRupees(1500)).toBe("₹15");
    expect(formatRupees(750)).toBe("₹7.5");
    expect(formatRupees(705)).toBe("₹7.05");
    expect(formatRupees(0)).toBe("₹0");
    expect(formatRupees(50)).toBe("₹0.5");
  });
  test("Indian grouping and sign", () => {
    expect(formatRupees(123456789)).toBe("₹12,34,567.89");
    expect(formatRupees(-250)).toBe("-₹2.5");
    expect(formatSignedRupees(250)).toBe("+₹2.5");
    expect(formatSignedRupees(-1000)).toBe("-₹10");
    expect(groupIndian(1000)).toBe("1,000");
    expect(groupIndian(100000)).toBe("1,00,000");
  });
  test("fixed keeps two decimals", () => {
    expect(formatRupees(750, { fixed: true })).toBe("₹7.50");
    expect(formatRupees(48250, { fixed: true })).toBe("₹482.50");
    expect(formatRupees(1500, { fixed: true })).toBe("₹15.00");
    expect(formatRupees(5, { fixed: true })).toBe("₹0.05");
    expect(formatSignedRupees(10005, { fixed: true })).toBe("+₹100.05");
    expect(formatSignedRupees(-600, { fixed: true })).toBe("-₹6.00");
  });
  test("non-finite shows a dash", () => {
    expect(formatRupees(Number.NaN)).toBe("—");
  });
});

describe("parseRupees", () => {
  test("valid amounts become integer paise", () => {
    expect(parseRupees("100")).toBe(10000);
    expect(parseRupees("99.5")).toBe(9950);
    expect(parseRupees("₹1,000.05")).toBe(100005);
    expect(parseRupees("0.1")).toBe(10);
  });
  test("rejects what is not an amount", () => {
    expect(parseRupees("")).toBeNull();
    expect(parseRupees("1.234")).toBeNull();
    expect(parseRupees("-5")).toBeNull();
    expect(parseRupees("abc")).toBeNull();
  });
  test("no float drift: 0.29 + 0.01", () => {
    expect((parseRupees("0.29") ?? 0) + (parseRupees("0.01") ?? 0)).toBe(30);
  });
});

test("probability and compact numbers", () => {
  expect(probabilityPct(750)).toBe(75);
  expect(probabilityPct(50)).toBe(5);
  expect(formatCompact(999)).toBe("999");
  expect(formatCompact(1234)).toBe("1.2K");
  expect(formatCompact(2_500_000)).toBe("25L");
  expect(formatCompact(30_000_000)).toBe("3Cr");
});
