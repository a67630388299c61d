/** The one place paise become rupees. Integer math only; formatting happens at display. */

export const PAYOUT_PAISE = 1000;

/** 750 → "₹7.5", 1500 → "₹15", 123456 → "₹1,234.56", -250 → "-₹2.5". */
export function formatRupees(paise: number, opts: { fixed?: boolean } = {}): string {
  if (!Number.isFinite(paise)) return "—";
  const p = Math.trunc(paise);
  const sign = p < 0 ? "-" : "";
  const abs = Math.abs(p);
  const rupees = Math.floor(abs / 100);
  const rest = abs % 100;
  const whole = groupIndian(rupees);
  if (rest === 0 && !opts.fixed) return `${sign}₹${whole}`;
  const frac = rest.toString().padStart(2, "0");
  const trimmed = opts.fixed ? frac : frac.replace(/0$/, "");
  return `${sign}₹${whole}.${trimmed}`;
}

/** Signed rupees for P&L: "+₹2.5" / "-₹1" (fixed: "+₹2.50" / "-₹1.00"). */
export function formatSignedRupees(paise: number, opts: { fixed?: boolean } = {}): string {
  return paise > 0 ? `+${formatRupees(paise, opts)}` : formatRupees(paise, opts);
}

/** Indian digit grouping: 1234567 → "12,34,567". */
export function groupIndian(n: number): string {
  const s = Math.trunc(n).toString();
  if (s.length <= 3) return s;
  const last3 = s.slice(-3);
  const head = s.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${head},${last3}`;
}

/** Price in paise per share → implied probability in whole percent: 750 → 75. */
export function probabilityPct(pricePaise: number): number {
  return Math.round((pricePaise * 100) / PAYOUT_PAISE);
}

/** "₹7.5" typed by a user → 750 paise; null when not a valid amount with at most 2 decimals. */
export function parseRupees(input: string): number | null {
  const s = input.trim().replace(/^₹/, "").replace(/,/g, "");
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const whole = Number(m[1]);
  const frac = Number((m[2] ?? "").padEnd(2, "0"));
  if (!Number.isSafeInteger(whole * 100 + frac)) return null;
  return whole * 100 + frac;
}

/** Compact volume: 1234 → "1.2K", 2500000 → "25L" (lakh), for share counts and paise alike. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 10_000_000) return `${trim1(n / 10_000_000)}Cr`;
  if (abs >= 100_000) return `${trim1(n / 100_000)}L`;
  if (abs >= 1_000) return `${trim1(n / 1_000)}K`;
  return String(Math.trunc(n));
}

function trim1(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}
