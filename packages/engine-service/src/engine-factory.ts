import { createEngine, type Engine, type EngineConfig, restoreEngine } from "@ox/engine";

/** How the shell makes an engine: fresh, or from snapshot bytes. Injectable so one suite can run both engines. */
export interface EngineFactory {
  create(): Engine;
  restore(bytes: Uint8Array): Engine;
}

/** The fast engine with this config (the idempotency window, packages/engine/SEMANTICS.md). */
export function engineFactoryFor(config: EngineConfig): EngineFactory {
  return {
    create: () => createEngine(config),
    restore: (bytes) => restoreEngine(bytes, config),
  };
}

export const defaultEngineFactory: EngineFactory = engineFactoryFor({});
