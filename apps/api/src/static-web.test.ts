import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { createStaticWeb } from "./static-web.ts";
import { createHarness, type Harness } from "./test-harness.ts";

/** The built web app over real HTTP (a listening server, fetch without auto-decompression). */
let h: Harness;
let dist: string;
let base: string;
const servers: ReturnType<typeof Bun.serve>[] = [];

// Big and repetitive enough that compression shows, as the real build's files are.
const JS = `export const rows = [${Array.from({ length: 400 }, (_, i) => `{"id":${i},"name":"row ${i}"}`).join(",")}];\n`;
const CSS = `${Array.from({ length: 200 }, (_, i) => `.c${i}{color:#${(i * 4099).toString(16).padStart(6, "0").slice(0, 6)}}`).join("\n")}\n`;
const HTML = `<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body>${"<p>ox</p>".repeat(200)}</body></html>`;

/** A build as apps/web's vite config leaves it: each file with its .br and .gz beside it. */
function writeBuilt(path: string, body: string) {
  writeFileSync(path, body);
  writeFileSync(`${path}.br`, brotliCompressSync(Buffer.from(body)));
  writeFileSync(`${path}.gz`, gzipSync(Buffer.from(body)));
}

beforeAll(async () => {
  h = await createHarness();
  dist = mkdtempSync(join(tmpdir(), "ox-web-"));
  mkdirSync(join(dist, "assets"));
  writeBuilt(join(dist, "index.html"), HTML);
  writeBuilt(join(dist, "assets", "index-AbC123.js"), JS);
  writeBuilt(join(dist, "assets", "index-DeF456.css"), CSS);
  writeFileSync(join(dist, "assets", "tiny-GhI789.js"), "console.log(1)"); // under 1 KB: no siblings
  const { app } = h.rebuild({ web: createStaticWeb(dist) });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.fetch(req) });
  servers.push(server);
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  for (const s of servers) s.stop(true);
  rmSync(dist, { recursive: true, force: true });
  await h.close();
});

async function get(path: string, acceptEncoding: string) {
  const res = await fetch(`${base}${path}`, {
    headers: { "accept-encoding": acceptEncoding },
    decompress: false,
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

const IMMUTABLE = "public, max-age=31536000, immutable";

describe("precompressed assets", () => {
  const cases: [string, string, string | null, (b: Buffer) => Buffer][] = [
    ["br, gzip", "br", "br", (b) => brotliDecompressSync(b)],
    ["gzip, deflate, br;q=0", "gzip", "gzip", (b) => gunzipSync(b)],
    ["gzip", "gzip only", "gzip", (b) => gunzipSync(b)],
    ["identity", "identity", null, (b) => b],
    ["", "no header value", null, (b) => b],
  ];
  for (const [accept, label, encoding, decode] of cases) {
    test(`Accept-Encoding ${label}: JS and CSS answered ${encoding ?? "identity"}, byte-identical`, async () => {
      for (const [path, original, type] of [
        ["/assets/index-AbC123.js", JS, "text/javascript; charset=utf-8"],
        ["/assets/index-DeF456.css", CSS, "text/css; charset=utf-8"],
      ]) {
        const { res, body } = await get(path, accept);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect(res.headers.get("content-encoding")).toBe(encoding);
        expect(res.headers.get("vary")).toBe("Accept-Encoding");
        expect(res.headers.get("content-type")).toBe(type);
        expect(res.headers.get("cache-control")).toBe(IMMUTABLE);
        if (encoding) expect(body.length).toBeLessThan(Buffer.byteLength(original));
        expect(decode(body).toString("utf8")).toBe(original);
        // The security middleware still wraps these answers.
        expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      }
    });
  }

  test("a file without a compressed sibling is served identity even when br is offered", async () => {
    const { res, body } = await get("/assets/tiny-GhI789.js", "br, gzip");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("cache-control")).toBe(IMMUTABLE);
    expect(body.toString("utf8")).toBe("console.log(1)");
  });
});

describe("index.html and the SPA fallback", () => {
  for (const path of ["/", "/index.html", "/markets/some-market"]) {
    test(`${path}: index.html, no-cache, br when offered`, async () => {
      const br = await get(path, "gzip, br");
      expect(br.res.status).toBe(200);
      expect(br.res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(br.res.headers.get("cache-control")).toBe("no-cache");
      expect(br.res.headers.get("content-encoding")).toBe("br");
      expect(br.res.headers.get("vary")).toBe("Accept-Encoding");
      expect(brotliDecompressSync(br.body).toString("utf8")).toBe(HTML);
      expect(br.res.headers.get("content-security-policy")).toContain("default-src 'self'");
      const plain = await get(path, "identity");
      expect(plain.res.headers.get("content-encoding")).toBeNull();
      expect(plain.res.headers.get("cache-control")).toBe("no-cache");
      expect(plain.body.toString("utf8")).toBe(HTML);
    });
  }

  test("an unknown /assets/ path is 404 NOT_FOUND, not the SPA page with a 200", async () => {
    for (const path of ["/assets/index-Stale00.js", "/assets/nope.css"]) {
      const { res, body } = await get(path, "br, gzip");
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get("cache-control")).not.toBe(IMMUTABLE);
      expect((JSON.parse(body.toString("utf8")) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
  });

  test("a page path with malformed percent-encoding is 400 VALIDATION_ERROR, not an empty 500", async () => {
    const bad = await get("/%E0%A4%A", "identity");
    expect(bad.res.status).toBe(400);
    expect((JSON.parse(bad.body.toString("utf8")) as { error: { code: string } }).error.code).toBe(
      "VALIDATION_ERROR",
    );
    const page = await get("/markets/%E0%A4%B9", "identity");
    expect(page.res.status).toBe(200);
    expect(page.body.toString("utf8")).toBe(HTML);
  });

  test("a path escaping the build directory gets the SPA page, never the file", async () => {
    const { res, body } = await get("/assets/..%2f..%2f..%2fetc%2fpasswd", "identity");
    expect(body.toString("utf8")).not.toContain("root:");
    expect([200, 404]).toContain(res.status);
  });
});

test("an unbuilt web app (no index.html) leaves every path to the API", async () => {
  const empty = mkdtempSync(join(tmpdir(), "ox-web-empty-"));
  try {
    const serve = createStaticWeb(empty);
    expect(await serve(new Request("http://x/"))).toBeNull();
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

describe("the pre-rendered home page (a build with dist-server/prerender.js)", () => {
  let base2: string;
  let url: string;
  let failing: unknown = null;
  let slow = false;
  const errors: unknown[] = [];
  // A stand-in for apps/web/src/prerender.tsx: it echoes what the API gave it.
  const RENDERER = `export function renderHomePage(i) {
    return i.indexHtml.replace("<p>ox</p>", "<p>home " + JSON.stringify(i.markets) + " cookie=" + i.cookie
      + " nonce=" + i.styleNonce + " css=" + i.readAsset("/assets/index-DeF456.css").length
      + " escape=" + i.readAsset("/assets/../../secret.css") + "</p>");
  }\n`;

  beforeAll(async () => {
    base2 = mkdtempSync(join(tmpdir(), "ox-web-home-"));
    const dist2 = join(base2, "dist");
    mkdirSync(join(dist2, "assets"), { recursive: true });
    mkdirSync(join(base2, "dist-server"));
    writeBuilt(join(dist2, "index.html"), HTML);
    writeBuilt(join(dist2, "assets", "index-DeF456.css"), CSS);
    writeFileSync(join(base2, "dist-server", "prerender.js"), RENDERER);
    writeFileSync(join(base2, "secret.css"), "outside the build"); // readAsset must not reach it
    const web = createStaticWeb(dist2, {
      homeMarkets: async () => {
        if (failing) throw failing;
        if (slow) await Bun.sleep(300);
        return [{ id: "m1" }];
      },
      onError: (err) => errors.push(err),
      homeTimeoutMs: 100,
    });
    const { app } = h.rebuild({ web });
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.fetch(req) });
    servers.push(server);
    url = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => rmSync(base2, { recursive: true, force: true }));

  const home = async (acceptEncoding: string, cookie?: string) => {
    const res = await fetch(`${url}/`, {
      headers: { "accept-encoding": acceptEncoding, ...(cookie ? { cookie } : {}) },
      decompress: false,
    });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  test("/ is the render: the list, the cookie, the CSP's style nonce, the build's CSS; br, gzip or identity", async () => {
    for (const [accept, encoding, decode] of [
      ["br, gzip", "br", (b: Buffer) => brotliDecompressSync(b)],
      ["gzip, deflate, br;q=0", "gzip", (b: Buffer) => gunzipSync(b)],
      ["identity", null, (b: Buffer) => b],
    ] as const) {
      const { res, body } = await home(accept, "ox.lang=hi");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBe(encoding);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("vary")).toBe("Accept-Encoding, Cookie");
      expect(res.headers.get("link")).toBeNull();
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
      expect(nonce).toBeTruthy();
      expect(decode(body).toString("utf8")).toContain(
        `<p>home [{"id":"m1"}] cookie=ox.lang=hi nonce=${nonce} css=${CSS.length} escape=null</p>`,
      );
    }
    // Only `/`: another page is the plain index.html.
    const other = await fetch(`${url}/markets/m1`, { headers: { "accept-encoding": "identity" } });
    expect(await other.text()).toBe(HTML);
  });

  test("a failing or slow list serves the plain page with the list's preload", async () => {
    for (const mode of ["failing", "slow"]) {
      failing = mode === "failing" ? new Error("db down") : null;
      slow = mode === "slow";
      try {
        const { res, body } = await home("identity");
        expect({ mode, status: res.status }).toEqual({ mode, status: 200 });
        expect(body.toString("utf8")).toBe(HTML);
        expect(res.headers.get("link")).toContain("</api/v1/markets>; rel=preload");
      } finally {
        failing = null;
        slow = false;
      }
    }
    expect(errors.map((e) => (e as Error).message)).toEqual(["db down"]);
  });
});
