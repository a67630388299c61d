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
