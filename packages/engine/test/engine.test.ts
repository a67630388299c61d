import { createEngine, restoreEngine } from "../src/index.ts";
import { amendScenarios } from "./scenarios-amend.ts";
import { edgeScenarios } from "./scenarios-edges.ts";
import { gtdStpScenarios } from "./scenarios-gtd-stp.ts";
import { kindScenarios } from "./scenarios-kinds.ts";
import { lifecycleScenarios } from "./scenarios-lifecycle.ts";
import { matchingScenarios } from "./scenarios-matching.ts";

matchingScenarios("fast", createEngine);
kindScenarios("fast", createEngine);
lifecycleScenarios("fast", createEngine);
edgeScenarios("fast", createEngine);
amendScenarios("fast", createEngine, (b) => restoreEngine(b));
gtdStpScenarios("fast", createEngine);
