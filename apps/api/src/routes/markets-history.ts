import { type Db, trades } from "@ox/db";
import { and, desc, eq, lt, sql } from "drizzle-orm";

const num = (value: unknown) => Number(value);

/** Recent trades of a market from the persister's table, newest first. */
export async function recentTrades(db: Db, marketId: string, limit: number, beforeSeq?: number) {
  const where = beforeSeq
    ? and(eq(trades.marketId, marketId), lt(trades.seq, beforeSeq))
    : eq(trades.marketId, marketId);
  const rows = await db.select().from(trades).where(where).orderBy(desc(trades.seq)).limit(limit);
  return rows.map((t) => ({
    seq: t.seq,
    kind: t.kind,
    qty: t.qty,
    yesPricePaise: t.yesPricePaise,
    noPricePaise: 1000 - t.yesPricePaise,
    ts: t.ts,
  }));
}

/** OHLCV of the YES price per bucket, computed in SQL on integers; the newest `limit` buckets, oldest first. */
export async function candles(db: Db, marketId: string, intervalMs: number, limit: number) {
  const result = await db.execute(sql`
    select bucket, open, high, low, close, volume, trades from (
      select (ts / ${intervalMs}::bigint) * ${intervalMs}::bigint as bucket,
             (array_agg(yes_price_paise order by seq))[1] as open,
             max(yes_price_paise) as high,
             min(yes_price_paise) as low,
             (array_agg(yes_price_paise order by seq desc))[1] as close,
             sum(qty) as volume,
             count(*) as trades
      from trades where market_id = ${marketId}
      group by 1 order by 1 desc limit ${limit}
    ) recent order by bucket`);
  const rows = (result as unknown as { rows: Record<string, unknown>[] }).rows;
  return rows.map((r) => ({
    t: num(r.bucket),
    openPaise: num(r.open),
    highPaise: num(r.high),
    lowPaise: num(r.low),
    closePaise: num(r.close),
    volume: num(r.volume),
    trades: num(r.trades),
  }));
}
