import { DEFAULT_DEDUPE_WINDOW_MS } from "./dedupe.ts";
import { Emitter } from "./events.ts";
import { MatchingCore } from "./matching/core.ts";
import { RiskCore } from "./risk/core.ts";

/**
 * The single-process engine: the two cores wired directly (the matching core's RiskPort is the risk
 * core) over one event stream, the only thing they share. snapshot() writes exactly this.
 */
export class EngineState {
  /** Event emitter; owns the global `seq`. Both cores emit into it, in command order. */
  readonly out = new Emitter(0);
  readonly risk: RiskCore;
  readonly matching: MatchingCore;
  constructor(readonly dedupeWindowMs: number = DEFAULT_DEDUPE_WINDOW_MS) {
    this.risk = new RiskCore(this.out, dedupeWindowMs);
    this.matching = new MatchingCore(this.out, this.risk, dedupeWindowMs);
  }
}
