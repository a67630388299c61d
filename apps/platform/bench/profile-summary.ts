/**
 * Where a server's thread spends its time, from a `--profile DIR` run of bench:e2e (Bun's
 * `--cpu-prof` writes a Chrome .cpuprofile next to the markdown one):
 *
 *   bun apps/platform/bench/profile-summary.ts DIR/CPU.….cpuprofile [--from 35 --to 47] [--by file]
 *
 * Each sample is charged to the nearest frame with a source file (a native leaf such as
 * JSON.parse is charged to the JS that called it), grouped by module (a package under
 * node_modules, or a repository folder) or by file. --from/--to keep the samples of one window, in
 * seconds from the profile's start (the phase you want: `--histogram` prints samples per second
 * and how many of them are under the engine's applyBatch (both of its loops apply through it),
 * which shows where the phases are).
 */
import { parseArgs } from "node:util";

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A source URL as a short name: `nm/<package>` under node_modules, else the repository path. */
export function moduleOf(url: string, by: "module" | "file"): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length);
    if (by === "file") return `nm/${rest}`;
    const parts = rest.split("/");
    const name = parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
    return `nm/${name}`;
  }
  const repo = url.match(/(?:^|\/)((?:apps|packages)\/.*)$/)?.[1];
  if (!repo) return url;
  return by === "file" ? repo : repo.split("/").slice(0, 4).join("/");
}

/** Samples by group, most first; `total` is the samples in the window. */
export function summarize(
  profile: CpuProfile,
  options: { fromSec?: number; toSec?: number; by?: "module" | "file" } = {},
): { total: number; groups: Array<[string, number]> } {
  const by = options.by ?? "module";
  const nodes = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const groupOf = new Map<number, string>();
  const group = (id: number): string => {
    const known = groupOf.get(id);
    if (known !== undefined) return known;
    const frame = (nodes.get(id) as ProfileNode).callFrame;
    const up = parent.get(id);
    const g = frame.url
      ? /^(node|internal|bun):/.test(frame.url) || !frame.url.includes("/")
        ? frame.url.replace(/^internal:/, "node:internal/")
        : moduleOf(frame.url, by)
      : up !== undefined
        ? group(up)
        : "(native, no JS caller)";
    groupOf.set(id, g);
    return g;
  };
  const counts = new Map<string, number>();
  let t = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const sec = t / 1e6;
    if (options.fromSec !== undefined && sec < options.fromSec) continue;
    if (options.toSec !== undefined && sec > options.toSec) continue;
    total++;
    const g = group(profile.samples[i] as number);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return { total, groups: [...counts].sort((a, b) => b[1] - a[1]) };
}

/** Samples per second, and how many of them have `marker` on their stack. */
export function histogram(profile: CpuProfile, marker = "applyBatch"): Array<[number, number, number]> {
  const nodes = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const marked = new Map<number, boolean>();
  const isMarked = (id: number): boolean => {
    const known = marked.get(id);
    if (known !== undefined) return known;
    const up = parent.get(id);
    const v =
      (nodes.get(id) as ProfileNode).callFrame.functionName === marker || (up !== undefined && isMarked(up));
    marked.set(id, v);
    return v;
  };
  const per = new Map<number, [number, number]>();
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const sec = Math.floor(t / 1e6);
    const row = per.get(sec) ?? [0, 0];
    row[0]++;
    if (isMarked(profile.samples[i] as number)) row[1]++;
    per.set(sec, row);
  }
  return [...per].map(([sec, [all, hit]]) => [sec, all, hit]);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      from: { type: "string" },
      to: { type: "string" },
      by: { type: "string", default: "module" },
      top: { type: "string", default: "30" },
      histogram: { type: "boolean", default: false },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error("usage: profile-summary.ts FILE.cpuprofile [--from S --to S] [--by file]");
  const profile = (await Bun.file(file).json()) as CpuProfile;
  if (values.histogram) {
    console.log(
      histogram(profile)
        .map(([s, all, hit]) => `${s}s:${all}/${hit}`)
        .join(" "),
    );
  } else {
    const { total, groups } = summarize(profile, {
      fromSec: values.from === undefined ? undefined : Number(values.from),
      toSec: values.to === undefined ? undefined : Number(values.to),
      by: values.by === "file" ? "file" : "module",
    });
    console.log(`${total} samples`);
    for (const [name, n] of groups.slice(0, Number(values.top)))
      console.log(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${String(n).padStart(6)}  ${name}`);
  }
}
