/**
 * A small, counted order load for the observability tests: one market, two funded users, and pairs
 * of crossing limit orders (BUY YES 600 + BUY NO 400, one MINT per pair) at a steady pace. Every
 * order sent is counted with the time it was answered, so a test can compare what Prometheus or the
 * health page saw against what was really sent.
 */
import { type HttpUser, loginUser } from "./crash-load.ts";

export interface PacedMarket {
  marketId: string;
  users: [HttpUser, HttpUser];
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await Bun.sleep(100);
  }
}

/** Admin creates a market; two users log in and deposit `deposit` paise each; both wait for the engine. */
export async function setUpPacedMarket(options: {
  base: () => string;
  adminPhone: string;
  userPhones: [string, string];
  deposit?: number;
}): Promise<PacedMarket> {
  const { base } = options;
  const admin = await loginUser(base, options.adminPhone);
  const created = await admin.call("POST", "/admin/markets", {
    title: "Observability load market",
    description: "Order load for the metrics tests",
    category: "test",
    rules: "r",
    closeAt: Date.now() + 86_400_000,
  });
  if (created.status !== 201) throw new Error(`market: ${created.status} ${JSON.stringify(created.json)}`);
  return fundPacedUsers({ ...options, marketId: created.json.market.id });
}

/** For a market that exists (created by someone else): the engine has it, two users are funded. */
export async function fundPacedUsers(options: {
  base: () => string;
  marketId: string;
  userPhones: [string, string];
  deposit?: number;
}): Promise<PacedMarket> {
  const { base, marketId } = options;
  const deposit = options.deposit ?? 5_000_000;
  const users: HttpUser[] = [];
  for (const phone of options.userPhones) {
    const u = await loginUser(base, phone);
    const d = await u.call("POST", "/wallet/deposits", { amountPaise: deposit });
    if (d.status !== 201) throw new Error(`deposit: ${d.status} ${JSON.stringify(d.json)}`);
    users.push(u);
  }
  await until(
    "market in the engine",
    async () => (await (users[0] as HttpUser).call("GET", `/markets/${marketId}/orderbook`)).status === 200,
  );
  for (const u of users)
    await until(
      "deposit in the engine",
      async () => (await u.call("GET", "/portfolio")).json.balance.availablePaise >= deposit,
    );
  return { marketId, users: users as [HttpUser, HttpUser] };
}

export interface PacedLoad {
  /** Orders the engine answered (201), with the time each answer came. */
  readonly answeredAt: number[];
  /** Anything else (a 202, a 4xx, a network error): the tests expect none. */
  readonly other: string[];
  stop(): Promise<void>;
}

/** Sends `pairsPerSecond` pairs of crossing orders until stopped (paced by wall clock, not by answers). */
export function startPacedLoad(market: PacedMarket, pairsPerSecond: number): PacedLoad {
  const answeredAt: number[] = [];
  const other: string[] = [];
  const [alice, bob] = market.users;
  let running = true;
  const order = async (u: HttpUser, outcome: "YES" | "NO", pricePaise: number) => {
    try {
      const r = await u.call("POST", "/orders", {
        marketId: market.marketId,
        outcome,
        side: "BUY",
        type: "LIMIT",
        pricePaise,
        quantity: 1,
      });
      if (r.status === 201) answeredAt.push(Date.now());
      else other.push(`${r.status} ${JSON.stringify(r.json)}`);
    } catch (err) {
      other.push(String(err));
    }
  };
  const began = Date.now();
  const done = (async () => {
    let sent = 0;
    while (running) {
      const due = began + (sent * 1000) / pairsPerSecond;
      const wait = due - Date.now();
      if (wait > 0) await Bun.sleep(wait);
      if (!running) break;
      sent++;
      // The resting YES first, then the crossing NO: one MINT per pair.
      await order(alice, "YES", 600);
      await order(bob, "NO", 400);
    }
  })();
  return {
    answeredAt,
    other,
    async stop() {
      running = false;
      await done;
    },
  };
}
