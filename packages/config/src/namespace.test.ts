import { expect, test } from "bun:test";
import { parseApiEnv } from "./api.ts";
import { EnvError } from "./common.ts";
import { parseEngineEnv } from "./engine.ts";
import { parseStreamEnv } from "./stream.ts";

const base = {
  REDIS_URL: "redis://localhost:6379",
  KAFKA_BROKERS: "localhost:9092",
  JWT_SECRET: "x".repeat(32),
};

test("REDIS_NAMESPACE: none by default, and every process kind reads the same value", () => {
  expect(parseEngineEnv(base).REDIS_NAMESPACE).toBe("");
  for (const parse of [parseEngineEnv, parseApiEnv, parseStreamEnv]) {
    expect(parse({ ...base, REDIS_NAMESPACE: "staging:" }).REDIS_NAMESPACE).toBe("staging:");
  }
});

test.each(["has space", "a*b", "ü:"])(
  "REDIS_NAMESPACE %j is refused (it would be a glob or a surprise)",
  (ns) => {
    expect(() => parseEngineEnv({ ...base, REDIS_NAMESPACE: ns })).toThrow(EnvError);
  },
);
