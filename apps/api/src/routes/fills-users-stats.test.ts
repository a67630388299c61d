import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { trades } from "@ox/db";
import { createInProcessEngineReader } from "@ox/engine-client";
import { type Client, signIn } from "../test-harness.ts";
import { createSystemStatsProvider } from "./admin-stats.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
let alice: Client;
let bob: Client;
let marketId: string;
let reconciles = 0;
const json = async (res: Response) => (await res.json()) as Record<string, any>;

beforeAll(async () => {
  h = await createTradingHarness();
  const stats = createSystemStatsProvider({
    engine: () => h.service.stats(),
    persister: () => ({ offset: 7, lag: 2 }),
    stream: async () => ({ clusterSockets: 3 }),
    reconcile: async () => {
      reconciles++;
      return { ok: true, differences: 0 };
    },
  });
  h.app = h.rebuild({ systemStats: stats }).app;
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h, "+919812345601");
  bob = await signIn(h, "+919812345602");
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will it rain?",
    category: "weather",
    closeAt: Date.now() + 3_600_000,
  });
  marketId = (await json(res)).market.id;
  await h.settle();
});
afterAll(async () => {
  await h.close();
});

const trade = (seq: number, maker: string, taker: string) => ({
  seq,
  marketId,
  kind: "MINT" as const,
  qty: 2,
  yesPricePaise: 600,
  makerOrderId: `m${seq}`,
  makerUserId: maker,
  makerOutcome: "YES" as const,
  makerSide: "BUY" as const,
  makerPricePaise: 600,
  makerFeePaise: 0,
  takerOrderId: `t${seq}`,
  takerUserId: taker,
  takerOutcome: "NO" as const,
  takerSide: "BUY" as const,
  takerPricePaise: 400,
  takerFeePaise: 1,
  ts: 1_000 + seq,
});

describe("GET /portfolio/fills", () => {
  test("own fills only, newest first, each from the user's side, paged by seq", async () => {
    await h.db.db
      .insert(trades)
      .values([
        trade(901, alice.userId, bob.userId),
        trade(902, bob.userId, alice.userId),
        trade(903, bob.userId, admin.userId),
      ]);
    const page = await json(await alice.call("GET", "/api/v1/portfolio/fills?limit=1"));
    expect(page.fills).toEqual([
      expect.objectContaining({
        tradeSeq: 902,
        role: "TAKER",
        outcome: "NO",
        side: "BUY",
        pricePaise: 400,
        qty: 2,
        feePaise: 1,
        orderId: "t902",
      }),
    ]);
    expect(page.nextBefore).toBe(902);
    const rest = await json(await alice.call("GET", "/api/v1/portfolio/fills?limit=1&before=902"));
    expect(rest.fills).toEqual([
      expect.objectContaining({ tradeSeq: 901, role: "MAKER", outcome: "YES", pricePaise: 600 }),
    ]);
    const end = await json(await alice.call("GET", "/api/v1/portfolio/fills?before=901"));
    expect(end).toEqual({ fills: [], nextBefore: null });
    expect((await bob.call("GET", "/api/v1/portfolio/fills")).status).toBe(200);
    expect(
      (await json(await bob.call("GET", "/api/v1/portfolio/fills"))).fills.map((f: any) => f.tradeSeq),
    ).toEqual([903, 902, 901]);
  });

  test("needs a session and a valid limit", async () => {
    expect((await h.app.request("http://localhost/api/v1/portfolio/fills")).status).toBe(401);
    expect((await alice.call("GET", "/api/v1/portfolio/fills?limit=0")).status).toBe(400);
  });
});

describe("GET /admin/users", () => {
  test("finds by phone fragment and by id, with the live engine balance and positions", async () => {
    const byPhone = await json(await admin.call("GET", "/api/v1/admin/users?q=9812345601"));
    expect(byPhone.users).toHaveLength(1);
    const [u] = byPhone.users;
    expect(u).toMatchObject({
      id: alice.userId,
      phone: "+919812345601",
      role: "USER",
      kycStatus: null,
      positions: [],
    });
    const account = await createInProcessEngineReader(h.service).account(alice.userId);
    expect(u.balance.availablePaise).toBe(account?.availablePaise ?? 0);
    const byId = await json(await admin.call("GET", `/api/v1/admin/users?q=${bob.userId}`));
    expect(byId.users.map((x: any) => x.id)).toEqual([bob.userId]);
    const all = await json(await admin.call("GET", "/api/v1/admin/users?q=98123456"));
    expect(all.users.map((x: any) => x.phone).sort()).toEqual(["+919812345601", "+919812345602"]);
    expect((await json(await admin.call("GET", "/api/v1/admin/users?q=%25"))).users).toEqual([]);
  });

  test("admins only", async () => {
    expect((await alice.call("GET", "/api/v1/admin/users?q=")).status).toBe(403);
    expect((await h.app.request("http://localhost/api/v1/admin/users")).status).toBe(401);
  });
});

describe("GET /admin/stats", () => {
  test("reports the provider's sources; reconcile is cached", async () => {
    const engineStats = h.service.stats();
    const body = await json(await admin.call("GET", "/api/v1/admin/stats"));
    expect(body).toMatchObject({
      commandQueueDepth: engineStats.queueDepth,
      engineSeq: engineStats.lastSeq,
      persisterOffset: 7,
      persisterLag: 2,
      connectedSockets: 3,
      reconcile: { ok: true, differences: 0 },
      unavailable: [],
    });
    expect(body.engineSeq).toBeGreaterThan(0);
    await admin.call("GET", "/api/v1/admin/stats");
    expect(reconciles).toBe(1);
  });

  test("a failing source is reported, not a 500", async () => {
    const stats = createSystemStatsProvider({
      engine: () => Promise.reject(new Error("down")),
      reconcile: async () => {
        throw new Error("boom");
      },
    });
    const s = await stats();
    expect(s).toMatchObject({
      engineSeq: null,
      unavailable: ["engine"],
      reconcile: { ok: false, error: "Error: boom" },
    });
  });

  test("a cached reconcile OK is not shown as current while the persister is stuck", async () => {
    let state: "ok" | "stuck" = "ok";
    const stats = createSystemStatsProvider({
      persister: () => ({ offset: 10, lag: state === "ok" ? 0 : 40, state, quarantined: 1 }),
      reconcile: async () => ({ ok: true, differences: 0 }),
      reconcileEveryMs: 60_000,
    });
    expect(await stats()).toMatchObject({ persisterState: "ok", reconcile: { ok: true } });
    state = "stuck";
    const s = await stats();
    expect(s).toMatchObject({
      persisterLag: 40,
      persisterState: "stuck",
      persisterQuarantined: 1,
      reconcile: { ok: false, differences: 0 },
    });
    expect(s.reconcile?.error).toContain("persister stuck");
  });

  test("admins only", async () => {
    expect((await alice.call("GET", "/api/v1/admin/stats")).status).toBe(403);
  });

  test("the three routes are in the OpenAPI document", async () => {
    const doc = await json(await h.app.request("http://localhost/api/v1/openapi.json"));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/portfolio/fills", "/api/v1/admin/users", "/api/v1/admin/stats"]),
    );
  });
});
