/**
 * The API's Prometheus metrics: HTTP by route template and status class, engine round trips, and the
 * business counts only the API sees (deposits and withdrawals by status). Hot-path updates go to
 * label children bound once (see @ox/metrics childTable) that count in plain numbers until a
 * scrape (@ox/metrics deferred.ts), never a label object or a label hash per request.
 */
import {
  childMap,
  childTable,
  deferredCounter,
  deferredHistogram,
  Gauge,
  LATENCY_SECONDS,
  type Registry,
} from "@ox/metrics";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";

export interface ApiMetrics {
  readonly registry: Registry;
  /** Hono middleware: counts, times and tracks in-flight requests by route template. */
  http: MiddlewareHandler<AppEnv>;
  /** `http`'s first half, for a caller running its own chain (middleware/api-edge.ts): returns the start. */
  httpStart(): number;
  /** `http`'s second half, once the answer is in `c.res`. */
  httpEnd(c: Context<AppEnv>, startedMs: number): void;
  /** One engine request/reply: command type, seconds, and whether a reply came. */
  engineRoundTrip(type: string, seconds: number, answered: boolean): void;
  /** Cumulative histogram of PLACE_ORDER round trips (for the admin health page's percentiles). */
  roundTripSnapshot(): { buckets: number[]; counts: number[]; count: number };
}

const CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
const UNMATCHED = "unmatched";

function routeOf(c: Context<AppEnv>): string {
  // The first route with a method is the handler's template (`/api/v1/orders/:id`); `use("*")`
  // middleware entries have method ALL. A 404 has none: one label, never the raw path.
  const routes = c.req.matchedRoutes;
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i];
    if (r && r.method !== "ALL") return r.path;
  }
  return UNMATCHED;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const requests = deferredCounter({
    name: "ox_http_requests_total",
    help: "HTTP requests answered, by method, route template and status class",
    labelNames: ["method", "route", "status_class"],
    registers: [registry],
  });
  const duration = deferredHistogram({
    name: "ox_http_request_duration_seconds",
    help: "HTTP request duration by method and route template",
    labelNames: ["method", "route"],
    buckets: LATENCY_SECONDS,
    registers: [registry],
  });
  // A plain count, read at scrape time: a Gauge's inc()/dec() hash their (empty) labels each call.
  let inFlight = 0;
  new Gauge({
    name: "ox_http_requests_in_flight",
    help: "HTTP requests being handled now",
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });
  const rateLimited = deferredCounter({
    name: "ox_http_rate_limited_total",
    help: "Requests refused with 429 by a rate limit, by route template",
    labelNames: ["route"],
    registers: [registry],
  });
  const accepted = deferredCounter({
    name: "ox_http_accepted_total",
    help: "202 answers: the engine did not reply in time, the command stays queued",
    labelNames: ["route"],
    registers: [registry],
  });
  const roundTrip = deferredHistogram({
    name: "ox_engine_round_trip_seconds",
    help: "API to engine and back (queue, apply, durable log append, reply), by command type",
    labelNames: ["type"],
    buckets: LATENCY_SECONDS,
    registers: [registry],
  });
  const timeouts = deferredCounter({
    name: "ox_engine_round_trip_timeouts_total",
    help: "Engine commands the API stopped waiting for, by command type",
    labelNames: ["type"],
    registers: [registry],
  });

  // Per (method, route): the five status-class counters and the histogram child.
  const bound = childTable((method, route) => ({
    classes: CLASSES.map((k) => requests.child(method, route, k)),
    duration: duration.child(method, route),
  }));
  const limited = childMap((route) => rateLimited.child(route));
  const pending = childMap((route) => accepted.child(route));
  const rt = childMap((type) => roundTrip.child(type));
  const rtTimeouts = childMap((type) => timeouts.child(type));
  // Our own copy of the PLACE_ORDER buckets: the page reads it without parsing the exposition.
  const placeBuckets = LATENCY_SECONDS;
  const placeCounts = new Array<number>(placeBuckets.length + 1).fill(0);
  let placeCount = 0;

  const httpStart = () => {
    inFlight++;
    return performance.now();
  };
  const httpEnd = (c: Context<AppEnv>, started: number) => {
    inFlight--;
    const route = routeOf(c);
    const status = c.res.status;
    const b = bound(c.req.method, route);
    b.classes[Math.min(4, Math.max(0, Math.floor(status / 100) - 1))]?.inc();
    b.duration.observe((performance.now() - started) / 1000);
    if (status === 429) limited(route).inc();
    else if (status === 202) pending(route).inc();
  };

  return {
    registry,
    async http(c, next) {
      const started = httpStart();
      try {
        await next();
      } finally {
        httpEnd(c, started);
      }
    },
    httpStart,
    httpEnd,
    engineRoundTrip(type, seconds, answered) {
      if (!answered) {
        rtTimeouts(type).inc();
        return;
      }
      rt(type).observe(seconds);
      if (type === "PLACE_ORDER") {
        let i = 0;
        while (i < placeBuckets.length && seconds > (placeBuckets[i] as number)) i++;
        placeCounts[i] = (placeCounts[i] as number) + 1;
        placeCount++;
      }
    },
    roundTripSnapshot: () => ({ buckets: placeBuckets, counts: [...placeCounts], count: placeCount }),
  };
}
