/**
 * The typed client (@ox/client) against the OpenAPI document the API serves: every operation in
 * the document has a client method and every client method is served, each naming the same
 * schemas (request body, query parameters, success bodies) as the route. The client is built on
 * the contracts, not generated, so this is what fails when the two drift.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_PREFIX, createClient, operationsOf, type SchemaName } from "@ox/client";
import { ensureDevSecrets, parseApiEnv } from "@ox/config";
import * as contracts from "@ox/contracts";
import { createLogger } from "@ox/logger";
import type { z } from "zod";
import { type Platform, startPlatform } from "../src/platform.ts";

interface Doc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ in: string; name: string }>;
        requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
        responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
      }
    >
  >;
}

const dataDir = mkdtempSync(join(tmpdir(), "ox-client-coverage-"));
let platform: Platform;
let doc: Doc;

beforeAll(async () => {
  const { DATABASE_URL: _d, REDIS_URL: _r, KAFKA_BROKERS: _k, ...rest } = process.env;
  const env = ensureDevSecrets(
    parseApiEnv({
      ...rest,
      NODE_ENV: "development",
      PORT: String(41_000 + Math.floor(Math.random() * 20_000)),
      DATA_DIR: dataDir,
      SMS_PROVIDER: "console",
      LOG_LEVEL: "silent",
    }),
  );
  platform = await startPlatform({ env, logger: createLogger({ level: "silent" }) });
  doc = (await (await fetch(`${platform.url}${API_PREFIX}/openapi.json`)).json()) as Doc;
});
afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const schemas = contracts as unknown as Record<SchemaName, z.ZodType>;
const idOf = (name: SchemaName) => schemas[name].meta()?.id ?? `(no id on ${name})`;
const refId = (ref: string | undefined) => ref?.replace("#/components/schemas/", "");

test("every served operation has a client method, and every client method is served", () => {
  const served = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.slice(API_PREFIX.length)}`),
  );
  const client = operationsOf(createClient()).map((o) => `${o.spec.method} ${o.spec.path}`);
  expect(served.length).toBeGreaterThan(30);
  expect([...client].sort()).toEqual([...served].sort());
});

test("each client method names the route's body, query and success schemas", () => {
  for (const { name, spec } of operationsOf(createClient())) {
    const op = doc.paths[`${API_PREFIX}${spec.path}`]?.[spec.method.toLowerCase()];
    expect(op, name).toBeDefined();
    if (!op) continue;
    const body = refId(op.requestBody?.content["application/json"]?.schema.$ref);
    expect({ name, body }).toEqual({ name, body: spec.body ? idOf(spec.body) : undefined });
    const query = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
    const declared = spec.query ? Object.keys((schemas[spec.query] as z.ZodObject).shape) : [];
    expect({ name, query: query.sort() }).toEqual({ name, query: declared.sort() });
    const success = Object.entries(op.responses)
      .filter(([status]) => status.startsWith("2"))
      .map(([, r]) => refId(r.content?.["application/json"]?.schema.$ref));
    expect({ name, responses: [...new Set(success)].sort() }).toEqual({
      name,
      responses: [...new Set(spec.responses.map(idOf))].sort(),
    });
  }
});
