/**
 * How much random work the differential suites do. The default (≥ 102 000 commands across the three
 * suites, each asserting its share) keeps `npm test` well under a minute of CPU on two cores;
 * ENGINE_FUZZ_COMMANDS scales every suite (e.g. 2000000), ENGINE_FUZZ_SEED changes the seed.
 */
const DEFAULT_COMMANDS = 120_000;
/** Streams from `steps(400)` average ~190 commands with the setup; 150 leaves headroom. */
const MIN_AVERAGE_STREAM = 150;

export function fuzzBudget() {
  const total = Number(process.env.ENGINE_FUZZ_COMMANDS ?? DEFAULT_COMMANDS);
  const seed = Number(process.env.ENGINE_FUZZ_SEED ?? 20_261_124);
  if (!Number.isSafeInteger(total) || total < 1_000)
    throw new Error(`ENGINE_FUZZ_COMMANDS=${total}: need ≥ 1000`);
  const streamTarget = Math.round(0.42 * total);
  const walkCommands = Math.round(0.33 * total);
  const snapshotTarget = Math.round(0.1 * total);
  return {
    seed,
    maxSteps: 400,
    /** fast-check streams: at least this many commands. */
    streamTarget,
    propertyRuns: Math.ceil(streamTarget / MIN_AVERAGE_STREAM),
    walkCommands,
    /** snapshot/restore streams: at least this many commands (each runs twice). */
    snapshotTarget,
    snapshotRuns: Math.ceil(snapshotTarget / MIN_AVERAGE_STREAM),
    /** Generous: the machine is shared; the point is to bound a hang, not to time the suite. */
    timeoutMs: Math.max(180_000, Math.round((180_000 * total) / DEFAULT_COMMANDS)),
    /** Shared fast-check options: shrinking is bounded so a failure reports before the test timeout. */
    fastCheck: {
      includeErrorInReport: true,
      interruptAfterTimeLimit: Math.round(0.8 * Math.max(180_000, (180_000 * total) / DEFAULT_COMMANDS)),
      markInterruptAsFailure: true,
    },
    count(suite: string, commands: number) {
      console.log(`[fuzz] ${suite}: ${commands} commands (seed ${seed})`);
    },
  };
}
