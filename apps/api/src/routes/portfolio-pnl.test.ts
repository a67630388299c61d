import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { payouts, trades } from "@ox/db";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let alice: Client;
let bob: Client;
const json = async (res: Response) => (await res.json()) as Record<string, any>;

beforeAll(async () => {
  h = await createTradingHarness();
  alice = await signIn(h, "+919812345611");
  bob = await signIn(h, "+919812345612");
});
afterAll(async () => {
  await h.close();
});

/** A trade row between a maker and a taker, each with its own side (outcome, side, price). */
function trade(
  seq: number,
  marketId: string,
  qty: number,
  maker: [string, "YES" | "NO", "BUY" | "SELL", number],
  taker: [string, "YES" | "NO", "BUY" | "SELL", number],
) {
  return {
    seq,
    marketId,
    kind: "TRANSFER" as const,
    qty,
    yesPricePaise: maker[1] === "YES" ? maker[3] : 1000 - maker[3],
    makerOrderId: `m${seq}`,
    makerUserId: maker[0],
    makerOutcome: maker[1],
    makerSide: maker[2],
    makerPricePaise: maker[3],
    makerFeePaise: 0,
    takerOrderId: `t${seq}`,
    takerUserId: taker[0],
    takerOutcome: taker[1],
    takerSide: taker[2],
    takerPricePaise: taker[3],
    takerFeePaise: 0,
    ts: 1_000 + seq,
  };
}

describe("GET /portfolio/pnl", () => {
  test("an exit's realized loss stays after the position is gone; a payout shows its profit", async () => {
    const a = alice.userId;
    const b = bob.userId;
    await h.db.db.insert(trades).values([
      // m-exit: Alice buys 2 YES @ ₹6 from Bob, then sells both back @ ₹4.5.
      trade(1001, "m-exit", 2, [b, "YES", "SELL", 600], [a, "YES", "BUY", 600]),
      trade(1002, "m-exit", 2, [b, "YES", "BUY", 450], [a, "YES", "SELL", 450]),
      // m-won: Alice buys 3 NO @ ₹3 (maker) and NO wins: ₹30 paid for ₹9.
      trade(1003, "m-won", 3, [a, "NO", "BUY", 300], [b, "NO", "SELL", 300]),
      // m-open: Alice holds 1 YES @ ₹7.
      trade(1004, "m-open", 1, [b, "YES", "SELL", 700], [a, "YES", "BUY", 700]),
    ]);
    await h.db.db.insert(payouts).values([
      {
        seq: 1010,
        userId: a,
        marketId: "m-won",
        outcome: "NO",
        yesQty: 0,
        noQty: 3,
        amountPaise: 3000,
        ts: 2_000,
      },
    ]);
    const body = await json(await alice.call("GET", "/api/v1/portfolio/pnl"));
    const by = new Map(body.markets.map((m: any) => [m.marketId, m]));
    expect(by.get("m-exit")).toEqual({
      marketId: "m-exit",
      yesQty: 0,
      noQty: 0,
      investedPaise: 0,
      boughtPaise: 1200,
      soldPaise: 900,
      payoutPaise: 0,
      feesPaise: 0,
      realizedPaise: -300,
    });
    expect(by.get("m-won")).toMatchObject({ payoutPaise: 3000, realizedPaise: 2100, investedPaise: 0 });
    expect(by.get("m-open")).toMatchObject({ yesQty: 1, investedPaise: 700, realizedPaise: 0 });
    expect(body.totals).toEqual({ investedPaise: 700, realizedPaise: 1800, payoutPaise: 3000, feesPaise: 0 });
    // Bob's side of the same trades is his own: sold 2 @ ₹6 with no recorded buy, bought back @ ₹4.5.
    const bobs = await json(await bob.call("GET", "/api/v1/portfolio/pnl"));
    expect(bobs.markets.find((m: any) => m.marketId === "m-exit")).toMatchObject({
      soldPaise: 1200,
      boughtPaise: 900,
    });
  });

  test("needs a session", async () => {
    expect((await h.app.request("http://localhost/api/v1/portfolio/pnl")).status).toBe(401);
  });
});
