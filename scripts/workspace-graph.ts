/**
 * The dependency graph between workspaces, from two sources: what each package.json declares, and
 * what its source files import (`@ox/...` specifiers, and relative paths that leave the workspace).
 *
 *   bun scripts/workspace-graph.ts            prints one line per workspace: name -> what it imports
 *   bun scripts/workspace-graph.ts --json     the same as one JSON object
 *   bun scripts/workspace-graph.ts --check    exits 1 and lists every broken rule:
 *     - no app imports another app, except the composition root apps/platform;
 *     - no file reaches into another workspace by a relative path;
 *     - every workspace a file imports is declared in its package.json.
 *   --root <dir> reads another checkout (for a before/after comparison).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export interface Workspace {
  /** Package name, e.g. `@ox/api`. */
  readonly name: string;
  /** Directory relative to the root, e.g. `apps/api`. */
  readonly dir: string;
  readonly kind: "app" | "package";
  /** Workspaces named in dependencies, devDependencies or peerDependencies. */
  readonly declared: readonly string[];
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  /** First file (relative to the root) with the import. */
  readonly file: string;
  readonly relative: boolean;
}

export interface Graph {
  readonly workspaces: readonly Workspace[];
  readonly edges: readonly Edge[];
}

/** The only app allowed to import other apps: it assembles them into one process. */
export const COMPOSITION_ROOT = "apps/platform";

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", "dist-server", "data", ".git"]);
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"'\n]+)["']/g;

function workspaceDirs(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces?: string[] };
  const dirs: string[] = [];
  for (const pattern of pkg.workspaces ?? []) {
    if (!pattern.endsWith("/*")) {
      dirs.push(pattern);
      continue;
    }
    const parent = pattern.slice(0, -2);
    for (const entry of readdirSync(join(root, parent)).sort()) {
      if (statSync(join(root, parent, entry, "package.json"), { throwIfNoEntry: false })) {
        dirs.push(`${parent}/${entry}`);
      }
    }
  }
  return dirs;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...sourceFiles(join(dir, entry.name)));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** Import specifiers of one source file (comments are not parsed away; keep specifiers out of them). */
export function specifiersOf(text: string): string[] {
  return Array.from(text.matchAll(SPECIFIER), (m) => m[1] ?? "");
}

export function readGraph(root: string): Graph {
  const pkgs = workspaceDirs(root).map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    },
  }));
  const names = new Set(pkgs.map((p) => p.pkg.name));
  const workspaces: Workspace[] = pkgs.map(({ dir, pkg }) => ({
    name: pkg.name,
    dir,
    kind: dir.startsWith("apps/") ? "app" : "package",
    declared: Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }).filter(
      (d) => names.has(d),
    ),
  }));
  const byName = new Map(workspaces.map((w) => [w.name, w]));
  const owner = (abs: string) =>
    workspaces.find((w) => {
      const r = relative(join(root, w.dir), abs);
      return r === "" || (!r.startsWith("..") && !r.startsWith(sep));
    });

  const edges = new Map<string, Edge>();
  for (const w of workspaces) {
    for (const file of sourceFiles(join(root, w.dir))) {
      for (const spec of specifiersOf(readFileSync(file, "utf8"))) {
        let to: Workspace | undefined;
        if (spec.startsWith(".")) {
          const target = owner(resolve(dirname(file), spec));
          if (target && target !== w) to = target;
        } else {
          const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
          to = name === undefined ? undefined : byName.get(name);
          if (to === w) to = undefined;
        }
        if (!to) continue;
        const key = `${w.name} ${to.name} ${spec.startsWith(".")}`;
        if (!edges.has(key)) {
          edges.set(key, {
            from: w.name,
            to: to.name,
            file: relative(root, file),
            relative: spec.startsWith("."),
          });
        }
      }
    }
  }
  return { workspaces, edges: [...edges.values()] };
}

/** Every broken rule, one readable line each; empty when the graph is clean. */
export function violations(graph: Graph): string[] {
  const byName = new Map(graph.workspaces.map((w) => [w.name, w]));
  const out: string[] = [];
  for (const e of graph.edges) {
    const from = byName.get(e.from);
    const to = byName.get(e.to);
    if (!from || !to) continue;
    if (e.relative) out.push(`${e.file}: reaches into ${to.dir} by a relative path; import ${to.name}`);
    if (from.kind === "app" && to.kind === "app" && from.dir !== COMPOSITION_ROOT) {
      out.push(`${e.file}: app ${from.name} imports app ${to.name}; only ${COMPOSITION_ROOT} may`);
    }
    if (!e.relative && !from.declared.includes(to.name)) {
      out.push(`${e.file}: imports ${to.name}, which ${from.dir}/package.json does not declare`);
    }
  }
  for (const w of graph.workspaces) {
    for (const d of w.declared) {
      const to = byName.get(d);
      if (w.kind === "app" && to?.kind === "app" && w.dir !== COMPOSITION_ROOT) {
        out.push(`${w.dir}/package.json: app ${w.name} depends on app ${d}; only ${COMPOSITION_ROOT} may`);
      }
    }
  }
  return out;
}

/** `name -> a, b, c` per workspace, by imports; declared-but-unused dependencies in brackets. */
export function formatGraph(graph: Graph): string {
  const lines: string[] = [];
  for (const w of graph.workspaces) {
    const used = new Set(graph.edges.filter((e) => e.from === w.name).map((e) => e.to));
    const unused = w.declared.filter((d) => !used.has(d));
    const list = [...used].sort().join(", ") || "(none)";
    lines.push(
      `${w.name} (${w.dir}) -> ${list}${unused.length ? `   [declared, not imported: ${unused.join(", ")}]` : ""}`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf("--root");
  const root = resolve(rootAt >= 0 ? (args[rootAt + 1] ?? ".") : join(import.meta.dir, ".."));
  const graph = readGraph(root);
  if (args.includes("--json")) console.log(JSON.stringify(graph, null, 2));
  else console.log(formatGraph(graph));
  if (args.includes("--check")) {
    const broken = violations(graph);
    if (broken.length) {
      console.error(`\n${broken.length} import rule(s) broken:\n${broken.join("\n")}`);
      process.exit(1);
    }
    console.error("\nimport rules hold: no app imports another app (but the composition root), all declared");
  }
}
