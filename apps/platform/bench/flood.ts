/**
 * `npm run bench:flood`: another user's latency while one user floods orders, with RATE_LIMITS=off
 * and on, in one run (issue 9's closing-note measurement). For each setting: the embedded platform
 * in its own process (embedded-server.ts, a fresh data directory), an admin creates a market, then
 * two load-generator processes (flood-client.ts) start together: the flooder at --flood-rate
 * requests/s (default 400) and the victim placing and cancelling at --victim-rate (default 10).
 * Each user comes from its own address, so only the per-user buckets and the shared server differ.
 * Prints one JSON line:
 *   {"off":{"victimP50Ms","victimP99Ms","floodAccepted",...},"on":{...},"loadavg":[1,5,15 min]}
 * floodAccepted: flood requests answered without 429 (they reached the order path); floodRefused:
 * answered 429. Options: --seconds (default 10), --flood-rate, --victim-rate, --rounds (default 1:
 * off, on; 2: off, on, off, on, pooled per setting, so a load change on a shared machine does not
 * land on one setting only).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "@ox/bus/testing";
import { type Subprocess, spawn } from "bun";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    "flood-rate": { type: "string", default: "400" },
    "victim-rate": { type: "string", default: "10" },
    rounds: { type: "string", default: "1" },
  },
});
const seconds = Number(args.seconds);
const floodRate = Number(args["flood-rate"]);
const victimRate = Number(args["victim-rate"]);
const rounds = Number(args.rounds);
const repoRoot = join(import.meta.dir, "../../..");
const ADMIN = "+919390000001";

const bun = (script: string, argv: string[], env: Record<string, string> = {}) =>
  spawn([process.execPath, join(import.meta.dir, script), ...argv], {
    cwd: repoRoot,
    env: { ...process.env, ...env } as Record<string, string>,
    stdout: "pipe",
    stderr: "pipe",
  });

async function readyUrl(proc: Subprocess<"ignore", "pipe", "pipe">): Promise<string> {
  const reader = proc.stdout.getReader();
  let text = "";
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const m = text.match(/ready (\S+)/);
    if (m) {
      reader.releaseLock();
      void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
      return (m[1] as string).replace("localhost", "127.0.0.1");
    }
  }
  throw new Error(`server did not start: ${text}${await new Response(proc.stderr).text()}`);
}

/** The admin's market, created over HTTP from this (orchestrating) process. */
async function createMarket(base: string): Promise<string> {
  let cookie = "";
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-forwarded-for": "10.200.0.1",
        ...(cookie && { cookie }),
      },
      body: JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0] ?? "";
      if (pair.startsWith("ox_session=")) cookie = pair;
    }
    return { status: res.status, json: (await res.json()) as { devOtp?: string; market?: { id: string } } };
  };
  const otp = await call("/auth/otp", { phone: ADMIN });
  await call("/auth/verify", { phone: ADMIN, otp: otp.json.devOtp });
  const market = await call("/admin/markets", {
    title: "Flood bench market",
    category: "bench",
    closeAt: Date.now() + 3_600_000,
  });
  if (market.status !== 201) throw new Error(`market: ${market.status} ${JSON.stringify(market.json)}`);
  return market.json.market?.id as string;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number)
    : NaN;
const round1 = (x: number) => Math.round(x * 10) / 10;

async function phase(rateLimits: "off" | "on") {
  const dir = mkdtempSync(join(tmpdir(), `ox-flood-${rateLimits}-`));
  const server = bun("embedded-server.ts", [], {
    PORT: String(await freePort()),
    DATA_DIR: join(dir, "data"),
    ADMIN_PHONES: ADMIN,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    DATABASE_URL: "",
    REDIS_URL: "",
    KAFKA_BROKERS: "",
    TRUSTED_PROXIES: "1",
    RATE_LIMITS: rateLimits,
  });
  try {
    const base = await readyUrl(server);
    const marketId = await createMarket(base);
    const startAt = String(Date.now() + 3_000); // both clients logged in by then
    const client = (role: string, phone: string, ip: string, rate: number) =>
      bun("flood-client.ts", [role, base, phone, ip, marketId, startAt, String(seconds), String(rate)]);
    const clients = [
      client("flood", "+919390000002", "10.200.0.2", floodRate),
      client("victim", "+919390000003", "10.200.0.3", victimRate),
    ];
    const [flood, victim] = await Promise.all(
      clients.map(async (p) => {
        const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
        if ((await p.exited) !== 0) throw new Error(`load generator failed: ${err}`);
        return JSON.parse(out.trim().split("\n").pop() as string) as {
          statuses: Record<string, number>;
          latenciesMs: number[];
        };
      }),
    );
    return {
      latenciesMs: victim?.latenciesMs ?? [],
      victimStatuses: victim?.statuses ?? {},
      floodStatuses: flood?.statuses ?? {},
    };
  } finally {
    server.kill("SIGTERM");
    await Promise.race([server.exited, Bun.sleep(30_000)]);
    server.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

type Raw = Awaited<ReturnType<typeof phase>>;
const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
};
function summary(runs: Raw[]) {
  const sorted = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const floodStatuses = runs.reduce((s, r) => add(s, r.floodStatuses), {} as Record<string, number>);
  const total = Object.values(floodStatuses).reduce((a, b) => a + b, 0);
  return {
    victimP50Ms: round1(percentile(sorted, 50)),
    victimP99Ms: round1(percentile(sorted, 99)),
    victimRequests: sorted.length,
    victimStatuses: runs.reduce((s, r) => add(s, r.victimStatuses), {} as Record<string, number>),
    // Answered without 429 (reached the order path); "0" counts requests never sent (256 in flight).
    floodAccepted: total - (floodStatuses["429"] ?? 0) - (floodStatuses["0"] ?? 0),
    floodRefused: floodStatuses["429"] ?? 0,
    floodStatuses,
  };
}
const raw: Record<"off" | "on", Raw[]> = { off: [], on: [] };
for (let r = 0; r < rounds; r++)
  for (const setting of ["off", "on"] as const) raw[setting].push(await phase(setting));
const off = summary(raw.off);
const on = summary(raw.on);
console.log(
  JSON.stringify({
    off,
    on,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    seconds,
    rounds,
    floodRate,
    victimRate,
  }),
);
