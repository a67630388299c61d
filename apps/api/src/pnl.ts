/**
 * Realized P&L and cost basis from a user's fills and payouts, in integer paise. The replay uses the
 * engine's average-cost method (packages/engine, settle in match.ts): a buy adds price × qty to the
 * outcome's cost; a sell takes floor(cost × q / held) off it; a payout empties it. So `investedPaise`
 * equals the engine's yesCostPaise + noCostPaise once the persister has caught up.
 */

export interface PnlFill {
  seq: number;
  marketId: string;
  outcome: "YES" | "NO";
  side: "BUY" | "SELL";
  pricePaise: number;
  qty: number;
  feePaise: number;
}

export interface PnlPayout {
  seq: number;
  marketId: string;
  amountPaise: number;
}

export interface MarketPnl {
  marketId: string;
  yesQty: number;
  noQty: number;
  investedPaise: number;
  boughtPaise: number;
  soldPaise: number;
  payoutPaise: number;
  feesPaise: number;
  realizedPaise: number;
}

interface Book {
  pnl: MarketPnl;
  yesCost: number;
  noCost: number;
}

function fresh(marketId: string): Book {
  return {
    pnl: {
      marketId,
      yesQty: 0,
      noQty: 0,
      investedPaise: 0,
      boughtPaise: 0,
      soldPaise: 0,
      payoutPaise: 0,
      feesPaise: 0,
      realizedPaise: 0,
    },
    yesCost: 0,
    noCost: 0,
  };
}

function applyFill(b: Book, f: PnlFill): void {
  const yes = f.outcome === "YES";
  const gross = f.pricePaise * f.qty;
  b.pnl.feesPaise += f.feePaise;
  if (f.side === "BUY") {
    b.pnl.boughtPaise += gross + f.feePaise;
    b.pnl.realizedPaise -= f.feePaise;
    if (yes) {
      b.pnl.yesQty += f.qty;
      b.yesCost += gross;
    } else {
      b.pnl.noQty += f.qty;
      b.noCost += gross;
    }
    return;
  }
  const held = yes ? b.pnl.yesQty : b.pnl.noQty;
  const cost = yes ? b.yesCost : b.noCost;
  // A sell with no recorded buy (history cut short) takes no cost off: all of it counts as realized.
  const removed = held > 0 ? Math.floor((cost * Math.min(f.qty, held)) / held) : 0;
  b.pnl.soldPaise += gross - f.feePaise;
  b.pnl.realizedPaise += gross - f.feePaise - removed;
  if (yes) {
    b.yesCost -= removed;
    b.pnl.yesQty = Math.max(0, held - f.qty);
  } else {
    b.noCost -= removed;
    b.pnl.noQty = Math.max(0, held - f.qty);
  }
}

function applyPayout(b: Book, p: PnlPayout): void {
  b.pnl.payoutPaise += p.amountPaise;
  b.pnl.realizedPaise += p.amountPaise - b.yesCost - b.noCost;
  b.yesCost = 0;
  b.noCost = 0;
  b.pnl.yesQty = 0;
  b.pnl.noQty = 0;
}

/** Per market, in order of first activity; fills and payouts are applied in event (seq) order. */
export function replayPnl(fills: PnlFill[], payouts: PnlPayout[]): MarketPnl[] {
  const events = [
    ...fills.map((f) => ({ seq: f.seq, fill: f })),
    ...payouts.map((p) => ({ seq: p.seq, payout: p })),
  ].sort((a, b) => a.seq - b.seq);
  const books = new Map<string, Book>();
  for (const e of events) {
    const marketId = "fill" in e ? e.fill.marketId : e.payout.marketId;
    let b = books.get(marketId);
    if (!b) {
      b = fresh(marketId);
      books.set(marketId, b);
    }
    if ("fill" in e) applyFill(b, e.fill);
    else applyPayout(b, e.payout);
  }
  return [...books.values()].map((b) => ({ ...b.pnl, investedPaise: b.yesCost + b.noCost }));
}

export function totalPnl(markets: MarketPnl[]) {
  const sum = (k: "investedPaise" | "realizedPaise" | "payoutPaise" | "feesPaise") =>
    markets.reduce((s, m) => s + m[k], 0);
  return {
    investedPaise: sum("investedPaise"),
    realizedPaise: sum("realizedPaise"),
    payoutPaise: sum("payoutPaise"),
    feesPaise: sum("feesPaise"),
  };
}
