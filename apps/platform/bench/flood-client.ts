/**
 * One load-generating user of bench:flood, in its own process (never the server's): logs in with
 * the console OTP from its own address (X-Forwarded-For; the server runs with TRUSTED_PROXIES=1),
 * waits for the common start time, then for `seconds`:
 *   flood   fires POST /orders open-loop at `rate` per second (at most 256 in flight), a 1-share bid
 *           it can pay for only until its bonus is locked (later ones are engine rejections);
 *   victim  places a 1-share bid and cancels it, alternately, one request every 1/`rate` s.
 * Prints one JSON line: statuses by code and, for the victim, every request's latency in ms.
 * argv: role base phone ip marketId startAtMs seconds rate
 */
import { argv } from "node:process";

/** The few answer fields the clients read. */
type Json = { devOtp?: string; order?: { id?: string }; balance?: { availablePaise?: number } };
type Answer = { status: number; json: Json };
const [role, base, phone, ip, marketId, startAt, seconds, rate] = argv.slice(2) as string[];

let cookie = "";
async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      "x-forwarded-for": ip as string,
      ...(body !== undefined && { "content-type": "application/json" }),
      ...(cookie && { cookie }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(";")[0] ?? "";
    if (pair.startsWith("ox_session=")) cookie = pair;
  }
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
}

const otp = await call("POST", "/auth/otp", { phone });
const verified = await call("POST", "/auth/verify", { phone, otp: otp.json.devOtp });
if (verified.status !== 200)
  throw new Error(`login ${phone}: ${verified.status} ${JSON.stringify(verified.json)}`);
// The account reaches the engine through the outbox; wait until an order is not USER_NOT_FOUND.
for (let i = 0; i < 100; i++) {
  const probe = await call("GET", "/portfolio");
  if (probe.status === 200 && Number(probe.json.balance?.availablePaise) > 0) break;
  await Bun.sleep(50);
}

const bid = () => ({ marketId, outcome: "YES", side: "BUY", type: "LIMIT", pricePaise: 100, quantity: 1 });
const statuses: Record<string, number> = {};
const latenciesMs: number[] = [];
const count = (status: number) => {
  statuses[status] = (statuses[status] ?? 0) + 1;
};
await Bun.sleep(Math.max(0, Number(startAt) - Date.now()));
const endAt = Date.now() + Number(seconds) * 1000;
const intervalMs = 1000 / Number(rate);

if (role === "flood") {
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  for (let next = performance.now(); Date.now() < endAt; next += intervalMs) {
    const wait = next - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    if (inFlight >= 256) {
      count(0); // not sent: the server is this far behind
      continue;
    }
    inFlight++;
    const p = call("POST", "/orders", bid())
      .then((r) => count(r.status))
      .catch(() => count(-1))
      .finally(() => {
        inFlight--;
        pending.delete(p);
      });
    pending.add(p);
  }
  await Promise.allSettled([...pending]);
} else {
  let open: string | null = null;
  for (let next = performance.now(); Date.now() < endAt; next += intervalMs) {
    const wait = next - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const started = performance.now();
    const r: Answer = open
      ? await call("DELETE", `/orders/${open}`).catch(() => ({ status: -1, json: {} }))
      : await call("POST", "/orders", bid()).catch(() => ({ status: -1, json: {} }));
    latenciesMs.push(performance.now() - started);
    count(r.status);
    open = open ? null : r.status === 201 || r.status === 202 ? (r.json.order?.id ?? null) : null;
  }
}
console.log(JSON.stringify({ role, statuses, latenciesMs }));
