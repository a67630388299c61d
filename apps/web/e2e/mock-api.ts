/**
 * A stand-in backend for looking at the built SPA: serves apps/web/dist (SPA fallback), a mock of the
 * SPEC §6 routes the pages call, and a Socket.io stream that pushes book deltas, trades and tickers.
 *   bun apps/web/e2e/mock-api.ts [port]
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { extname, join, resolve } from "node:path";
import { Server } from "socket.io";
import * as d from "./mock-data";

const DIST = resolve(import.meta.dir, "../dist");
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export function startMockApi(port = 0, opts: { loggedIn?: boolean } = {}) {
  let session = opts.loggedIn ?? false;
  let kycStatus: "NONE" | "PENDING" | "VERIFIED" | "REJECTED" = "VERIFIED";
  const seqs = new Map<string, number>();

  const route = (
    method: string,
    path: string,
    body: Record<string, unknown>,
    q: URLSearchParams,
  ): [number, unknown, Record<string, string>?] => {
    const authed = session;
    const need = (): [number, unknown] | null =>
      authed ? null : [401, { error: { code: "UNAUTHORIZED", message: "log in first" } }];
    const m = path.match(/^\/markets\/([^/]+)(?:\/(\w+))?$/);
    if (method === "POST" && path === "/auth/otp")
      return [200, { expiresInSec: 300, resendInSec: 30, devOtp: "123456" }];
    if (method === "POST" && path === "/auth/verify") {
      if (body.otp !== "123456")
        return [400, { error: { code: "OTP_INVALID", message: "That code is not right. 4 attempts left." } }];
      session = true;
      return [200, { user: d.user }, { "set-cookie": "ox_session=mock; Path=/; HttpOnly; SameSite=Lax" }];
    }
    if (method === "POST" && path === "/auth/logout") {
      session = false;
      return [200, { ok: true }];
    }
    if (path === "/me")
      return need() ?? [200, { user: d.user, wallet: { balancePaise: 134_950 }, kycStatus }];
    if (path === "/markets") return [200, { markets: d.markets }];
    if (m && !m[2]) {
      const mk = d.markets.find((x) => x.id === m[1]);
      return mk
        ? [200, { market: mk }]
        : [404, { error: { code: "MARKET_NOT_FOUND", message: "no such market" } }];
    }
    if (m?.[2] === "orderbook") return [200, { marketId: m[1], ...d.book(seqs.get(m[1]) ?? 1, m[1]) }];
    if (m?.[2] === "trades") return [200, { trades: d.trades }];
    if (m?.[2] === "candles") return [200, { candles: d.candles(q.get("interval") ?? "5m") }];
    if (!authed && !path.startsWith("/health")) return need() as [number, unknown];
    if (method === "POST" && path === "/orders") {
      if (Number(body.quantity) > 1000)
        return [422, { error: { code: "INSUFFICIENT_FUNDS", message: "not enough available balance" } }];
      return [
        201,
        {
          order: {
            ...d.orders[0],
            id: "ord-new",
            ...body,
            pricePaise: body.price,
            status: "FILLED",
            filledQty: body.quantity,
            remainingQty: 0,
            fills: [],
          },
          duplicate: false,
        },
      ];
    }
    if (path.startsWith("/orders"))
      return [200, method === "DELETE" ? { order: d.orders[0] } : { orders: d.orders, nextBefore: null }];
    if (path === "/portfolio") return [200, d.portfolio];
    if (path.startsWith("/portfolio/fills")) return [200, { fills: d.fills, nextBefore: null }];
    if (path.startsWith("/wallet/transactions"))
      return [200, { balancePaise: 134_950, entries: d.ledger, nextBefore: null }];
    if (path.startsWith("/wallet/"))
      return [201, { deposit: { id: "dep", status: "CONFIRMED" }, redirectUrl: null }];
    if (path === "/kyc") {
      if (method === "POST") {
        kycStatus = "PENDING";
        return [201, { kyc: { status: "PENDING" } }];
      }
      return [
        200,
        {
          kyc:
            kycStatus === "NONE"
              ? null
              : {
                  id: "k",
                  status: kycStatus,
                  name: "Rahul Verma",
                  panMasked: "ABXXXXX4F",
                  bankAccountMasked: "XXXX7890",
                  ifsc: "HDFC0001234",
                  reason: null,
                  createdAt: d.now(),
                  decidedAt: null,
                },
        },
      ];
    }
    if (path === "/referrals")
      return [
        200,
        {
          code: d.user.referralCode,
          redeemed: false,
          referrals: [{ refereeId: "u9", bonusPaise: 2500, createdAt: d.now() }],
          totalBonusPaise: 2500,
        },
      ];
    if (path.startsWith("/admin/kyc"))
      return [200, method === "POST" ? { ok: true } : { requests: d.kycQueue }];
    if (path.startsWith("/admin/users"))
      return [
        200,
        {
          users: [
            {
              ...d.user,
              balance: d.portfolio.balance,
              positions: [{ marketId: "ind-aus-final", yes: 20, no: 0 }],
              kycStatus: "VERIFIED",
            },
          ],
        },
      ];
    if (path === "/admin/stats") return [200, d.stats];
    if (path.startsWith("/admin/")) return [200, { ok: true }];
    if (path === "/health") return [200, { status: "ok", db: "up", engine: "up", uptimeSec: 5231 }];
    return [404, { error: { code: "NOT_FOUND", message: `no route ${method} ${path}` } }];
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname.startsWith("/api/v1/")) {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      const path = url.pathname.slice("/api/v1".length);
      const [status, body, headers] = route(
        req.method ?? "GET",
        path,
        raw ? JSON.parse(raw) : {},
        url.searchParams,
      );
      res.writeHead(status, { "content-type": "application/json", ...headers });
      return res.end(JSON.stringify(body));
    }
    let file = join(DIST, url.pathname);
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory())
      file = join(DIST, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });

  const io = new Server(server, { path: "/socket.io" });
  io.on("connection", (socket) => {
    socket.on("subscribe", ({ marketId }: { marketId: string }) => {
      socket.join(`market:${marketId}`);
      const mk = d.markets.find((x) => x.id === marketId);
      socket.emit("book", { marketId, ...d.book(seqs.get(marketId) ?? 1, marketId) });
      if (mk)
        socket.emit("ticker", {
          marketId,
          status: mk.status,
          yesAsk: mk.yesPrice,
          noAsk: mk.noPrice,
          yesBid: mk.noPrice ? 1000 - mk.noPrice : null,
          noBid: mk.yesPrice ? 1000 - mk.yesPrice : null,
          lastPrice: mk.lastPrice,
          volume: mk.volume,
          seq: 1,
        });
    });
    socket.on("unsubscribe", ({ marketId }: { marketId: string }) => socket.leave(`market:${marketId}`));
  });
  // The book is a fixed snapshot: deltas re-state the same levels so screenshots stay stable.
  const timer = setInterval(() => {
    const marketId = "ind-aus-final";
    const seq = (seqs.get(marketId) ?? 1) + 1;
    seqs.set(marketId, seq);
    io.to(`market:${marketId}`).emit("book:delta", { marketId, seq, outcome: "YES", price: 600, qty: 120 });
  }, 1500);

  return new Promise<{ url: string; close: () => Promise<void> }>((ok) => {
    server.listen(port, "127.0.0.1", () => {
      const addr = server.address() as { port: number };
      ok({
        url: `http://127.0.0.1:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(timer);
            io.close();
            server.close(() => done());
          }),
      });
    });
  });
}

if (import.meta.main) {
  const { url } = await startMockApi(Number(process.argv[2] ?? 4173), {
    loggedIn: process.argv.includes("--logged-in"),
  });
  console.log(`mock API + SPA on ${url}`);
}
