import { z } from "zod";
import { lineText, MarketId } from "./text.ts";

const Paise = z.number().int();

export const MarketSummary = z
  .object({
    id: z.string(),
    title: z.string(),
    titleHi: z.string().nullable().meta({ description: "The title in Hindi, if an admin gave one" }),
    description: z.string(),
    category: z.string(),
    rules: z.string(),
    resolutionSource: z.string(),
    status: z.enum(["OPEN", "CLOSED", "RESOLVED", "VOIDED"]),
    outcome: z.enum(["YES", "NO", "VOID"]).nullable(),
    closeAt: z.number().int(),
    tickPaise: z.number().int(),
    yesPricePaise: Paise.nullable().meta({ description: "Best price to buy YES now (lowest YES ask)" }),
    noPricePaise: Paise.nullable().meta({ description: "Best price to buy NO now (1000 − highest YES bid)" }),
    lastYesPricePaise: Paise.nullable(),
    volumeQty: z.number().int(),
    bookSeq: z.number().int(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Market" });

export const MarketsQuery = z.object({
  status: z.enum(["OPEN", "CLOSED", "RESOLVED", "VOIDED"]).optional(),
  category: lineText(0, 50).optional(),
});
export const MarketsResponse = z.object({ markets: z.array(MarketSummary) }).meta({ id: "Markets" });
export const MarketResponse = z.object({ market: MarketSummary }).meta({ id: "MarketResponse" });
export const MarketIdParam = z.object({
  id: MarketId,
});

const Level = z.object({ pricePaise: Paise, qty: z.number().int() });
export const OrderBookResponse = z
  .object({ seq: z.number().int(), yes: z.array(Level), no: z.array(Level) })
  .meta({ id: "OrderBook", description: "Bids per outcome, best first, each in its own outcome's price" });

export const TradesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional().meta({ description: "trade seq cursor" }),
});
export const TradeView = z
  .object({
    seq: z.number().int(),
    kind: z.enum(["TRANSFER", "MINT", "MERGE"]),
    qty: z.number().int(),
    yesPricePaise: Paise,
    noPricePaise: Paise,
    ts: z.number().int(),
  })
  .meta({ id: "Trade" });
export const TradesResponse = z.object({ trades: z.array(TradeView) }).meta({ id: "Trades" });

export const CANDLE_INTERVALS = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000 } as const;
export const CandlesQuery = z.object({
  interval: z.enum(["1m", "5m", "1h", "1d"]).default("1m"),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export const Candle = z
  .object({
    t: z.number().int(),
    openPaise: Paise,
    highPaise: Paise,
    lowPaise: Paise,
    closePaise: Paise,
    volume: z.number().int(),
    trades: z.number().int(),
  })
  .meta({
    id: "Candle",
    description: "YES price in paise; volume in shares; t is the bucket start (epoch ms)",
  });
export const CandlesResponse = z
  .object({ interval: z.string(), candles: z.array(Candle) })
  .meta({ id: "Candles" });
