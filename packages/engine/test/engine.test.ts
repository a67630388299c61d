import { createEngine } from "../src/index.ts";
import { edgeScenarios } from "./scenarios-edges.ts";
import { kindScenarios } from "./scenarios-kinds.ts";
import { lifecycleScenarios } from "./scenarios-lifecycle.ts";
import { matchingScenarios } from "./scenarios-matching.ts";

matchingScenarios("fast", createEngine);
kindScenarios("fast", createEngine);
lifecycleScenarios("fast", createEngine);
edgeScenarios("fast", createEngine);
