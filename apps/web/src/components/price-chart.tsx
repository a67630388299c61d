/**
 * Loaded lazily: lightweight-charts is the heaviest dependency. The YES chance in % over time, a
 * time range (1D/1W/1M/All) apart from the candle size, a crosshair readout of chance and time,
 * and the signed-in user's own fills marked on the line.
 */

import type { Candle, CandleInterval as Interval } from "@ox/client";
import {
  AreaSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useMemo, useRef, useState } from "react";
import { useCandles, useMarketFills } from "../api/queries";
import { useT } from "../i18n";
import {
  CHART_RANGES,
  type ChartRange,
  candlesInRange,
  type FillMark,
  fillMarks,
  formatPct,
  INTERVAL_MS,
  pctOfPaise,
} from "../lib/chart";
import { formatDateTime } from "../lib/time";
import { useLive } from "../state/live-store";
import { Empty, ErrorState, Loading } from "./states";

/** The one place the API's paise names become the chart's point: the close, as YES chance in %. */
function chartPoint(c: Candle) {
  return { time: Math.floor(c.t / 1000) as UTCTimestamp, value: pctOfPaise(c.closePaise) };
}

function marker(m: FillMark) {
  const buy = m.side === "BUY";
  return {
    time: Math.floor(m.t / 1000) as UTCTimestamp,
    position: buy ? ("belowBar" as const) : ("aboveBar" as const),
    shape: buy ? ("arrowUp" as const) : ("arrowDown" as const),
    color: buy ? "#15803d" : "#b91c1c",
    text: `${m.side === "BUY" ? "B" : "S"} ${m.qty} ${m.outcome}`,
  };
}

const INTERVALS: Interval[] = ["1m", "5m", "1h", "1d"];

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
  const [range, setRange] = useState<ChartRange>("ALL");
  const [hover, setHover] = useState<{ pct: number; time: number } | null>(null);
  const q = useCandles(marketId, interval);
  const fills = useMarketFills();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Area"> | null>(null);
  const markers = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const shown = useMemo(() => candlesInRange(q.data ?? [], range, Date.now()), [q.data, range]);
  const marks = useMemo(
    () => fillMarks(fills.data ?? [], marketId, shown, interval),
    [fills.data, marketId, shown, interval],
  );
  const hasData = shown.length > 0;
  useRefetchOnLiveTrade(marketId, interval, q);
  useEffect(() => {
    if (!el.current || !hasData) return;
    const c = createChart(el.current, {
      autoSize: true,
      height: 220,
      layout: {
        background: { color: "transparent" },
        textColor: "#475569",
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { visible: false }, horzLines: { color: "#eef2f7" } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true },
      localization: { timeFormatter: (s: number) => formatDateTime(s * 1000) },
      handleScroll: false,
      handleScale: false,
    });
    const area = c.addSeries(AreaSeries, {
      lineColor: "#2563eb",
      topColor: "rgba(37,99,235,0.25)",
      bottomColor: "rgba(37,99,235,0.02)",
      lineWidth: 2,
      priceFormat: { type: "custom", formatter: formatPct, minMove: 0.5 },
    });
    c.subscribeCrosshairMove((p) => {
      const point = p.time === undefined ? undefined : p.seriesData.get(area);
      const value = point && "value" in point ? Number(point.value) : null;
      setHover(value === null ? null : { pct: value, time: Number(p.time) * 1000 });
    });
    series.current = area;
    markers.current = createSeriesMarkers(area, []);
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
      markers.current = null;
    };
  }, [hasData]);

  useEffect(() => {
    if (!series.current) return;
    series.current.setData(shown.map(chartPoint));
    chart.current?.timeScale().fitContent();
  }, [shown]);
  useEffect(() => {
    markers.current?.setMarkers(marks.map(marker));
  }, [marks]);

  return (
    <div className="chart">
      <div className="chart-controls">
        <fieldset className="seg" aria-label={t("chartRange")}>
          {CHART_RANGES.map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={range === r}
              className={range === r ? "active" : ""}
              onClick={() => setRange(r)}
            >
              {r === "ALL" ? t("rangeAll") : r}
            </button>
          ))}
        </fieldset>
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
      </div>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : !hasData ? (
        <Empty>{t("noCandles")}</Empty>
      ) : (
        <>
          <output className="chart-readout muted small" data-testid="chart-readout" aria-live="off">
            {hover
              ? t("chartAt", { pct: formatPct(hover.pct), time: formatDateTime(hover.time) })
              : t("chartNow", { pct: formatPct(pctOfPaise(shown[shown.length - 1]?.closePaise ?? 0)) })}
          </output>
          <div
            ref={el}
            className="chart-canvas"
            data-testid="price-chart"
            data-candles={shown.length}
            data-own-fills={marks.length}
          />
          {marks.length > 0 && (
            <p className="muted small" data-testid="own-fills-legend">
              {t("ownFillsMarked", { n: marks.length })}
            </p>
          )}
        </>
      )}
    </div>
  );
}
