export { createEngine, restoreEngine } from "./engine.ts";
export * from "./types.ts";
