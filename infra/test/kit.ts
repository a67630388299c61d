/** Helpers for the deployment tests: the repository root and a small Dockerfile reader. */
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export const repoRoot = resolve(import.meta.dir, "../..");

export interface Instruction {
  op: string;
  args: string;
}
export interface Stage {
  from: string;
  name: string;
  instructions: Instruction[];
}

/** Dockerfile instructions by stage: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!current && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push((current + line).trim());
    current = "";
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const l of logical) {
    const at = l.indexOf(" ");
    const op = l.slice(0, at).toUpperCase();
    const rest = l.slice(at + 1).trim();
    if (op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      stages.push({ from: m?.[1] ?? rest, name: m?.[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) args.push({ op, args: rest });
    else stages.at(-1)?.instructions.push({ op, args: rest });
  }
  return { args, stages };
}

/** Runs Debian's docker-compose (v1) in the repository root. */
export function runCompose(args: string[]) {
  const r = Bun.spawnSync(["docker-compose", ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" },
  });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

export type ComposeFile = { services: Record<string, any>; volumes?: Record<string, unknown> };

/** `docker-compose config` resolved against an env file, parsed. Throws with compose's stderr. */
export function composeConfig(envFile: string): ComposeFile {
  const r = runCompose(["--env-file", envFile, "-f", "docker-compose.yml", "config"]);
  if (r.code !== 0) throw new Error(`docker-compose config failed: ${r.err}`);
  return parseYaml(r.out) as ComposeFile;
}
