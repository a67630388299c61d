/**
 * Serves the built web app (apps/web/dist) with an SPA fallback: unknown non-API paths get index.html
 * so client-side routes survive a reload. Hono's Bun `serveStatic` does the file work: with
 * `precompressed` it answers with the build's `.br` (preferred) or `.gz` sibling when Accept-Encoding
 * allows, setting Content-Encoding, and identity otherwise. Hashed files under /assets/ are immutable
 * for a year; everything else (index.html first) is `no-cache`. An unknown /assets/ path is a 404:
 * the SPA page for it would be served as a script and hide a stale deploy.
 *
 * `/` is pre-rendered when the build has its server render (`../dist-server/prerender.js` beside
 * `dist`, from apps/web/src/prerender.tsx) and `homeMarkets` is given: the page arrives with the
 * market list already in it (in the language of the `ox.lang` cookie, else English) and the list's
 * data for the app to start from, so a phone paints the list before any script has run (issue 13's
 * phone budget). Without either, or when the list or the render fails or is slow, `/` is the plain
 * index.html with the list's preload.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Context } from "hono";
import { Hono } from "hono";
import { serveStatic } from "hono/bun";

const IMMUTABLE = "public, max-age=31536000, immutable";
/**
 * The home page's list of markets is the one thing its first paint waits for: a preload lets the
 * browser fetch it while the scripts download, so it is ready when the app asks (the same URL,
 * mode and credentials as the app's fetch). Only on `/`, where the list is shown.
 */
const HOME_PRELOAD = "</api/v1/markets>; rel=preload; as=fetch; crossorigin=use-credentials";

function headers(cacheControl: string) {
  return (_path: string, c: Context) => {
    c.header("Cache-Control", cacheControl);
    // Set (not appended) so a compressed answer carries it once; identity answers carry it too, so a
    // shared cache never hands a br body to a client that did not offer br.
    c.header("Vary", "Accept-Encoding");
    c.header("X-Content-Type-Options", "nosniff");
  };
}

/** `styleNonce`: the CSP nonce (security-headers.ts) the pre-rendered page's inline stylesheet carries. */
export type StaticWeb = (request: Request, context?: { styleNonce?: string }) => Promise<Response | null>;

export interface StaticWebOptions {
  /** The home page's list, as `GET /api/v1/markets` answers it; enables the pre-rendered `/`. */
  homeMarkets?: () => Promise<unknown[]>;
  /** A failed pre-render (the page is then served plain). */
  onError?: (err: unknown) => void;
  /** How long `/` waits for the list before it goes out plain. */
  homeTimeoutMs?: number;
}

/** apps/web/src/prerender.tsx, as built into dist-server/prerender.js. */
interface HomeRenderer {
  renderHomePage(input: {
    indexHtml: string;
    markets: unknown[];
    cookie: string | null;
    styleNonce?: string;
    readAsset?: (href: string) => string | null;
  }): string | null;
}

/** br, else gzip, else none, as Accept-Encoding allows (a `;q=0` refuses). */
function pickEncoding(accept: string | null): "br" | "gzip" | null {
  const offered = new Set(
    (accept ?? "")
      .split(",")
      .map((part) => part.trim().split(";"))
      .filter(([, q]) => !q || Number(q.trim().replace(/^q=/, "")) > 0)
      .map(([name]) => name?.trim().toLowerCase()),
  );
  return offered.has("br") ? "br" : offered.has("gzip") ? "gzip" : null;
}

export function createStaticWeb(distDir: string, options: StaticWebOptions = {}): StaticWeb {
  const root = resolve(distDir);
  const index = join(root, "index.html");
  const rendererPath = join(dirname(root), "dist-server", "prerender.js");
  // One import per build of the server render (a rebuild while running is picked up by its mtime).
  let renderer: { mtimeMs: number; module: Promise<HomeRenderer> } | null = null;
  const loadRenderer = (): Promise<HomeRenderer> | null => {
    const stat = statSync(rendererPath, { throwIfNoEntry: false });
    if (!stat) return null;
    if (renderer?.mtimeMs !== stat.mtimeMs) {
      const url = `${pathToFileURL(rendererPath).href}?v=${stat.mtimeMs}`;
      renderer = { mtimeMs: stat.mtimeMs, module: import(url) as Promise<HomeRenderer> };
    }
    return renderer.module;
  };

  // A build's hashed CSS never changes under its name: read once.
  const assets = new Map<string, string | null>();
  const readAsset = (href: string): string | null => {
    if (!/^\/assets\/[\w.-]+\.css$/.test(href)) return null;
    if (!assets.has(href)) {
      const path = join(root, href.slice(1));
      assets.set(href, existsSync(path) ? readFileSync(path, "utf8") : null);
    }
    return assets.get(href) ?? null;
  };

  async function home(
    request: Request,
    homeMarkets: () => Promise<unknown[]>,
    styleNonce: string | undefined,
  ): Promise<Response | null> {
    const module = loadRenderer();
    if (!module) return null;
    try {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<null>((done) => {
        timer = setTimeout(() => done(null), options.homeTimeoutMs ?? 1000);
      });
      const markets = await Promise.race([homeMarkets(), timeout]).finally(() => clearTimeout(timer));
      if (!markets) return null;
      const html = (await module).renderHomePage({
        indexHtml: readFileSync(index, "utf8"),
        markets,
        cookie: request.headers.get("cookie"),
        styleNonce,
        readAsset,
      });
      if (html === null) return null;
      const encoding = pickEncoding(request.headers.get("accept-encoding"));
      const body =
        encoding === "br"
          ? brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
          : encoding === "gzip"
            ? gzipSync(html, { level: 6 })
            : Buffer.from(html);
      const res = new Response(body, {
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Cache-Control": "no-cache",
          // The language comes from a cookie: a shared cache keeps one copy per cookie, if any.
          Vary: "Accept-Encoding, Cookie",
          "X-Content-Type-Options": "nosniff",
        },
      });
      if (encoding) res.headers.set("Content-Encoding", encoding);
      return res;
    } catch (err) {
      options.onError?.(err);
      return null;
    }
  }

  const files = new Hono();
  files.use("/assets/*", serveStatic({ root, precompressed: true, onFound: headers(IMMUTABLE) }));
  files.get("/assets/*", (c) =>
    c.json({ error: { code: "NOT_FOUND", message: "no such asset in this build" } }, 404),
  );
  files.use("*", serveStatic({ root, precompressed: true, onFound: headers("no-cache") }));
  files.get(
    "*",
    serveStatic({ root, path: "index.html", precompressed: true, onFound: headers("no-cache") }),
  );

  return async function serve(request: Request, context = {}): Promise<Response | null> {
    if (!existsSync(index)) return null;
    try {
      decodeURIComponent(new URL(request.url).pathname);
    } catch {
      // Malformed percent-encoding (e.g. /%E0%A4%A) is the client's error, not an empty 500.
      return Response.json(
        { error: { code: "VALIDATION_ERROR", message: "malformed percent-encoding in the path" } },
        { status: 400 },
      );
    }
    const isHome = new URL(request.url).pathname === "/";
    if (isHome && request.method === "GET" && options.homeMarkets) {
      const page = await home(request, options.homeMarkets, context.styleNonce);
      if (page) return page;
    }
    const res = await files.fetch(request);
    if (res.status === 200 && isHome) res.headers.append("Link", HOME_PRELOAD);
    return res;
  };
}
