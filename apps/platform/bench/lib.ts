/**
 * The parts of `npm run bench:e2e` that are not the run itself, so they can be tested alone:
 * the wrk load generators (separate processes) and the exact merge of their latency distributions,
 * CPU time of a process from /proc/<pid>/stat, finding a server's pids by its TCP port, and the
 * shape of the --json result.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";

export const LOAD_SCRIPT = join(import.meta.dir, "load.lua");
export const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------- wrk

/** What one wrk process prints (load.lua's done(): one "WRKJSON {...}" line). */
export interface WrkOut {
  durationUs: number;
  requests: number;
  status: Record<string, number>;
  errors: { connect: number; read: number; write: number; timeout: number };
  /** [percent, microseconds] points of the generator's latency distribution. */
  quantilesUs: [number, number][];
  /** Requests the generator built and the order-path items (orders, cancels) they carried. */
  sent?: { requests: number; items: number };
}

export interface Measured {
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  errors: number;
  rejected: number;
  requests: number;
  byStatus: Record<string, number>;
  /** Orders or cancels per answered request (1 for single orders; up to 20 for batches). */
  itemsPerRequest: number;
  /** CPU the load generators used, so it is visible what they took from the 2 cores. */
  loadgenCpuMs: number;
  durationSec: number;
}

/**
 * The value at quantile q (0..1) of a distribution given as weighted samples: the smallest value
 * whose cumulative weight reaches q of the total. Samples need not be sorted.
 */
export function quantile(samples: readonly (readonly [value: number, weight: number])[], q: number): number {
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, w]) => s + w, 0);
  if (total <= 0) return 0;
  const want = q * total - 1e-9 * total;
  let seen = 0;
  for (const [v, w] of sorted) {
    seen += w;
    if (seen >= want) return v;
  }
  return sorted.at(-1)?.[0] ?? 0;
}

/** Business answers of the engine (no such open order, insufficient funds, position limit). */
const REFUSALS = new Set([404, 409, 422]);

/**
 * Merges several generators' results exactly: status counts add up; each generator's quantile
 * points become samples weighted by its share of requests between points, so a generator that sent
 * more requests weighs more in the merged percentiles.
 */
export function mergeWrk(outs: readonly WrkOut[], loadgenCpuUs = 0): Measured {
  const byStatus: Record<string, number> = {};
  const samples: [number, number][] = [];
  let socketErrors = 0;
  let durationUs = 0;
  let sentRequests = 0;
  let sentItems = 0;
  for (const o of outs) {
    for (const [s, n] of Object.entries(o.status)) byStatus[s] = (byStatus[s] ?? 0) + n;
    let prev = 0;
    for (const [q, v] of o.quantilesUs) {
      samples.push([v, ((q - prev) / 100) * o.requests]);
      prev = q;
    }
    socketErrors += o.errors.connect + o.errors.read + o.errors.write + o.errors.timeout;
    durationUs = Math.max(durationUs, o.durationUs);
    sentRequests += o.sent?.requests ?? 0;
    sentItems += o.sent?.items ?? 0;
  }
  let ok = 0;
  let rejected = 0;
  let bad = 0;
  for (const [s, n] of Object.entries(byStatus)) {
    const status = Number(s);
    if (status >= 200 && status < 300) ok += n;
    else if (REFUSALS.has(status)) rejected += n;
    else bad += n;
  }
  const durationSec = durationUs / 1e6;
  const at = (q: number) => round(quantile(samples, q) / 1_000);
  return {
    perSec: durationSec > 0 ? Math.round((ok + rejected) / durationSec) : 0,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    errors: bad + socketErrors,
    rejected,
    requests: ok + rejected + bad,
    byStatus,
    itemsPerRequest: sentRequests > 0 ? round(sentItems / sentRequests) : 1,
    loadgenCpuMs: Math.round(loadgenCpuUs / 1_000),
    durationSec: round(durationSec),
  };
}

/** Parses the WRKJSON line out of a wrk process's stdout. */
export function parseWrkOutput(text: string): WrkOut {
  const line = text.split("\n").find((l) => l.startsWith("WRKJSON "));
  if (!line) throw new Error(`wrk printed no result: ${text}`);
  return JSON.parse(line.slice("WRKJSON ".length)) as WrkOut;
}

export type WrkMode = "orders" | "batch" | "echo";

/**
 * Runs one wrk process (one thread each) per config file, at most `connections` of them, sharing
 * `connections` between them, and merges their results. The generators are child processes of
 * this one: the server under test never runs a client.
 */
export async function runWrk(opts: {
  url: string;
  mode: WrkMode;
  connections: number;
  seconds: number;
  configs: string[];
  onStart?: (pids: number[]) => void;
}): Promise<Measured & { generatorPids: number[] }> {
  const count = Math.min(opts.configs.length, opts.connections);
  const procs: Subprocess<"ignore", "pipe", "pipe">[] = [];
  for (let g = 0; g < count; g++) {
    const conns = Math.floor(opts.connections / count) + (g < opts.connections % count ? 1 : 0);
    procs.push(
      spawn(
        [
          "wrk",
          "-t1",
          `-c${conns}`,
          `-d${Math.max(1, Math.round(opts.seconds))}s`,
          "--timeout",
          "10s",
          "-s",
          LOAD_SCRIPT,
          opts.url,
          "--",
          opts.configs[g] as string,
          opts.mode,
          `g${g}`,
        ],
        { stdout: "pipe", stderr: "pipe" },
      ),
    );
  }
  const generatorPids = procs.map((p) => p.pid);
  opts.onStart?.(generatorPids);
  const outs: WrkOut[] = [];
  let loadgenCpuUs = 0;
  for (const p of procs) {
    const [text, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
    await p.exited;
    const usage = p.resourceUsage();
    if (usage) loadgenCpuUs += Number(usage.cpuTime.user + usage.cpuTime.system);
    outs.push(parseWrkOutput(`${text}\n${err}`));
  }
  return { ...mergeWrk(outs, loadgenCpuUs), generatorPids };
}

// ------------------------------------------------------------------------------------ /proc CPU

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a /proc/<pid>/stat line, in ms (the command name may contain spaces and ")"). */
export function cpuMsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** The parent pid field of a /proc/<pid>/stat line. */
export function ppidOfStat(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** A pid, or "<pid>/task/<tid>" for one thread of a process (a worker thread, the main thread). */
export type ProcId = number | string;

export function cpuMsOf(pid: ProcId): number {
  try {
    return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return 0; // exited
  }
}

/** Named groups of pids (a group's pid list is re-read at each sample: Postgres backends come and go). */
export type PidSource = () => Promise<ProcId[]> | ProcId[];
export type CpuSample = Record<string, Map<ProcId, number>>;

export async function sampleCpu(sources: Record<string, PidSource>): Promise<CpuSample> {
  const out: CpuSample = {};
  for (const [name, src] of Object.entries(sources)) {
    out[name] = new Map((await src()).map((pid) => [pid, cpuMsOf(pid)]));
  }
  return out;
}

/** CPU ms per group between two samples; a pid that appeared in between counts from zero. */
export function cpuDelta(before: CpuSample, after: CpuSample): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pids] of Object.entries(after)) {
    let ms = 0;
    for (const [pid, now] of pids) ms += Math.max(0, now - (before[name]?.get(pid) ?? 0));
    out[name] = ms;
  }
  return out;
}

/** CPU ms per 1 000 items for every group. */
export function per1000(cpu: Record<string, number>, items: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(cpu).map(([k, v]) => [k, items > 0 ? round((v * 1_000) / items, 1) : 0]),
  );
}

/** Average cores used per group over a phase of `durationSec` wall seconds. */
export function coresUsed(cpu: Record<string, number>, durationSec: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(cpu).map(([k, v]) => [k, durationSec > 0 ? round(v / (durationSec * 1_000)) : 0]),
  );
}

// ----------------------------------------------------------------------------- pids by TCP port

/** Socket inodes of TCP sockets whose local port is `port` (listening only, or any state). */
export function socketInodes(port: number, listening: boolean): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && (!listening || cols[3] === "0A")) inodes.add(cols[9] as string);
    }
  }
  inodes.delete("0");
  return inodes;
}

/** Whether process `pid` holds any of these socket inodes open (root, or the same user, can read /proc/<pid>/fd). */
export function holdsSocket(pid: number, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      const inode = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1];
      return inode !== undefined && inodes.has(inode);
    } catch {
      return false;
    }
  });
}

/** The pids holding any of these socket inodes open. */
export function pidsHoldingSockets(inodes: Set<string>): number[] {
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync("/proc"))
    if (/^\d+$/.test(entry) && holdsSocket(Number(entry), inodes)) pids.push(Number(entry));
  return pids.sort((a, b) => a - b);
}

/** The process(es) listening on a TCP port (a forking server's children share the socket: lowest first). */
export function listenerPids(port: number): number[] {
  return pidsHoldingSockets(socketInodes(port, true));
}

/** A process and every process below it (Postgres: the postmaster, its backends and helpers). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = ppidOfStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop() as number;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

// ---------------------------------------------------------------------------------- JSON result

export interface Phase extends Measured {
  mode: "embedded" | "distributed" | "cluster";
  /** Cluster mode: matching shards, risk shards and API replicas of `npm run cluster`. */
  shards?: number;
  risk?: number;
  api?: number;
  connections: number;
  cpuMsPer1000: Record<string, number>;
  /** Cores each process group used on average during the phase (CPU ms / wall ms): what it got. */
  cpuCores: Record<string, number>;
  load1: number;
}

export interface BenchResult {
  echo: {
    perSec: number;
    p50Ms: number;
    p99Ms: number;
    p999Ms: number;
    errors: number;
    load1: number;
  } | null;
  phases: Phase[];
  batch: {
    mode: "embedded";
    ordersPerSec: number;
    p50Ms: number;
    p99Ms: number;
    errors: number;
    connections: number;
    cpuMsPer1000: Record<string, number>;
    cpuCores: Record<string, number>;
  } | null;
  /** Why batch is null (the server answered 404, or the run skipped it). */
  batchUnavailable?: string;
  persisterCatchUpMs: Record<string, number | null>;
  /** 1, 5 and 15 minute load averages at the start and the end of the run. */
  loadavg: { start: number[]; end: number[] };
  server: { root: string; commit: string | null };
  settings: Record<string, unknown>;
  notes: string[];
}

/**
 * What is wrong with a result's shape (empty when it has every promised field). The bench checks
 * its own output with it, and the tests check the checker.
 */
export function shapeProblems(r: unknown): string[] {
  const problems: string[] = [];
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
  const num = (o: Record<string, unknown>, k: string, where: string) => {
    if (typeof o[k] !== "number" || !Number.isFinite(o[k])) problems.push(`${where}.${k} is not a number`);
  };
  if (!isObj(r)) return ["result is not an object"];
  if (r.echo !== null) {
    if (!isObj(r.echo)) problems.push("echo is neither an object nor null");
    else for (const k of ["perSec", "p50Ms", "p99Ms"]) num(r.echo, k, "echo");
  }
  if (!Array.isArray(r.phases)) problems.push("phases is not an array");
  else
    r.phases.forEach((p: unknown, i) => {
      if (!isObj(p)) {
        problems.push(`phases[${i}] is not an object`);
        return;
      }
      if (p.mode !== "embedded" && p.mode !== "distributed" && p.mode !== "cluster")
        problems.push(`phases[${i}].mode is ${p.mode}`);
      if (p.mode === "cluster") {
        for (const k of ["shards", "risk", "api"]) num(p, k, `phases[${i}]`);
        if (isObj(p.cpuMsPer1000))
          for (const k of ["api", "match.0", "risk.0", "persister", "stream"])
            if (!(k in p.cpuMsPer1000)) problems.push(`phases[${i}].cpuMsPer1000 has no ${k}`);
      }
      for (const k of ["connections", "perSec", "p50Ms", "p99Ms", "p999Ms", "errors"])
        num(p, k, `phases[${i}]`);
      if (!isObj(p.cpuMsPer1000)) problems.push(`phases[${i}].cpuMsPer1000 is not an object`);
      else for (const k of Object.keys(p.cpuMsPer1000)) num(p.cpuMsPer1000, k, `phases[${i}].cpuMsPer1000`);
    });
  if (r.batch === null) {
    if (typeof r.batchUnavailable !== "string") problems.push("batch is null without batchUnavailable");
  } else if (!isObj(r.batch)) problems.push("batch is neither an object nor null");
  else {
    if (typeof r.batch.mode !== "string") problems.push("batch.mode is not a string");
    for (const k of ["ordersPerSec", "p99Ms"]) num(r.batch, k, "batch");
  }
  if (!isObj(r.loadavg)) problems.push("loadavg is not an object");
  else
    for (const k of ["start", "end"]) {
      const l = r.loadavg[k];
      if (!Array.isArray(l) || l.length !== 3 || !l.every((x) => typeof x === "number"))
        problems.push(`loadavg.${k} is not [1, 5, 15] minute numbers`);
    }
  if (!Array.isArray(r.notes)) problems.push("notes is not an array");
  return problems;
}
