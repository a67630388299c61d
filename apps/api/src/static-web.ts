/**
 * Serves the built web app (apps/web/dist) with an SPA fallback: unknown non-API paths get index.html
 * so client-side routes survive a reload. Hono's Bun `serveStatic` does the file work: with
 * `precompressed` it answers with the build's `.br` (preferred) or `.gz` sibling when Accept-Encoding
 * allows, setting Content-Encoding, and identity otherwise. Hashed files under /assets/ are immutable
 * for a year; everything else (index.html first) is `no-cache`. An unknown /assets/ path is a 404:
 * the SPA page for it would be served as a script and hide a stale deploy.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
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

export type StaticWeb = (request: Request) => Promise<Response | null>;

export function createStaticWeb(distDir: string): StaticWeb {
  const root = resolve(distDir);
  const index = join(root, "index.html");

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

  return async function serve(request: Request): Promise<Response | null> {
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
    const res = await files.fetch(request);
    if (res.status === 200 && new URL(request.url).pathname === "/") res.headers.append("Link", HOME_PRELOAD);
    return res;
  };
}
