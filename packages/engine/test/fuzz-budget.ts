/**
 * How much random work the differential suites do. The default keeps `npm test` under a minute on
 * two cores; ENGINE_FUZZ_COMMANDS scales every suite (e.g. 2000000), ENGINE_FUZZ_SEED changes the seed.
 */
const DEFAULT_COMMANDS = 120_000;

export function fuzzBudget() {
  const total = Number(process.env.ENGINE_FUZZ_COMMANDS ?? DEFAULT_COMMANDS);
  const scale = total / DEFAULT_COMMANDS;
  const seed = Number(process.env.ENGINE_FUZZ_SEED ?? 20_261_124);
  return {
    seed,
    scale,
    /** fast-check streams: ~45 % of the budget (average stream ≈ maxSteps / 2 + setup). */
    maxSteps: 400,
    propertyRuns: Math.max(10, Math.round((0.45 * total) / 210)),
    /** The long random walk: ~35 %. */
    walkCommands: Math.max(2_000, Math.round(0.35 * total)),
    /** Snapshot/restore streams: ~20 %. */
    snapshotRuns: Math.max(5, Math.round((0.2 * total) / 400)),
    timeoutMs: Math.max(60_000, Math.round(60_000 * scale)),
    count(suite: string, commands: number) {
      console.log(`[fuzz] ${suite}: ${commands} commands (seed ${seed})`);
    },
  };
}
