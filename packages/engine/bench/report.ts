import { readFileSync } from "node:fs";

/** Combines the per-runtime lines of bench.ts into the report (or one JSON line with --json). */

interface Run {
  runtime: string;
  commandsPerSec: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  peerCommandsPerSec: number;
  ratio: number;
  timerOverheadNs: number;
  commands: number;
}

const [bunLine, nodeLine, ...flags] = process.argv.slice(2);
const runs = [bunLine, nodeLine].map((l) => JSON.parse(l) as Run);
const pkg = JSON.parse(readFileSync("node_modules/nodejs-order-book/package.json", "utf8")) as {
  version: string;
};
const peer = `nodejs-order-book@${pkg.version}`;

if (flags.includes("--json")) {
  const slim = runs.map(({ runtime, commandsPerSec, p50Ns, p99Ns, p999Ns, peerCommandsPerSec, ratio }) => ({
    runtime,
    commandsPerSec,
    p50Ns,
    p99Ns,
    p999Ns,
    peerCommandsPerSec,
    ratio,
  }));
  process.stdout.write(`${JSON.stringify({ peer, runs: slim })}\n`);
} else {
  const n = (x: number) => Math.round(x).toLocaleString("en");
  console.log(`engine benchmark: ${n(runs[0].commands)} measured commands, peer ${peer}`);
  for (const r of runs) {
    console.log(
      `${r.runtime.padEnd(5)} ${n(r.commandsPerSec).padStart(11)} cmd/s  p50 ${n(r.p50Ns)} ns  p99 ${n(r.p99Ns)} ns  ` +
        `p99.9 ${n(r.p999Ns)} ns  | peer ${n(r.peerCommandsPerSec)} cmd/s  ratio ${r.ratio}×`,
    );
  }
}
