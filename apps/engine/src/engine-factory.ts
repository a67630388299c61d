import { createEngine, type Engine, restoreEngine } from "@ox/engine";

/** How the shell makes an engine: fresh, or from snapshot bytes. Injectable so one suite can run both engines. */
export interface EngineFactory {
  create(): Engine;
  restore(bytes: Uint8Array): Engine;
}

export const defaultEngineFactory: EngineFactory = {
  create: () => createEngine(),
  restore: (bytes) => restoreEngine(bytes),
};
