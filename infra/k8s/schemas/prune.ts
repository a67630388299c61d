/**
 * Regenerates the vendored CRD schemas (infra/k8s/schemas/*.json) from the operators' published CRDs:
 *   bun infra/k8s/schemas/prune.ts <strimzi-040-Crd-kafka.yaml> <045-Crd-kafkanodepool.yaml> \
 *     <043-Crd-kafkatopic.yaml> <cloudnative-pg postgresql.cnpg.io_clusters.yaml> [source note]
 * The published CRDs are 0.3–0.5 MB each, so only the part our manifests use is kept: each object
 * schema keeps the properties that some rendered custom resource sets (with their types, enums,
 * bounds and `required` lists), and objects that do not preserve unknown fields get
 * `additionalProperties: false` — a field that the published schema lacks (a typo, a removed field) is
 * absent from the subset and so refused. Run it again after a manifest starts using a new field.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { repoRoot } from "../../test/kit.ts";

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema };
const KEEP = [
  "type",
  "enum",
  "minimum",
  "maximum",
  "pattern",
  "format",
  "required",
  "nullable",
  "oneOf",
  "anyOf",
];

function prune(schema: Schema, instances: unknown[]): Schema {
  const out: Schema = {};
  for (const k of KEEP) if (k in schema) out[k] = schema[k];
  for (const [k, v] of Object.entries(schema)) if (k.startsWith("x-kubernetes-")) out[k] = v;
  const objects = instances.filter(
    (i): i is Record<string, unknown> => !!i && typeof i === "object" && !Array.isArray(i),
  );
  if (schema.properties) {
    const used = new Set(objects.flatMap((o) => Object.keys(o)));
    out.properties = {};
    for (const [name, sub] of Object.entries(schema.properties))
      if (used.has(name))
        out.properties[name] = prune(
          sub,
          objects.map((o) => o[name]).filter((v) => v !== undefined),
        );
    if (!schema["x-kubernetes-preserve-unknown-fields"] && !schema.additionalProperties)
      out.additionalProperties = false;
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === "object")
    out.additionalProperties = prune(
      schema.additionalProperties as Schema,
      objects.flatMap((o) => Object.values(o)),
    );
  if (schema.items) out.items = prune(schema.items, instances.filter(Array.isArray).flat());
  return out;
}

const [kafka, nodePool, topic, cnpg, source = "upstream CRDs"] = process.argv.slice(2);
if (!cnpg) {
  console.error("usage: prune.ts KAFKA_CRD NODEPOOL_CRD TOPIC_CRD CNPG_CLUSTER_CRD [source note]");
  process.exit(2);
}
const rendered = ["dev", "prod"].flatMap((overlay) =>
  parseAllDocuments(
    execFileSync("kubectl", ["kustomize", join(repoRoot, "infra/k8s/overlays", overlay)], {
      encoding: "utf8",
    }),
  ).map((d) => d.toJSON() as { apiVersion: string; kind: string }),
);
for (const file of [kafka, nodePool, topic, cnpg] as string[]) {
  const crd = parseYaml(readFileSync(file, "utf8"));
  const { group, names } = crd.spec;
  for (const version of crd.spec.versions.filter((v: { served: boolean }) => v.served)) {
    const apiVersion = `${group}/${version.name}`;
    const mine = rendered.filter((o) => o.apiVersion === apiVersion && o.kind === names.kind);
    if (mine.length === 0) continue;
    const schema = prune(version.schema.openAPIV3Schema, mine);
    const out = {
      $comment: `${apiVersion} ${names.kind}: subset of ${source} used by infra/k8s (prune.ts)`,
      ...schema,
    };
    const path = join(repoRoot, "infra/k8s/schemas", `${group}_${version.name}_${names.kind}.json`);
    writeFileSync(path, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`${path}: ${mine.length} objects`);
  }
}
