/**
 * Tolerant readers. Each wire name is tried as written and with the `Paise` suffix the API uses
 * (`pricePaise`, `amountPaise`), so one UI reads both the API's short names and the contracts'.
 */
import type { Balance, Fill, Market, Order, Portfolio, Position, Trade, Transaction } from "./types";

type Raw = Record<string, unknown>;

function num(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** The first present number among `names`, each also tried as `${name}Paise`. */
export function pick(r: Raw | null | undefined, ...names: string[]): number | null {
  if (!r) return null;
  for (const n of names) {
    const v = num(r[n]) ?? num(r[`${n}Paise`]);
    if (v !== null) return v;
  }
  return null;
}

export function toMs(v: unknown): number {
  const n = num(v);
  if (n !== null) return n < 1e11 ? n * 1000 : n;
  if (typeof v === "string") return Date.parse(v);
  return Number.NaN;
}

export function isAdmin(role: string | undefined): boolean {
  return (role ?? "").toUpperCase() === "ADMIN";
}

export function normalizeMarket(raw: unknown): Market {
  const r = (raw ?? {}) as Raw;
  const m = (r.market && typeof r.market === "object" ? r.market : r) as Raw;
  const yesBid = pick(m, "yesBid", "bestYesBid");
  const noBid = pick(m, "noBid", "bestNoBid");
  const yes =
    pick(m, "yesPrice", "yesAsk", "bestYes", "yesBuyPrice", "bestYesAsk") ??
    (noBid !== null ? 1000 - noBid : null);
  const no =
    pick(m, "noPrice", "noAsk", "bestNo", "noBuyPrice", "bestNoAsk") ??
    (yesBid !== null ? 1000 - yesBid : null);
  return {
    id: String(m.id ?? m.marketId ?? ""),
    title: String(m.title ?? m.question ?? ""),
    description: (m.description as string) ?? undefined,
    category: String(m.category ?? "Other"),
    rules: (m.rules as string) ?? undefined,
    resolutionSource: (m.resolutionSource as string) ?? (m.source as string) ?? undefined,
    status: String(m.status ?? "OPEN").toUpperCase(),
    closeAt: toMs(m.closeAt ?? m.closesAt),
    tick: pick(m, "tick") ?? 50,
    yesPrice: yes,
    noPrice: no,
    lastPrice: pick(m, "lastPrice", "lastYesPrice"),
    volume: pick(m, "volume", "volumeQty") ?? 0,
    outcome: ((m.outcome ?? m.resolution) as Market["outcome"]) ?? null,
    imageUrl: (m.imageUrl as string) ?? undefined,
  };
}

export function normalizeBalance(raw: unknown): Balance {
  const b = (raw ?? {}) as Raw;
  return { available: pick(b, "available") ?? 0, locked: pick(b, "locked") ?? 0 };
}

function avg(cost: number | null, qty: number): number | null {
  return cost !== null && qty > 0 ? cost / qty : null;
}

export function normalizePosition(p: Raw): Position {
  const yes = pick(p, "yes", "yesQty") ?? 0;
  const no = pick(p, "no", "noQty") ?? 0;
  const single = pick(p, "avgPrice");
  return {
    marketId: String(p.marketId),
    yes,
    no,
    avgYesPrice:
      pick(p, "avgYesPrice") ?? avg(pick(p, "yesCost"), yes) ?? (yes > 0 && no === 0 ? single : null),
    avgNoPrice: pick(p, "avgNoPrice") ?? avg(pick(p, "noCost"), no) ?? (no > 0 && yes === 0 ? single : null),
    avgPrice: single,
  };
}

export function normalizePortfolio(raw: unknown): Portfolio {
  const r = (raw ?? {}) as Raw;
  return {
    balance: normalizeBalance(r.balance ?? r.account),
    positions: (Array.isArray(r.positions) ? r.positions : []).map(normalizePosition),
    settled: Array.isArray(r.settled)
      ? (r.settled as Raw[]).map((s) => ({
          marketId: String(s.marketId),
          title: s.title as string | undefined,
          outcome: (s.outcome ?? s.resolution) as "YES" | "NO" | "VOID",
          payout: pick(s, "payout", "amount") ?? 0,
          ts: s.ts ? toMs(s.ts) : undefined,
        }))
      : undefined,
  };
}

export function normalizeOrder(o: Raw): Order {
  return {
    ...(o as unknown as Order),
    price: pick(o, "price"),
    quantity: pick(o, "quantity", "qty") ?? 0,
    filledQty: pick(o, "filledQty") ?? 0,
    remainingQty: pick(o, "remainingQty") ?? 0,
    avgPrice: pick(o, "avgPrice"),
    createdAt: o.createdAt !== undefined ? toMs(o.createdAt) : undefined,
  };
}

export function normalizeFill(f: Raw): Fill {
  return {
    ...(f as unknown as Fill),
    id: (f.id ?? f.tradeSeq ?? f.seq) !== undefined ? String(f.id ?? f.tradeSeq ?? f.seq) : undefined,
    price: pick(f, "price") ?? 0,
    qty: pick(f, "qty", "quantity") ?? 0,
    fee: pick(f, "fee") ?? undefined,
    ts: toMs(f.ts ?? f.createdAt),
  };
}

/** A trade's price is the YES price (`price` or `yesPrice`). */
export function normalizeTrade(t: Raw): Trade {
  const id = t.id ?? t.seq ?? t.tradeSeq;
  return {
    ...(t as unknown as Trade),
    id: id !== undefined ? String(id) : undefined,
    price:
      pick(t, "price", "yesPrice") ?? (pick(t, "noPrice") !== null ? 1000 - (pick(t, "noPrice") ?? 0) : 0),
    qty: pick(t, "qty", "quantity") ?? 0,
    ts: toMs(t.ts ?? t.createdAt ?? Date.now()),
  };
}

export function normalizeTransaction(x: Raw): Transaction {
  return {
    id: String(x.id),
    type: String(x.type ?? x.kind ?? "entry"),
    amount: pick(x, "amount") ?? 0,
    ts: toMs(x.ts ?? x.createdAt),
    status: x.status as string | undefined,
    reference: (x.description ?? x.reference) as string | undefined,
    marketId: x.marketId as string | undefined,
  };
}
