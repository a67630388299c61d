import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { formatGraph, readGraph, violations } from "./workspace-graph.ts";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A throwaway monorepo: `files` maps paths to contents; package.json files are objects. */
function repo(files: Record<string, string | object>): string {
  const root = mkdtempSync(join(tmpdir(), "ox-graph-"));
  roots.push(root);
  const all = { "package.json": { name: "root", workspaces: ["packages/*", "apps/*"] }, ...files };
  for (const [path, body] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof body === "string" ? body : JSON.stringify(body));
  }
  return root;
}

const pkg = (name: string, deps: string[] = []) => ({
  name,
  dependencies: Object.fromEntries(deps.map((d) => [d, "*"])),
});

describe("workspace graph", () => {
  test("a clean graph: the composition root may import apps, apps import packages", () => {
    const root = repo({
      "packages/db/package.json": pkg("@x/db"),
      "packages/db/src/index.ts": "export const db = 1;",
      "apps/api/package.json": pkg("@x/api", ["@x/db"]),
      "apps/api/src/main.ts": 'import { db } from "@x/db";\nexport { db };',
      "apps/platform/package.json": pkg("@x/platform", ["@x/api", "@x/db"]),
      "apps/platform/src/main.ts": 'import "@x/api";\nconst m = await import("@x/db/testing");',
    });
    const graph = readGraph(root);
    expect(violations(graph)).toEqual([]);
    expect(formatGraph(graph).split("\n")).toEqual([
      "@x/db (packages/db) -> (none)",
      "@x/api (apps/api) -> @x/db",
      "@x/platform (apps/platform) -> @x/api, @x/db",
    ]);
  });

  test("an app importing an app, a relative reach and an undeclared import all fail", () => {
    const root = repo({
      "packages/bus/package.json": pkg("@x/bus"),
      "packages/bus/src/index.ts": "export const bus = 1;",
      "packages/db/package.json": pkg("@x/db"),
      "packages/db/src/kv.test.ts": 'import { bus } from "../../bus/src/index.ts";\nvoid bus;',
      "apps/persister/package.json": pkg("@x/persister"),
      "apps/persister/src/index.ts": "export const p = 1;",
      "apps/api/package.json": pkg("@x/api", ["@x/persister"]),
      "apps/api/src/a.test.ts": 'import { p } from "@x/persister";\nimport { bus } from "@x/bus";',
    });
    expect(violations(readGraph(root)).sort()).toEqual([
      "apps/api/package.json: app @x/api depends on app @x/persister; only apps/platform may",
      "apps/api/src/a.test.ts: app @x/api imports app @x/persister; only apps/platform may",
      "apps/api/src/a.test.ts: imports @x/bus, which apps/api/package.json does not declare",
      "packages/db/src/kv.test.ts: reaches into packages/bus by a relative path; import @x/bus",
    ]);
  });

  test("this repository keeps the rules", () => {
    expect(violations(readGraph(join(import.meta.dir, "..")))).toEqual([]);
  });
});
