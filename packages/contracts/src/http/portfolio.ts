import { z } from "zod";

const Paise = z.number().int();

export const PortfolioResponse = z
  .object({
    balance: z.object({ availablePaise: Paise, lockedPaise: Paise }),
    positions: z.array(
      z.object({
        marketId: z.string(),
        yes: z.number().int(),
        no: z.number().int(),
        yesLocked: z.number().int(),
        noLocked: z.number().int(),
        yesCostPaise: Paise,
        noCostPaise: Paise,
        yesAvgPricePaise: Paise.nullable().meta({
          description: "Average cost per YES share, rounded to the paisa",
        }),
        noAvgPricePaise: Paise.nullable(),
        lastYesPricePaise: Paise.nullable(),
        marketStatus: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "Portfolio" });

export const FillsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: "Trade seq cursor: fills older than it" }),
});
export const Fill = z
  .object({
    tradeSeq: z.number().int(),
    marketId: z.string(),
    orderId: z.string(),
    kind: z.enum(["TRANSFER", "MINT", "MERGE"]),
    role: z.enum(["MAKER", "TAKER"]),
    outcome: z.enum(["YES", "NO"]),
    side: z.enum(["BUY", "SELL"]),
    pricePaise: Paise.meta({ description: "Per share, in the fill's outcome" }),
    qty: z.number().int(),
    feePaise: Paise,
    ts: z.number().int(),
  })
  .meta({ id: "Fill" });
export const FillsResponse = z
  .object({ fills: z.array(Fill), nextBefore: z.number().int().nullable() })
  .meta({ id: "Fills" });

export const PnlMarket = z
  .object({
    marketId: z.string(),
    yesQty: z.number().int().meta({ description: "YES shares held after the recorded fills and payouts" }),
    noQty: z.number().int(),
    investedPaise: Paise.meta({
      description: "Cost basis of the shares still held (average cost, the engine's method)",
    }),
    boughtPaise: Paise.meta({ description: "Paid for every buy in this market, fees included" }),
    soldPaise: Paise.meta({ description: "Received for every sell in this market, fees deducted" }),
    payoutPaise: Paise.meta({ description: "Paid out at resolution (0 before)" }),
    feesPaise: Paise,
    realizedPaise: Paise.meta({
      description:
        "Profit or loss locked in: sell proceeds and payouts minus the cost of the shares they took, minus fees",
    }),
  })
  .meta({ id: "PnlMarket" });
export const PnlResponse = z
  .object({
    markets: z.array(PnlMarket),
    totals: z.object({
      investedPaise: Paise,
      realizedPaise: Paise,
      payoutPaise: Paise,
      feesPaise: Paise,
    }),
  })
  .meta({ id: "Pnl" });
