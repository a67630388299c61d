/**
 * HTTP clients and a steady order load for the crash test and the e2e bench: users log in with the
 * console OTP, fund themselves with sandbox deposits, and place and cancel orders of every kind
 * (LIMIT GTC, post-only, IOC, FOK, MARKET with a worst price or a max cost) on both outcomes and
 * sides, so TRANSFER, MINT and MERGE fills all happen. Every answer is recorded: what got a 201/202
 * is what the test later demands to find exactly once.
 */
import { createRandomKit } from "@ox/engine/random";
export interface HttpUser {
  readonly phone: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  readonly cookie: string;
}

/** `pickBase()` chooses the API replica per request, so a dead replica only fails its own calls. */
export async function loginUser(pickBase: () => string, phone: string): Promise<HttpUser> {
  const jar = new Map<string, string>();
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${pickBase()}/api/v1${path}`, {
      method,
      headers: {
        ...(body !== undefined && { "content-type": "application/json" }),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair?.indexOf("=") ?? -1;
      if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const login = async () => {
    const otp = await send("POST", "/auth/otp", { phone });
    if (otp.status !== 200) throw new Error(`otp for ${phone}: ${otp.status} ${JSON.stringify(otp.json)}`);
    const verified = await send("POST", "/auth/verify", { phone, otp: otp.json.devOtp });
    if (verified.status !== 200)
      throw new Error(`verify ${phone}: ${verified.status} ${JSON.stringify(verified.json)}`);
  };
  // A 401 means the session is gone (a Redis that lost its data): nothing was done, so sign in
  // again and repeat the request once, as a browser would after its login page.
  const call = async (method: string, path: string, body?: unknown) => {
    const first = await send(method, path, body);
    if (first.status !== 401 || path.startsWith("/auth/")) return first;
    await login();
    return send(method, path, body);
  };
  await login();
  return {
    phone,
    call,
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    },
  };
}

/** A small deterministic PRNG, so a failing run can be replayed with its seed. */
export const createRandom = createRandomKit;

export interface AckedOrder {
  orderId: string;
  userPhone: string;
  clientOrderId: string;
  status: 201 | 202;
  /** When the answer came (ms). */
  at: number;
  /** Fills the 201 reported (trade seq and qty); a 202 reports none. */
  fills: { tradeSeq: number; qty: number }[];
}

export interface LoadStats {
  acked: Map<string, AckedOrder>;
  cancelsAcked: number;
  deposits: number;
  byStatus: Record<string, number>;
  errors: number;
  /** When the last order got a 201 (ms): orders flow when this moves. */
  last201At: number;
  /** When the newest order that got a 201 was sent (ms): "an order sent after t was applied". */
  last201SentAt: number;
}

export function createOrderLoad(options: {
  users: HttpUser[];
  marketIds: string[];
  seed: number;
  pauseMs: number;
}) {
  const stats: LoadStats = {
    acked: new Map(),
    cancelsAcked: 0,
    deposits: 0,
    byStatus: {},
    errors: 0,
    last201At: 0,
    last201SentAt: 0,
  };
  const rnd = createRandom(options.seed);
  let running = true;
  let counter = 0;
  const count = (key: string) => {
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
  };

  const orderBody = (marketId: string, clientOrderId: string) => {
    const outcome = rnd.pick(["YES", "NO"] as const);
    const side = rnd.next() < 0.62 ? "BUY" : "SELL";
    const price = rnd.int(7, 13) * 50; // 350..650: both outcomes' bids often sum past 1000 (MINT)
    const quantity = rnd.int(1, 6);
    const base = { marketId, outcome, side, quantity, clientOrderId };
    const kind = rnd.next();
    if (kind < 0.5) return { ...base, type: "LIMIT", pricePaise: price };
    if (kind < 0.6) return { ...base, type: "LIMIT", pricePaise: price - 100, postOnly: true };
    if (kind < 0.72) return { ...base, type: "LIMIT", pricePaise: price, timeInForce: "IOC" };
    if (kind < 0.82) return { ...base, type: "LIMIT", pricePaise: price, timeInForce: "FOK" };
    if (kind < 0.91 || side === "SELL")
      return { ...base, type: "MARKET", pricePaise: side === "BUY" ? 750 : 250 };
    return { ...base, type: "MARKET", maxCostPaise: quantity * 700 };
  };

  const worker = async (user: HttpUser, index: number) => {
    const open: string[] = [];
    while (running) {
      const roll = rnd.next();
      try {
        if (roll < 0.2 && open.length > 0) {
          // Mostly the newest resting order (likely still open), sometimes an old one (likely filled).
          const at = rnd.next() < 0.7 ? open.length - 1 : rnd.int(0, open.length - 1);
          const id = open.splice(at, 1)[0] as string;
          const r = await user.call("DELETE", `/orders/${id}`);
          count(`cancel ${r.status}`);
          if (r.status === 200 || r.status === 201 || r.status === 202) stats.cancelsAcked++;
        } else if (roll < 0.22) {
          const r = await user.call("POST", "/wallet/deposits", { amountPaise: 10_000 });
          count(`deposit ${r.status}`);
          if (r.status < 300) stats.deposits++;
        } else {
          const clientOrderId = `c${options.seed}-${index}-${++counter}`;
          const sentAt = Date.now();
          const r = await user.call("POST", "/orders", orderBody(rnd.pick(options.marketIds), clientOrderId));
          count(`order ${r.status}`);
          if (r.status === 201 || r.status === 202) {
            const order = r.json.order;
            stats.acked.set(order.id, {
              orderId: order.id,
              userPhone: user.phone,
              clientOrderId,
              status: r.status,
              at: Date.now(),
              fills: (order.fills ?? []).map((f: { tradeSeq: number; qty: number }) => ({
                tradeSeq: f.tradeSeq,
                qty: f.qty,
              })),
            });
            if (r.status === 201) {
              stats.last201At = Date.now();
              stats.last201SentAt = Math.max(stats.last201SentAt, sentAt);
            }
            if (r.status === 202 || order.status === "OPEN") open.push(order.id);
            if (open.length > 30) open.shift();
          }
        }
      } catch {
        stats.errors++; // a killed API: connection refused or reset; nothing was acknowledged
        await Bun.sleep(50);
      }
      await Bun.sleep(options.pauseMs);
    }
  };

  const done = Promise.all(options.users.map((u, i) => worker(u, i)));
  return {
    stats,
    async stop() {
      running = false;
      await done;
    },
  };
}
