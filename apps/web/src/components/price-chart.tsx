/** Loaded lazily: lightweight-charts is the heaviest dependency. YES price in rupees over time. */

import type { Candle, CandleInterval as Interval } from "@ox/client";
import {
  AreaSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { useCandles } from "../api/queries";
import { useT } from "../i18n";
import { useLive } from "../state/live-store";
import { Empty, ErrorState, Loading } from "./states";

/** The one place the API's paise names become the chart's point: the close, in rupees. */
function chartPoint(c: Candle) {
  return { time: Math.floor(c.t / 1000) as UTCTimestamp, value: c.closePaise / 100 };
}

const INTERVALS: Interval[] = ["1m", "5m", "1h", "1d"];
const INTERVAL_MS: Record<Interval, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
};

/**
 * A live trade the candles do not show yet (newer than the fetch, or in a bucket they lack): re-read
 * them shortly, a few times, since the API reads trades the persister has stored.
 */
function useRefetchOnLiveTrade(marketId: string, interval: Interval, q: ReturnType<typeof useCandles>) {
  const lastTradeTs = useLive((s) => s.trades[marketId]?.[0]?.ts ?? 0);
  const tries = useRef(0);
  const { refetch, dataUpdatedAt, data } = q;
  const step = INTERVAL_MS[interval];
  const lastBucket = data?.length ? Math.max(...data.map((c) => c.t)) : -1;
  const behind =
    lastTradeTs > 0 && (lastTradeTs > dataUpdatedAt || lastBucket < Math.floor(lastTradeTs / step) * step);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new trade or interval restarts the count
  useEffect(() => {
    tries.current = 0;
  }, [lastTradeTs, interval]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each answer (dataUpdatedAt) re-arms the timer
  useEffect(() => {
    if (!behind || tries.current >= 8) return;
    const timer = setTimeout(() => {
      tries.current++;
      refetch();
    }, 1000);
    return () => clearTimeout(timer);
  }, [behind, dataUpdatedAt, refetch]);
}

export default function PriceChart({ marketId }: { marketId: string }) {
  const t = useT();
  const [interval, setInterval] = useState<Interval>("5m");
  const q = useCandles(marketId, interval);
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Area"> | null>(null);
  const hasData = (q.data?.length ?? 0) > 0;
  useRefetchOnLiveTrade(marketId, interval, q);
  useEffect(() => {
    if (!el.current || !hasData) return;
    const c = createChart(el.current, {
      autoSize: true,
      height: 220,
      layout: {
        background: { color: "transparent" },
        textColor: "#64748b",
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { visible: false }, horzLines: { color: "#eef2f7" } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true },
      handleScroll: false,
      handleScale: false,
    });
    series.current = c.addSeries(AreaSeries, {
      lineColor: "#2563eb",
      topColor: "rgba(37,99,235,0.25)",
      bottomColor: "rgba(37,99,235,0.02)",
      lineWidth: 2,
      priceFormat: { type: "custom", formatter: (p: number) => `₹${p.toFixed(1)}`, minMove: 0.5 },
    });
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, [hasData]);

  useEffect(() => {
    if (!series.current || !q.data) return;
    const seen = new Set<number>();
    const points = q.data
      .map(chartPoint)
      .sort((a, b) => a.time - b.time)
      .filter((p) => {
        if (seen.has(p.time)) return false;
        seen.add(p.time);
        return true;
      });
    series.current.setData(points);
    chart.current?.timeScale().fitContent();
  }, [q.data]);

  return (
    <div className="chart">
      <fieldset className="seg" aria-label={t("interval")}>
        {INTERVALS.map((i) => (
          <button
            key={i}
            type="button"
            aria-pressed={interval === i}
            className={interval === i ? "active" : ""}
            onClick={() => setInterval(i)}
          >
            {i}
          </button>
        ))}
      </fieldset>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : !hasData ? (
        <Empty>{t("noCandles")}</Empty>
      ) : (
        <div ref={el} className="chart-canvas" data-testid="price-chart" />
      )}
    </div>
  );
}
