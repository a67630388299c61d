export {
  type BatchResult,
  createPersister,
  DEFAULT_PERSISTER_NAME,
  type Persister,
  type PersisterOptions,
  type PersisterStatus,
} from "./persister.ts";
export { type Plan, planBatch } from "./plan.ts";
export {
  type Difference,
  type EngineSource,
  postgresTotalsOf,
  type ReconcileReport,
  reconcile,
} from "./reconcile.ts";
export { type Replayed, replayLog } from "./replay.ts";
