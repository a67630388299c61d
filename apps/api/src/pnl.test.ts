import { describe, expect, test } from "bun:test";
import { type PnlFill, replayPnl, totalPnl } from "./pnl.ts";

const fill = (
  seq: number,
  side: "BUY" | "SELL",
  pricePaise: number,
  qty: number,
  more: Partial<PnlFill> = {},
) => ({
  seq,
  marketId: "m1",
  outcome: "YES" as const,
  side,
  pricePaise,
  qty,
  feePaise: 0,
  ...more,
});

describe("replayPnl", () => {
  test("an exit at a loss: the realized loss stays after the shares are gone", () => {
    const [m] = replayPnl([fill(1, "BUY", 600, 2), fill(2, "SELL", 450, 2)], []);
    expect(m).toMatchObject({
      yesQty: 0,
      investedPaise: 0,
      boughtPaise: 1200,
      soldPaise: 900,
      realizedPaise: -300,
    });
  });
  test("average cost, floored like the engine: 3 bought for ₹20, one sold keeps floor(2000·2/3)", () => {
    const [m] = replayPnl([fill(1, "BUY", 600, 1), fill(2, "BUY", 700, 2), fill(3, "SELL", 800, 1)], []);
    // cost 2000 for 3; a sell of 1 takes floor(2000·1/3) = 666; 1334 stays invested.
    expect(m).toMatchObject({ yesQty: 2, investedPaise: 1334, realizedPaise: 800 - 666 });
  });
  test("fees are realized costs; a payout realizes what is left; totals add up", () => {
    const fills = [
      fill(1, "BUY", 600, 2, { feePaise: 5 }),
      fill(2, "BUY", 300, 1, { marketId: "m2", outcome: "NO" }),
      fill(3, "SELL", 700, 1, { feePaise: 3 }),
    ];
    const markets = replayPnl(fills, [{ seq: 9, marketId: "m1", amountPaise: 1000 }]);
    const m1 = markets.find((m) => m.marketId === "m1");
    // Buy 2 @ ₹6 (fee 5), sell 1 @ ₹7 (fee 3): +700 − 3 − 600; payout ₹10 for the last share: +400.
    expect(m1).toMatchObject({ yesQty: 0, investedPaise: 0, payoutPaise: 1000, feesPaise: 8 });
    expect(m1?.realizedPaise).toBe(-5 + (700 - 3 - 600) + (1000 - 600));
    expect(totalPnl(markets)).toEqual({
      investedPaise: 300,
      realizedPaise: 492,
      payoutPaise: 1000,
      feesPaise: 8,
    });
  });
  test("a losing resolution realizes the whole cost", () => {
    const [m] = replayPnl([fill(1, "BUY", 600, 2)], [{ seq: 5, marketId: "m1", amountPaise: 0 }]);
    expect(m).toMatchObject({ realizedPaise: -1200, payoutPaise: 0, investedPaise: 0 });
  });
});
