/**
 * The web app is served from its build (apps/web/dist). Build it when it is missing or older than its
 * sources, so `npm start` after a pull never serves a stale UI.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const WEB_ROOT = resolve(import.meta.dir, "../../web");
export const WEB_DIST = join(WEB_ROOT, "dist");

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, name)));
  return newest;
}

export function webBuildIsStale(root = WEB_ROOT): boolean {
  const index = join(root, "dist", "index.html");
  // The home page's server render (dist-server, see apps/api/src/static-web.ts) is built with it.
  if (!existsSync(index) || !existsSync(join(root, "dist-server", "prerender.js"))) return true;
  const sources = ["src", "public", "index.html", "vite.config.ts"]
    .map((p) => join(root, p))
    .filter(existsSync);
  return Math.max(...sources.map(newestMtimeMs)) > statSync(index).mtimeMs;
}

/** Builds the web app if needed; returns whether it built. */
export function ensureWebBuild(onBuild?: () => void): boolean {
  if (!webBuildIsStale()) return false;
  onBuild?.();
  execFileSync("npm", ["run", "build", "-w", "@ox/web"], {
    cwd: resolve(WEB_ROOT, "../.."),
    // Vite follows NODE_ENV: under `bun test` (NODE_ENV=test) or a development start it would
    // bundle React's development build (3× larger, slower). What is served is always production.
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return true;
}
