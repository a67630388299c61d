/**
 * infra/k8s rendered by kubectl's kustomize (both overlays), every object validated: Kubernetes kinds by
 * the kubernetes-models schemas (types, required fields, formats), the operators' custom resources
 * (Strimzi Kafka/KafkaNodePool/KafkaTopic, CloudNativePG Cluster) by their published CRD schemas
 * (the subset our manifests use, vendored in infra/k8s/schemas by prune.ts, unknown fields refused).
 * Then what the topology must have: probes and resources on every container, a single-writer engine
 * StatefulSet with a snapshot PVC, the api's HPA and PDB, sticky Socket.io, RF 3 / min ISR 2 topics,
 * a three-instance Postgres, Redis with AOF.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "./kit.ts";

type Obj = Record<string, any>;
const KINDS = ["api", "engine", "persister", "stream", "migrate", "platform"];

function render(overlay: string) {
  const r = Bun.spawnSync(["kubectl", "kustomize", join(repoRoot, "infra/k8s/overlays", overlay)], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" },
  });
  const err = r.stderr.toString();
  if (r.exitCode !== 0) throw new Error(`kubectl kustomize ${overlay}: ${err}`);
  // Old and new kustomize both read the manifests; new ones warn about the old field names only.
  const unexpected = err.split("\n").filter((l) => l.trim() && !/^# Warning: '\w+' is deprecated/.test(l));
  expect(unexpected).toEqual([]);
  return parseAllDocuments(r.stdout.toString()).map((d) => d.toJSON() as Obj);
}
const rendered = { dev: render("dev"), prod: render("prod") };

const ajv = new Ajv({ strict: false, allErrors: true });
const crdSchemas = new Map<string, ReturnType<typeof ajv.compile>>();
for (const file of readdirSync(join(repoRoot, "infra/k8s/schemas")).filter((f) => f.endsWith(".json"))) {
  const [group, version, kind] = file.replace(/\.json$/, "").split("_");
  crdSchemas.set(
    `${group}/${version}/${kind}`,
    ajv.compile(JSON.parse(readFileSync(join(repoRoot, "infra/k8s/schemas", file), "utf8"))),
  );
}

/** Throws with the schema's complaint when the object does not validate. */
async function validate(o: Obj): Promise<void> {
  const crd = crdSchemas.get(`${o.apiVersion}/${o.kind}`);
  if (crd) {
    if (!crd(o)) throw new Error(`${o.kind}/${o.metadata?.name}: ${ajv.errorsText(crd.errors)}`);
    return;
  }
  if (String(o.apiVersion).includes(".") && !String(o.apiVersion).includes("k8s.io"))
    throw new Error(`no schema for custom resource ${o.apiVersion} ${o.kind}`);
  const groupVersion = String(o.apiVersion);
  const mod = await import(`kubernetes-models/${groupVersion}/${o.kind}`).catch(() => undefined);
  if (!mod) throw new Error(`kubernetes-models has no ${groupVersion} ${o.kind}`);
  const Model = mod[o.kind] ?? mod.default;
  new Model(o).validate();
}

const find = (objs: Obj[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name.startsWith(name));
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};
const workloads = (objs: Obj[]) => objs.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind));
const containers = (o: Obj) => o.spec.template.spec.containers as Obj[];
const env = (c: Obj) => Object.fromEntries((c.env ?? []).map((e: Obj) => [e.name, e.value ?? e.valueFrom]));

describe("kubectl kustomize", () => {
  for (const [overlay, objs] of Object.entries(rendered)) {
    test(`${overlay}: every rendered object validates against its schema`, async () => {
      expect(objs.length).toBeGreaterThan(15);
      for (const o of objs) {
        await validate(o);
        expect(o.metadata.namespace).toBe(overlay === "prod" ? "ox" : "ox-dev");
      }
    });
  }

  test("the validators refuse what the API server would: a wrong type, a missing field, an unknown CR field", async () => {
    const objs = structuredClone(rendered.prod);
    const deployment = find(objs, "Deployment", "ox-api");
    await expect(
      validate({ ...deployment, spec: { ...deployment.spec, replicas: "two" } }),
    ).rejects.toThrow();
    await expect(
      validate({ ...deployment, spec: { ...deployment.spec, selector: undefined } }),
    ).rejects.toThrow();
    const kafka = find(objs, "Kafka", "ox-kafka");
    await expect(
      validate({ ...kafka, spec: { ...kafka.spec, kafka: { ...kafka.spec.kafka, listners: [] } } }),
    ).rejects.toThrow(/additional properties/);
    const topic = find(objs, "KafkaTopic", "ox-events");
    await expect(validate({ ...topic, spec: { ...topic.spec, partitions: 0 } })).rejects.toThrow(/>= 1/);
    await expect(
      validate({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }),
    ).rejects.toThrow(/no schema/);
  });
});

describe("the topology", () => {
  for (const [overlay, objs] of Object.entries(rendered)) {
    test(`${overlay}: every container has readiness and liveness probes and resource requests and limits`, () => {
      for (const w of workloads(objs)) {
        for (const c of containers(w)) {
          const what = `${w.kind}/${w.metadata.name}/${c.name}`;
          expect({ what, requests: !!c.resources?.requests, limits: !!c.resources?.limits }).toEqual({
            what,
            requests: true,
            limits: true,
          });
          if (w.kind === "Job") continue;
          expect({ what, ready: !!c.readinessProbe, live: !!c.livenessProbe }).toEqual({
            what,
            ready: true,
            live: true,
          });
        }
      }
    });

    test(`${overlay}: app containers run the image's entrypoint with a process kind, as non-root`, () => {
      const apps = workloads(objs).filter((w) =>
        containers(w).some((c) => !String(c.image).startsWith("redis")),
      );
      expect(apps.map((w) => w.metadata.name).sort()).toEqual(
        ["ox-api", "ox-engine-0", "ox-migrate", "ox-persister", "ox-stream"].sort(),
      );
      for (const w of apps) {
        const [c] = containers(w);
        expect(KINDS).toContain(c?.args?.[0]);
        expect(c?.image).toBe(
          overlay === "prod" ? "ghcr.io/example/opinion-exchange:1.0.0" : "opinion-exchange:local",
        );
        expect(w.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      }
    });

    test(`${overlay}: api is a Deployment with a CPU HPA and a PodDisruptionBudget; engine a single-writer StatefulSet`, () => {
      const hpa = find(objs, "HorizontalPodAutoscaler", "ox-api");
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "ox-api" });
      expect(hpa.spec.metrics).toEqual([
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ]);
      expect(find(objs, "PodDisruptionBudget", "ox-api").spec.minAvailable).toBe(1);
      expect(env(containers(find(objs, "Deployment", "ox-api"))[0] as Obj).DB_MIGRATE).toBe("false");
      const engines = objs.filter((o) => o.kind === "StatefulSet" && o.metadata.name.startsWith("ox-engine"));
      expect(engines.length).toBeGreaterThanOrEqual(1);
      for (const e of engines) {
        expect(e.spec.replicas).toBe(1);
        expect(e.spec.volumeClaimTemplates[0].metadata.name).toBe("snapshots");
        const c = containers(e)[0] as Obj;
        expect(c.volumeMounts).toContainEqual({ name: "snapshots", mountPath: "/data" });
        expect(env(c).DATA_DIR).toBe("/data");
      }
      expect(find(objs, "Deployment", "ox-persister").spec.strategy.type).toBe("Recreate");
      for (const name of ["ox-api", "ox-stream", "ox-engine", "ox-redis"]) find(objs, "Service", name);
    });

    test(`${overlay}: Socket.io behind the Ingress is sticky by cookie; everything else goes to the api`, () => {
      const stream = find(objs, "Ingress", "ox-stream");
      expect(stream.metadata.annotations["nginx.ingress.kubernetes.io/affinity"]).toBe("cookie");
      expect(stream.spec.rules[0].http.paths[0]).toMatchObject({
        path: "/socket.io",
        backend: { service: { name: "ox-stream" } },
      });
      expect(find(objs, "Ingress", "ox-api").spec.rules[0].http.paths[0].backend.service.name).toBe("ox-api");
      expect(find(objs, "Deployment", "ox-stream").spec.template.spec.containers[0].envFrom).toContainEqual({
        secretRef: { name: overlay === "prod" ? "ox-secrets" : expect.stringMatching(/^ox-secrets-/) },
      });
    });

    test(`${overlay}: Redis keeps an append-only file on a volume`, () => {
      const redis = find(objs, "StatefulSet", "ox-redis");
      expect(containers(redis)[0]?.args.join(" ")).toContain("--appendonly yes --appendfsync everysec");
      expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe("data");
    });
  }

  test("prod: 3 KRaft brokers, the event topic at RF 3 / min ISR 2, Postgres primary + 2 replicas; no secret in git", () => {
    const objs = rendered.prod;
    const pool = find(objs, "KafkaNodePool", "brokers");
    expect(pool.spec.replicas).toBe(3);
    expect(pool.spec.roles.sort()).toEqual(["broker", "controller"]);
    expect(find(objs, "Kafka", "ox-kafka").spec.kafka.config["min.insync.replicas"]).toBe(2);
    const topic = find(objs, "KafkaTopic", "ox-events");
    expect(topic.spec).toMatchObject({
      topicName: "ox.events",
      replicas: 3,
      config: { "min.insync.replicas": 2 },
    });
    expect(topic.spec.partitions).toBeGreaterThanOrEqual(1);
    expect(find(objs, "ConfigMap", "ox-config").data.EVENT_TOPIC).toBe(topic.spec.topicName);
    const pg = find(objs, "Cluster", "ox-pg");
    expect(pg.spec.instances).toBe(3);
    expect(objs.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(find(objs, "ConfigMap", "ox-config").data.NODE_ENV).toBe("production");
  });

  test("dev: one of each, console OTPs, generated dev secrets", () => {
    const objs = rendered.dev;
    expect(find(objs, "KafkaNodePool", "brokers").spec.replicas).toBe(1);
    expect(find(objs, "KafkaTopic", "ox-events").spec.replicas).toBe(1);
    expect(find(objs, "Cluster", "ox-pg").spec.instances).toBe(1);
    expect(find(objs, "ConfigMap", "ox-config").data).toMatchObject({
      NODE_ENV: "development",
      SMS_PROVIDER: "console",
    });
    expect(Object.keys(find(objs, "Secret", "ox-secrets").data).sort()).toEqual(
      ["ADMIN_PHONES", "JWT_SECRET", "PAYMENT_WEBHOOK_SECRET"].sort(),
    );
  });
});
