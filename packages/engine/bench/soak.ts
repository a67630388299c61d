/**
 * npm run bench:soak [-- --orders N] [--window-ms W] [--sim-hours H] [--every N] [--market-hours H]
 *
 * Memory soak of the idempotency window (SEMANTICS.md "Idempotency memory"). Drives N orders (default
 * 2 M), every one with a fresh clientOrderId, plus a CREDIT with a fresh ref every 50 orders, through
 * the engine while command time advances evenly over H simulated hours (default 96 h, so a 24 h
 * window fills within the first quarter of the run). Markets stay open (`--market-hours H` resolves
 * and replaces them every H hours of command time instead), and each user cancels its oldest resting
 * order beyond five, so open orders stay bounded and only the idempotency memory could grow.
 *
 * The parent runs two children one after the other (a load generator never shares a process with
 * what it measures, and the two runs must not share a heap): the bounded engine (window W, default
 * 24 h) and, as the ceiling, the same engine with a window longer than the run (what every engine
 * did before: remember forever). Each child prints one JSON sample per `--every` orders: RSS, heap,
 * dedupe-map sizes, snapshot bytes; the parent prints them and a summary line, with `uptime`.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { createEngine } from "../src/index.ts";
import type { Command } from "../src/types.ts";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ORDERS = arg("orders", 2_000_000);
const WINDOW = arg("window-ms", 24 * 3_600_000);
const SIM_HOURS = arg("sim-hours", 96);
const EVERY = arg("every", 100_000);
const USERS = 1_000;
const MARKETS = 8;
/** 0: markets stay open all run, so only the window bounds the memory (resolution is tested apart). */
const MARKET_LIFE_MS = arg("market-hours", 0) * 3_600_000;

function gc() {
  const g = globalThis as { Bun?: { gc(force: boolean): void } };
  g.Bun?.gc(true);
}

function child(window: number) {
  const e = createEngine({ dedupeWindowMs: window });
  const start = 1_700_000_000_000;
  const step = Math.floor((SIM_HOURS * 3_600_000) / ORDERS);
  const apply = (c: Command) => e.apply(c);
  for (let u = 0; u < USERS; u++) {
    apply({ type: "CREATE_USER", userId: `u${u}`, ts: start });
    apply({
      type: "CREDIT",
      userId: `u${u}`,
      amountPaise: 2_000_000_000,
      ref: `seed-${u}`,
      kind: "DEPOSIT",
      ts: start,
    });
  }
  let generation = 0;
  const live: string[] = [];
  const openMarkets = (ts: number) => {
    for (const m of live)
      apply({ type: "RESOLVE_MARKET", marketId: m, outcome: generation % 2 ? "YES" : "NO", ts });
    live.length = 0;
    generation++;
    for (let k = 0; k < MARKETS; k++) {
      const marketId = `g${generation}-m${k}`;
      apply({ type: "CREATE_MARKET", marketId, ts });
      live.push(marketId);
    }
  };
  openMarkets(start);
  let nextRoll = MARKET_LIFE_MS > 0 ? start + MARKET_LIFE_MS : Number.POSITIVE_INFINITY;
  const resting: string[][] = Array.from({ length: USERS }, () => []);
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const t0 = performance.now();
  let refs = 0;
  for (let i = 0; i < ORDERS; i++) {
    const ts = start + i * step;
    if (ts >= nextRoll) {
      openMarkets(ts);
      nextRoll += MARKET_LIFE_MS;
      for (const r of resting) r.length = 0;
    }
    const u = rand(USERS);
    const userId = `u${u}`;
    const r = apply({
      type: "PLACE_ORDER",
      orderId: `o${i}`,
      userId,
      marketId: live[rand(MARKETS)],
      clientOrderId: `c${i}`,
      outcome: rand(2) ? "YES" : "NO",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 400 + 50 * rand(5),
      qty: 1 + rand(5),
      ts,
    });
    if (r.order?.status === "OPEN") {
      const mine = resting[u];
      mine.push(r.order.orderId);
      if (mine.length > 5) apply({ type: "CANCEL_ORDER", userId, orderId: mine.shift() as string, ts });
    }
    if (i % 50 === 0) {
      apply({ type: "CREDIT", userId, amountPaise: 100, ref: `top-${refs++}`, kind: "BONUS", ts });
    }
    if ((i + 1) % EVERY === 0) {
      gc();
      const m = process.memoryUsage();
      const d = e.dedupeStats();
      console.log(
        JSON.stringify({
          orders: i + 1,
          simHours: Math.round(((ts - start) / 3_600_000) * 10) / 10,
          rssMiB: Math.round(m.rss / 1048576),
          heapUsedMiB: Math.round(m.heapUsed / 1048576),
          clientOrderIds: d.clientOrderIds,
          refs: d.refs,
          snapshotKiB: (i + 1) % (EVERY * 5) === 0 ? Math.round(e.snapshot().length / 1024) : undefined,
          elapsedS: Math.round((performance.now() - t0) / 100) / 10,
        }),
      );
    }
  }
}

if (args.includes("--child")) {
  child(arg("child-window", WINDOW));
} else {
  const runs: Record<string, unknown>[] = [];
  const forever = Number.MAX_SAFE_INTEGER;
  for (const [label, window] of [
    ["bounded", WINDOW],
    ["forever", forever],
  ] as const) {
    const out = spawnSync(
      process.execPath,
      [import.meta.path ?? process.argv[1], ...args, "--child", "--child-window", String(window)],
      { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "inherit"] },
    );
    if (out.status !== 0) throw new Error(`soak child ${label} exited ${out.status}`);
    const samples = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const s of samples) console.log(JSON.stringify({ run: label, ...s }));
    const last = samples[samples.length - 1];
    const mid = samples[Math.floor(samples.length / 2)];
    runs.push({
      run: label,
      windowMs: window === forever ? "forever" : window,
      rssMiBAtHalf: mid.rssMiB,
      rssMiBAtEnd: last.rssMiB,
      heapMiBAtHalf: mid.heapUsedMiB,
      heapMiBAtEnd: last.heapUsedMiB,
      dedupeEntriesAtEnd: last.clientOrderIds + last.refs,
      seconds: last.elapsedS,
    });
  }
  console.log(
    JSON.stringify({
      bench: "engine-soak",
      orders: ORDERS,
      simHours: SIM_HOURS,
      runs,
      runtime: `bun ${process.versions.bun ?? "?"}`,
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
      note: "shared 2-core machine; numbers are noisy",
    }),
  );
}
