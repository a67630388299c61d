/**
 * The market a ledger entry belongs to. The ledger answer has no market field: trade, fee
 * and payout entries say it at the end of their description ("BUY 2 YES @ 650 (MATCH) in <marketId>", written
 * by the persister's plan), so it is read from there; other entries belong to no market.
 */
export function ledgerMarketId(entry: { kind: string; description: string | null }): string | null {
  if (entry.kind !== "TRADE" && entry.kind !== "FEE" && entry.kind !== "PAYOUT") return null;
  const m = / in (\S+)$/.exec(entry.description ?? "");
  return m?.[1] ?? null;
}
