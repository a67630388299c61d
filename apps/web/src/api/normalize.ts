/** Tolerant readers: the UI takes the SPEC names first and a few obvious variants second. */
import type { Market, Portfolio, Position } from "./types";

type Raw = Record<string, unknown>;

function num(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function toMs(v: unknown): number {
  const n = num(v);
  if (n !== null) return n < 1e11 ? n * 1000 : n;
  if (typeof v === "string") return Date.parse(v);
  return Number.NaN;
}

function firstNum(r: Raw, keys: string[]): number | null {
  for (const k of keys) {
    const n = num(r[k]);
    if (n !== null) return n;
  }
  return null;
}

export function normalizeMarket(raw: unknown): Market {
  const r = (raw ?? {}) as Raw;
  const m = (r.market && typeof r.market === "object" ? r.market : r) as Raw;
  const best = (m.best ?? m.prices ?? {}) as Raw;
  const yes = firstNum(m, ["yesPrice", "bestYes", "yesBuyPrice", "yes"]) ?? firstNum(best, ["yes", "YES"]);
  const no = firstNum(m, ["noPrice", "bestNo", "noBuyPrice", "no"]) ?? firstNum(best, ["no", "NO"]);
  return {
    id: String(m.id ?? ""),
    title: String(m.title ?? m.question ?? ""),
    description: (m.description as string) ?? undefined,
    category: String(m.category ?? "Other"),
    rules: (m.rules as string) ?? undefined,
    resolutionSource: (m.resolutionSource as string) ?? (m.source as string) ?? undefined,
    status: String(m.status ?? "OPEN"),
    closeAt: toMs(m.closeAt ?? m.closesAt),
    tick: firstNum(m, ["tick", "tickPaise"]) ?? 50,
    yesPrice: yes,
    noPrice: no,
    lastPrice: firstNum(m, ["lastPrice", "lastYesPrice"]),
    volume: firstNum(m, ["volume", "volumePaise", "volumeQty"]) ?? 0,
    outcome: (m.outcome as Market["outcome"]) ?? (m.resolution as Market["outcome"]) ?? null,
    imageUrl: (m.imageUrl as string) ?? undefined,
  };
}

export function normalizePortfolio(raw: unknown): Portfolio {
  const r = (raw ?? {}) as Raw;
  const b = (r.balance ?? {}) as Raw;
  const positions = (Array.isArray(r.positions) ? r.positions : []).map((p: Raw): Position => ({
    marketId: String(p.marketId),
    yes: num(p.yes) ?? num(p.yesQty) ?? 0,
    no: num(p.no) ?? num(p.noQty) ?? 0,
    avgYesPrice: num(p.avgYesPrice) ?? (num(p.yes) ? num(p.avgPrice) : null),
    avgNoPrice: num(p.avgNoPrice) ?? (!num(p.yes) && num(p.no) ? num(p.avgPrice) : null),
    avgPrice: num(p.avgPrice),
  }));
  return {
    balance: { available: num(b.available) ?? 0, locked: num(b.locked) ?? 0 },
    positions,
    settled: Array.isArray(r.settled) ? (r.settled as Portfolio["settled"]) : undefined,
  };
}
