import { createReferenceEngine, restoreReferenceEngine } from "../src/reference/index.ts";
import { amendScenarios } from "./scenarios-amend.ts";
import { edgeScenarios } from "./scenarios-edges.ts";
import { gtdStpScenarios } from "./scenarios-gtd-stp.ts";
import { kindScenarios } from "./scenarios-kinds.ts";
import { lifecycleScenarios } from "./scenarios-lifecycle.ts";
import { matchingScenarios } from "./scenarios-matching.ts";

matchingScenarios("reference", createReferenceEngine);
kindScenarios("reference", createReferenceEngine);
lifecycleScenarios("reference", createReferenceEngine);
edgeScenarios("reference", createReferenceEngine);
amendScenarios("reference", createReferenceEngine, (b) => restoreReferenceEngine(b));
gtdStpScenarios("reference", createReferenceEngine);
