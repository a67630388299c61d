export { createQueueEngineGateway, type EngineGateway, EngineTimeoutError } from "./engine-gateway.ts";
export {
  type Ask,
  createEngineReader,
  createInProcessEngineReader,
  type EngineQuerier,
  type EngineReader,
  EngineUnavailableError,
} from "./engine-reader.ts";
export {
  type Difference,
  type EngineSource,
  postgresTotalsOf,
  type ReconcileReport,
  reconcile,
} from "./reconcile.ts";
export {
  createRemoteEngineReader,
  type RemoteEngineReader,
  type RemoteEngineReaderOptions,
} from "./remote-engine-reader.ts";
export { ReplayDivergedError, type Replayed, type ReplayOptions, replayLog, sameEvents } from "./replay.ts";
