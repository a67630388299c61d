import { DEFAULT_DEDUPE_WINDOW_MS } from "./dedupe.ts";
import { Emitter } from "./events.ts";
import { MatchingCore } from "./matching/core.ts";
import { RiskCore } from "./risk/core.ts";
import { StringIndex } from "./string-index.ts";

/**
 * The single-process engine: the two cores wired directly (the matching core's RiskPort is the risk
 * core) over one event stream and one user directory. snapshot() writes exactly this.
 */
export class EngineState {
  /** Event emitter; owns the global `seq`. Both cores emit into it, in command order. */
  readonly out = new Emitter(0);
  /** User id → handle, the same handle in both cores. */
  readonly users = new StringIndex<number>();
  readonly risk: RiskCore;
  readonly matching: MatchingCore;
  constructor(readonly dedupeWindowMs: number = DEFAULT_DEDUPE_WINDOW_MS) {
    this.risk = new RiskCore(this.out, this.users, dedupeWindowMs);
    this.matching = new MatchingCore(this.out, this.users, this.risk, dedupeWindowMs);
  }
}
