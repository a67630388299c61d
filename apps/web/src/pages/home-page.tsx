import type { Market } from "@ox/client";
import { useMemo, useState } from "react";
import { useMarkets } from "../api/queries";
import { MarketCard } from "../components/market-card";
import { QueryView } from "../components/states";
import { categoryLabel, useT } from "../i18n";
import { useNow } from "../lib/use-now";

const STATUS_ORDER: Record<string, number> = { OPEN: 0, CLOSED: 1 };

export function filterMarkets(list: Market[], category: string, query: string): Market[] {
  const q = query.trim().toLowerCase();
  return list
    .filter((m) => category === "" || m.category === category)
    .filter((m) => !q || m.title.toLowerCase().includes(q) || m.category.toLowerCase().includes(q))
    .sort((a, b) => (STATUS_ORDER[a.status] ?? 2) - (STATUS_ORDER[b.status] ?? 2) || a.closeAt - b.closeAt);
}

export function HomePage() {
  const t = useT();
  const markets = useMarkets();
  const now = useNow(1000);
  const [category, setCategory] = useState("");
  const [query, setQuery] = useState("");
  const categories = useMemo(
    () => [...new Set((markets.data ?? []).map((m) => m.category))].sort(),
    [markets.data],
  );
  const shown = useMemo(
    () => filterMarkets(markets.data ?? [], category, query),
    [markets.data, category, query],
  );

  return (
    <div className="page">
      <h1 className="sr-only">{t("navHome")}</h1>
      <div className="home-head">
        <label className="search">
          <span className="sr-only">{t("searchLabel")}</span>
          <input
            type="search"
            aria-label={t("searchLabel")}
            placeholder={t("searchPlaceholder")}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </label>
        <div className="chips" role="tablist" aria-label={t("categories")}>
          {["", ...categories].map((c) => (
            <button
              key={c || "all"}
              type="button"
              role="tab"
              aria-selected={category === c}
              className={category === c ? "chip-btn active" : "chip-btn"}
              onClick={() => setCategory(c)}
            >
              {c ? categoryLabel(t, c) : t("allCategories")}
            </button>
          ))}
        </div>
      </div>
      <QueryView query={markets} isEmpty={() => shown.length === 0} empty={t("noMarkets")}>
        {() => (
          <div className="market-grid">
            {shown.map((m) => (
              <MarketCard key={m.id} market={m} now={now} />
            ))}
          </div>
        )}
      </QueryView>
    </div>
  );
}
