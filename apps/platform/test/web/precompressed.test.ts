import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { WEB_DIST } from "../../src/web-build.ts";
import { startTestPlatform } from "./platform-kit.ts";

/** The real web build (apps/web's vite config) served by the real platform, over HTTP. */
let platform: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  platform = await startTestPlatform(); // builds apps/web when stale
}, 300_000);
afterAll(async () => {
  await platform?.stop();
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

test("the build writes .br and .gz beside each JS/CSS/SVG/HTML file over 1 KB, byte-identical", () => {
  const files = walk(WEB_DIST).filter((f) => /\.(js|css|svg|html)$/.test(f));
  const big = files.filter((f) => statSync(f).size >= 1024);
  expect(big.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(0);
  expect(big.filter((f) => f.endsWith(".css")).length).toBeGreaterThan(0);
  for (const file of files) {
    const present = readdirSync(join(file, "..")).filter((n) => n.startsWith(`${file.split("/").pop()}.`));
    if (!big.includes(file)) {
      expect({ file, present }).toEqual({ file, present: [] });
      continue;
    }
    const original = readFileSync(file);
    expect(brotliDecompressSync(readFileSync(`${file}.br`)).equals(original)).toBe(true);
    expect(gunzipSync(readFileSync(`${file}.gz`)).equals(original)).toBe(true);
  }
});

test("the page's entry script arrives br to a browser that offers it, identity otherwise", async () => {
  const html = await (await fetch(`${platform.url}/`, { headers: { "accept-encoding": "identity" } })).text();
  const src = html.match(/<script[^>]+src="(\/assets\/[^"]+\.js)"/)?.[1];
  if (!src) throw new Error(`no entry script in index.html: ${html}`);
  const original = readFileSync(join(WEB_DIST, src));
  const br = await fetch(`${platform.url}${src}`, {
    headers: { "accept-encoding": "gzip, deflate, br" },
    decompress: false,
  });
  expect(br.status).toBe(200);
  expect(br.headers.get("content-encoding")).toBe("br");
  expect(br.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  expect(br.headers.get("content-security-policy")).toContain("script-src 'self'");
  const body = Buffer.from(await br.arrayBuffer());
  expect(body.length).toBeLessThan(original.length / 2);
  expect(brotliDecompressSync(body).equals(original)).toBe(true);
  const plain = await fetch(`${platform.url}${src}`, {
    headers: { "accept-encoding": "identity" },
    decompress: false,
  });
  expect(plain.headers.get("content-encoding")).toBeNull();
  expect(Buffer.from(await plain.arrayBuffer()).equals(original)).toBe(true);
});
