/**
 * The performance budget: gzipped JS that index.html loads before any lazy import (entry scripts and
 * their modulepreloads). Prints one JSON object; exits 1 over budget. Run after `vite build`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Issue 13: what a Fast 3G phone can fetch and run in time to show the market list in 1.5 s. */
const BUDGET_BYTES = 120 * 1024;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");
const html = readFileSync(join(dist, "index.html"), "utf8");

const initial = new Set<string>();
for (const m of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) initial.add(m[1]);
for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)) initial.add(m[1]);

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const assets = join(dist, "assets");
const all = readdirSync(assets).filter((f) => f.endsWith(".js"));
const initialFiles = [...initial].map((src) => join(dist, src.replace(/^\//, "")));
const initialNames = new Set(initialFiles.map((f) => f.slice(assets.length + 1)));

const initialGzipBytes = initialFiles.reduce((s, f) => s + gz(f), 0);
const report = {
  budgetGzipBytes: BUDGET_BYTES,
  initialGzipBytes,
  initialGzipKB: Math.round((initialGzipBytes / 1024) * 10) / 10,
  withinBudget: initialGzipBytes <= BUDGET_BYTES,
  initial: [...initialNames].map((name) => ({
    file: name,
    rawBytes: statSync(join(assets, name)).size,
    gzipBytes: gz(join(assets, name)),
  })),
  lazy: all
    .filter((f) => !initialNames.has(f))
    .map((name) => ({
      file: name,
      rawBytes: statSync(join(assets, name)).size,
      gzipBytes: gz(join(assets, name)),
    })),
};
console.log(JSON.stringify(report, null, 2));
if (!report.withinBudget) process.exit(1);
