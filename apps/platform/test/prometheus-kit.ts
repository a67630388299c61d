/**
 * A private Prometheus for the tests (Debian's package): free port, config and data dir in the
 * caller's temp dir, stopped by the caller. `query` is one instant query of the HTTP API.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "bun";
import { freePort } from "./crash-cluster.ts";

export interface TestPrometheus {
  readonly base: string;
  query(expr: string, atMs?: number): Promise<[Record<string, string>, number][]>;
  rules(): Promise<{ name: string; health: string; lastError?: string; state?: string }[]>;
  until(what: string, ok: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number>;
  /** For afterAll after a failure. */
  kill(): void;
}

export async function startPrometheus(options: { dir: string; config: string }): Promise<TestPrometheus> {
  const port = await freePort();
  mkdirSync(join(options.dir, "data"), { recursive: true });
  const configFile = join(options.dir, "prometheus.yml");
  writeFileSync(configFile, options.config);
  const proc = spawn(
    [
      "prometheus",
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
    ],
    { stdout: "ignore", stderr: Bun.file(join(options.dir, "prometheus.log")) },
  );
  const base = `http://127.0.0.1:${port}`;
  const until = async (what: string, ok: () => Promise<boolean>, timeoutMs = 60_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await ok().catch(() => false))) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited ${proc.exitCode} (${options.dir})`);
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await Bun.sleep(250);
    }
  };
  const prom: TestPrometheus = {
    base,
    async query(expr, atMs) {
      const url = new URL("/api/v1/query", base);
      url.searchParams.set("query", expr);
      if (atMs !== undefined) url.searchParams.set("time", String(atMs / 1000));
      const body = (await (await fetch(url)).json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
      return body.data.result.map((r) => [r.metric, Number(r.value[1])]);
    },
    async rules() {
      const body = (await (await fetch(`${base}/api/v1/rules`)).json()) as {
        data: { groups: { rules: { name: string; health: string; lastError?: string; state?: string }[] }[] };
      };
      return body.data.groups.flatMap((g) => g.rules);
    },
    until,
    async stop() {
      proc.kill("SIGTERM");
      return await proc.exited;
    },
    kill() {
      proc.kill("SIGKILL");
    },
  };
  try {
    await until("prometheus ready", async () => (await fetch(`${base}/-/ready`)).status === 200);
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  }
  return prom;
}
