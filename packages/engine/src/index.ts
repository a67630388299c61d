export { DEFAULT_DEDUPE_WINDOW_MS, type EngineConfig } from "./dedupe.ts";
export { createEngine, restoreEngine } from "./engine.ts";
export * from "./types.ts";
