/**
 * One live line chart of the System health page (lightweight-charts, the library of the market's
 * price chart; loaded lazily with it). Null samples are gaps; a limit is a dashed price line. The
 * wrapper carries `data-points` (non-null points of the first line), `data-last` (its newest value)
 * and `data-last-t` (the newest sample's time) for tests.
 */
import {
  createChart,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  LineSeries,
  LineStyle,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";

export interface HealthLine {
  name: string;
  color: string;
  values: (number | null)[];
}

const clock = (t: number) =>
  new Date(t * 1000).toLocaleTimeString("en-IN", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export default function HealthChart({
  times,
  lines,
  limit,
  testId,
  format,
}: {
  /** Sample times, epoch ms, oldest first. */
  times: number[];
  lines: HealthLine[];
  limit?: number;
  testId: string;
  format: (v: number) => string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Line">[]>([]);
  const limitLine = useRef<IPriceLine | null>(null);
  const names = lines.map((l) => `${l.name}:${l.color}`).join("|");
  const formatRef = useRef(format);
  formatRef.current = format;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt only when its lines change
  useEffect(() => {
    if (!el.current) return;
    const c = createChart(el.current, {
      autoSize: true,
      height: 160,
      layout: {
        background: { color: "transparent" },
        textColor: "#64748b",
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { visible: false }, horzLines: { color: "#eef2f7" } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: true, tickMarkFormatter: clock },
      localization: { timeFormatter: clock, priceFormatter: (p: number) => formatRef.current(p) },
      handleScroll: false,
      handleScale: false,
    });
    series.current = lines.map((l) =>
      c.addSeries(LineSeries, { color: l.color, lineWidth: 2, title: l.name, priceLineVisible: false }),
    );
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
      series.current = [];
      limitLine.current = null;
    };
  }, [names]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a rebuilt chart (new lines) needs its limit line again
  useEffect(() => {
    const first = series.current[0];
    if (!first) return;
    if (limitLine.current) first.removePriceLine(limitLine.current);
    limitLine.current =
      limit === undefined
        ? null
        : first.createPriceLine({
            price: limit,
            color: "#dc2626",
            lineStyle: LineStyle.Dashed,
            lineWidth: 1,
            axisLabelVisible: true,
            title: "limit",
          });
  }, [limit, names]);

  useEffect(() => {
    lines.forEach((line, i) => {
      const s = series.current[i];
      if (!s) return;
      // One point per second at most (lightweight-charts needs strictly increasing times).
      const points = new Map<number, number | null>();
      times.forEach((t, j) => {
        points.set(Math.floor(t / 1000), line.values[j] ?? null);
      });
      s.setData(
        [...points].map(([time, value]) =>
          value === null ? { time: time as UTCTimestamp } : { time: time as UTCTimestamp, value },
        ),
      );
    });
    chart.current?.timeScale().fitContent();
  });

  const first = (lines[0]?.values ?? []).filter((v) => v !== null);
  return (
    <div
      ref={el}
      className="health-chart"
      data-testid={testId}
      data-points={first.length}
      data-last={first.at(-1) ?? ""}
      data-last-t={times.at(-1) ?? 0}
    />
  );
}
