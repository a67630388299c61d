export {
  type Ask,
  createEngineReader,
  createInProcessEngineReader,
  type EngineQuerier,
  type EngineReader,
  EngineUnavailableError,
} from "./engine-reader.ts";
export {
  createRemoteEngineReader,
  type RemoteEngineReader,
  type RemoteEngineReaderOptions,
} from "./remote-engine-reader.ts";
