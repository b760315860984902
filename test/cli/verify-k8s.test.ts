import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { generateK8sSchema, SCHEMA_FILE } from "../../tools/generate-k8s-schema";
import { checkK8s, isBuiltInGroup, K8sValidator, K8S_SCHEMA } from "../../cli/verify-k8s";
import { realSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

const DEVICE_PLUGIN = path.join("manifests", "namespaces", "nvidia-gpu.yaml");

describe("aisc verify --only k8s", function () {
  let out: string;
  let stackDir: string;
  let original: string;
  before(() => {
    out = tempDir();
    const file = writeStackFile("cyberport", realSite("cyberport"));
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    stackDir = path.join(out, "cyberport");
    original = fs.readFileSync(path.join(stackDir, DEVICE_PLUGIN), "utf8");
  });
  afterEach(() => fs.writeFileSync(path.join(stackDir, DEVICE_PLUGIN), original));

  /** Changes the device plugin's DaemonSet only, leaving the namespace's other objects as planned. */
  function edit(change: (text: string) => string): void {
    const docs = original.split(/^---\n/m);
    const i = docs.findIndex((d) => /^kind: DaemonSet$/m.test(d) && /^ {2}name: nvidia-device-plugin$/m.test(d));
    assert.ok(i >= 0, "the device plugin's DaemonSet is in its namespace's manifest");
    docs[i] = change(docs[i]);
    fs.writeFileSync(path.join(stackDir, DEVICE_PLUGIN), docs.join("---\n"));
  }

  it("passes every object both real stacks render", () => {
    const run = aisc("verify", "--only", "k8s", "--out", tempDir());
    assert.strictEqual(run.status, 0, run.stdout + run.stderr);
    // Every object is checked: built-in kinds against the Kubernetes schema, Slinky's and the
    // Prometheus operator's against their vendored CRDs (charts/imports/crds); none skipped.
    const counts = [
      ...run.stdout.matchAll(/^(cyberport|sandy-ridge) k8s: (\d+) of (\d+) objects in \d+ manifest files checked against the Kubernetes schema: ok$/gm),
    ];
    assert.deepStrictEqual(
      counts.map((m) => m[1]),
      ["cyberport", "sandy-ridge"],
    );
    for (const m of counts) assert.strictEqual(m[2], m[3], `${m[1]}: every object checked`);
    assert.doesNotMatch(run.stdout, /skipped/);
  });

  it("fails on a misspelled field, naming file, object and field", () => {
    edit((t) => t.replace("priorityClassName:", "priorityClasName:"));
    const run = aisc("verify", "--stack", "cyberport", "--only", "k8s", "--out", out);
    assert.strictEqual(run.status, 1);
    assert.match(
      run.stdout,
      /manifests\/namespaces\/nvidia-gpu\.yaml: DaemonSet nvidia-gpu\/nvidia-device-plugin: spec\.template\.spec\.priorityClasName: unknown field/,
    );
  });

  it("fails on a wrong type and on a missing required field", () => {
    edit((t) => t.replace(/^ {2}selector:\n(?: {4}.*\n)+/m, "").replace("maxUnavailable: 10%", "maxUnavailable: [10]"));
    assert.deepStrictEqual(
      checkK8s(stackDir).failures.map((f) => `${f.field}: ${f.message}`),
      ["spec.selector: required field is missing", "spec.updateStrategy.rollingUpdate.maxUnavailable: expected number or string, got array"],
    );
  });

  it("fails on a built-in kind it does not know, rather than skipping it", () => {
    edit((t) => t.replace("apiVersion: apps/v1", "apiVersion: apps/v2"));
    assert.deepStrictEqual(
      checkK8s(stackDir).failures.map((f) => `${f.object}: ${f.field}: ${f.message}`),
      [
        "DaemonSet nvidia-gpu/nvidia-device-plugin: apiVersion: no schema for apps/v2/DaemonSet: not a built-in kind and no CRD for it in charts/imports/crds or the manifests",
      ],
    );
  });

  it("fails on a ResourceQuota key Kubernetes does not count", () => {
    const quota = {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "typo", namespace: "nvidia-gpu" },
      spec: { hard: { "requests.cpu": "1", "count/services.loadbalancer": "0" } },
    };
    edit((doc) => `${doc}---\n${JSON.stringify(quota)}\n`);
    const failures = checkK8s(stackDir).failures;
    assert.deepStrictEqual(failures, [
      {
        file: DEVICE_PLUGIN,
        object: "ResourceQuota nvidia-gpu/typo",
        field: "spec.hard.count/services.loadbalancer",
        message:
          "count/services.loadbalancer names no resource Kubernetes serves here (expected count/<plural>.<group>, core resources without a group, such as count/deployments.apps or count/services)",
      },
    ]);
  });

  it("refuses a file that is not YAML as the user's mistake, naming the file and line", () => {
    edit(() => "spec: [unclosed\n");
    assert.throws(() => checkK8s(stackDir), {
      name: "InputError",
      message: /manifests\/namespaces\/nvidia-gpu\.yaml: not valid YAML at line \d+, column \d+: .+; fix the edit or re-run aisc plan$/,
    });
  });

  it("validates custom resources strictly against their CRD", () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget", plural: "widgets" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    required: ["size"],
                    properties: { size: { type: "integer" }, extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
                  },
                },
              },
            },
          },
        ],
      },
    };
    const v = new K8sValidator(K8S_SCHEMA, [crd]);
    const widget = (spec: unknown) => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec });
    assert.deepStrictEqual(v.validate(widget({ size: 3, extra: { anything: true } })), []);
    assert.deepStrictEqual(v.validate(widget({ size: "3", colour: "red" })), [
      { field: "spec.colour", message: "unknown field" },
      { field: "spec.size", message: "expected integer, got string" },
    ]);
    assert.ok(!v.knows("example.com/v2", "Widget"));
    assert.ok(isBuiltInGroup("apps/v1") && isBuiltInGroup("v1") && isBuiltInGroup("networking.k8s.io/v1") && !isBuiltInGroup("example.com/v1"));
    assert.deepStrictEqual(v.validate({ apiVersion: "example.com/v2", kind: "Widget", metadata: { name: "w" } }), [
      { field: "apiVersion", message: "no schema for example.com/v2/Widget: not a built-in kind and no CRD for it in charts/imports/crds or the manifests" },
    ]);
  });

  it("exits 2 for a check it does not know", () => {
    const run = aisc("verify", "--only", "helm");
    assert.strictEqual(run.status, 2);
    assert.match(run.stderr, /unknown check --only helm; expected one of k8s, slurm, placement, prometheus, policy/);
  });

  it("uses a schema generated from the pinned provider's types, never edited by hand", () => {
    assert.strictEqual(fs.readFileSync(SCHEMA_FILE, "utf8"), `${JSON.stringify(generateK8sSchema())}\n`);
  });
});
