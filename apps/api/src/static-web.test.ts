import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStaticWeb } from "./static-web.ts";

test("a page path with malformed percent-encoding is 400 VALIDATION_ERROR, not an empty 500", async () => {
  const dist = mkdtempSync(join(tmpdir(), "ox-web-"));
  try {
    writeFileSync(join(dist, "index.html"), "<html></html>");
    const serve = createStaticWeb(dist);
    const bad = serve("/%E0%A4%A");
    if (!bad) throw new Error("a malformed page path got no answer");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    const page = serve("/markets/%E0%A4%B9");
    expect(page?.status).toBe(200);
    expect(await page?.text()).toBe("<html></html>");
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});
