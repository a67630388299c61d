import { describe, expect, test } from "bun:test";
import { ledgerMarketId } from "./ledger";

describe("ledgerMarketId", () => {
  test("trade, fee and payout entries name their market", () => {
    expect(ledgerMarketId({ kind: "TRADE", description: "BUY 2 YES @ 600 (MINT) in mkt_1" })).toBe("mkt_1");
    expect(ledgerMarketId({ kind: "FEE", description: "Fee on SELL 1 NO @ 400 (TRANSFER) in m-2" })).toBe(
      "m-2",
    );
    expect(ledgerMarketId({ kind: "PAYOUT", description: "Payout YES in abc" })).toBe("abc");
  });
  test("other entries belong to no market", () => {
    expect(ledgerMarketId({ kind: "DEPOSIT", description: "Deposit via sandbox" })).toBeNull();
    expect(ledgerMarketId({ kind: "WITHDRAWAL", description: "Withdrawal" })).toBeNull();
    expect(ledgerMarketId({ kind: "TRADE", description: null })).toBeNull();
  });
});
