import { expect, test } from "bun:test";
import { REDIS_URL } from "@ox/bus/testing";
import pino from "pino";
import { checkRedisDurability } from "./redis-durability.ts";

test("reports the shared Redis's persistence as it is, and an unreachable Redis as unknown", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (l: string) => lines.push(l) });
  const found = await checkRedisDurability(REDIS_URL, logger);
  expect(["ok", "no-aof", "weak-fsync"]).toContain(found);
  if (found !== "ok") expect(lines.length).toBeGreaterThan(0);
  expect(await checkRedisDurability("redis://127.0.0.1:1", logger)).toBe("unknown");
});
