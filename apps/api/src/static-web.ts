/**
 * Serves the built web app (apps/web/dist) with an SPA fallback: unknown non-API paths get index.html
 * so client-side routes survive a reload. Files are read once per request from disk; the build is
 * small and the OS cache does the rest.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
};

export function createStaticWeb(distDir: string) {
  const root = resolve(distDir);
  const index = join(root, "index.html");

  return function serve(pathname: string): Response | null {
    if (!existsSync(index)) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      // Malformed percent-encoding (e.g. /%E0%A4%A) is the client's error, not an empty 500.
      return Response.json(
        { error: { code: "VALIDATION_ERROR", message: "malformed percent-encoding in the path" } },
        { status: 400 },
      );
    }
    const safe = normalize(decoded).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, safe);
    const isFile = file.startsWith(root) && existsSync(file) && statSync(file).isFile();
    const path = isFile ? file : index;
    const hashed = isFile && safe.startsWith("/assets/");
    return new Response(readFileSync(path), {
      headers: {
        "content-type": TYPES[extname(path)] ?? "application/octet-stream",
        "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
        "x-content-type-options": "nosniff",
      },
    });
  };
}
