/** Prometheus's own checker (Debian's prometheus package; scripts/ensure-services.sh installs it). */
export function promtool(args: string[], stdin?: string): { code: number; output: string } {
  const r = Bun.spawnSync(["promtool", ...args], {
    stdin: stdin === undefined ? "ignore" : Buffer.from(stdin),
  });
  return { code: r.exitCode ?? -1, output: `${r.stdout.toString()}${r.stderr.toString()}` };
}

/** Parses the value of one series (`name{labels}` as printed) out of an exposition; NaN when absent. */
export function sampleOf(exposition: string, series: string): number {
  for (const line of exposition.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return Number.NaN;
}

/** Sum of every sample of a metric family (all label sets). */
export function sumOf(exposition: string, name: string): number {
  let total = 0;
  for (const line of exposition.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.split(" ").at(-1));
  }
  return total;
}
