import * as assert from "assert";
import { App } from "cdk8s";
import { PlatformNamespacesChart } from "../../charts/platform-namespaces";
import { PlannedResource } from "../../cli/record";
import { gpuRuntimePlatformOnly } from "../../policies/gpu-runtime";
import { plannedResource } from "../helpers/plan";
import { k8s, violations as check, workload } from "../helpers/policy";

/** tenancy-gpu-runtime-platform-only: the cluster refuses NVIDIA's runtime to tenants, and aisc never asks for it there. */

const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";

/** The guard exactly as the platform chart renders it, as planned resources. */
function guard(): PlannedResource[] {
  const objects = new PlatformNamespacesChart(new App(), "ns").toJson() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[];
  return objects
    .filter((o) => o.kind.startsWith("ValidatingAdmissionPolicy"))
    .map((o) => k8s(o.kind === "ValidatingAdmissionPolicy" ? VAP : BINDING, o.metadata.name, undefined, { spec: o.spec }));
}

const gpuNodes = plannedResource("aws:ssm/activation:Activation", "h100", { tags: { "aisc.hk/pool": "h100" } });
const MISSING =
  "-: No admission policy refuses the nvidia runtime in tenant namespaces (a ValidatingAdmissionPolicy that checks runtimeClassName on pod create and update with failurePolicy Fail, bound with Deny to namespaces labelled aisc.hk/tenant): a tenant pod under it could use every GPU of its node.";

function edited(kind: string, change: (spec: Record<string, any>) => void): PlannedResource[] {
  return guard().map((r) => {
    if (r.type !== kind) return r;
    const copy = JSON.parse(JSON.stringify(r));
    change(copy.inputs.spec);
    return copy;
  });
}

describe("tenancy-gpu-runtime-platform-only", () => {
  it("passes GPU nodes behind the rendered guard, and platform agents under the runtime", () => {
    const agent = workload("nvidia-device-plugin", "nvidia-gpu", { runtimeClassName: "nvidia", containers: [] }, "kubernetes:apps/v1:DaemonSet");
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...guard(), gpuNodes, agent]), []);
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, []), []);
    // System nodes are not GPU nodes: they need no guard.
    const systemGroup = plannedResource("aws:eks/nodeGroup:NodeGroup", "system", { labels: { "aisc.hk/node-role": "system" } });
    const systemActivation = plannedResource("aws:ssm/activation:Activation", "system", { tags: { "aisc.hk/pool": "system" } });
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [systemGroup, systemActivation]), []);
    const gpuGroup = plannedResource("aws:eks/nodeGroup:NodeGroup", "burst", { labels: { "aisc.hk/pool": "burst" } });
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [systemGroup, gpuGroup]), [MISSING]);
  });

  it("fails GPU nodes with no guard, or a guard that fails open, skips updates, only warns or binds no tenant", () => {
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [gpuNodes]), [MISSING]);
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(VAP, (s) => (s.failurePolicy = "Ignore")), gpuNodes]), [MISSING]);
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(VAP, (s) => (s.matchConstraints.resourceRules[0].operations = ["CREATE"])), gpuNodes]), [
      MISSING,
    ]);
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(VAP, (s) => (s.validations = [{ expression: "true" }])), gpuNodes]), [MISSING]);
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(BINDING, (s) => (s.validationActions = ["Warn"])), gpuNodes]), [MISSING]);
    assert.deepStrictEqual(
      check(gpuRuntimePlatformOnly, [
        ...edited(BINDING, (s) => (s.matchResources.namespaceSelector.matchExpressions = [{ key: "team", operator: "Exists" }])),
        gpuNodes,
      ]),
      [MISSING],
    );
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(BINDING, (s) => (s.policyName = "other")), gpuNodes]), [MISSING]);
  });

  it("reads the guard's rules as the API server would: any matching rule, any refusing validation, any tenant selector", () => {
    const extraRule = edited(VAP, (s) =>
      s.matchConstraints.resourceRules.unshift({ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"] }),
    );
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...extraRule, gpuNodes]), []);
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(VAP, (s) => (s.matchConstraints.resourceRules[0].operations = ["*"])), gpuNodes]), []);
    const extraCheck = edited(VAP, (s) => s.validations.unshift({ expression: "object.metadata.name != ''" }));
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...extraCheck, gpuNodes]), []);
    const extraSelector = edited(BINDING, (s) => s.matchResources.namespaceSelector.matchExpressions.unshift({ key: "team", operator: "Exists" }));
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...extraSelector, gpuNodes]), []);
  });

  it("fails a guard that checks the wrong thing or lacks a part", () => {
    for (const change of [
      (s: Record<string, any>) => (s.validations = [{ expression: "!has(object.spec.runtimeClassName)" }]),
      (s: Record<string, any>) => (s.validations = [{ expression: "object.spec.schedulerName != 'nvidia'" }]),
      (s: Record<string, any>) => (s.validations = [{}]),
      (s: Record<string, any>) => delete s.matchConstraints,
      (s: Record<string, any>) => (s.matchConstraints.resourceRules = [{ operations: ["CREATE", "UPDATE"], resources: ["deployments"] }]),
    ]) {
      assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(VAP, change), gpuNodes]), [MISSING]);
    }
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(BINDING, (s) => delete s.matchResources), gpuNodes]), [MISSING]);
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...edited(BINDING, (s) => delete s.validationActions), gpuNodes]), [MISSING]);
    const bare = guard().map((r) => (r.type === VAP ? { ...r, inputs: { metadata: r.inputs.metadata } } : r));
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...bare, gpuNodes]), [MISSING]);
  });

  it("leaves tenant workloads without the runtime, and other objects, alone", () => {
    const job = workload("train", "uni-a", { containers: [] }, "kubernetes:batch/v1:Job");
    const other = workload("pinned", "uni-a", { runtimeClassName: "gvisor", containers: [] });
    const configMap = k8s("kubernetes:core/v1:ConfigMap", "settings", "uni-a", { data: { runtimeClassName: "nvidia" } });
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...guard(), gpuNodes, job, other, configMap]), []);
  });

  it("fails a workload in a tenant namespace that asks for the runtime, at the workload", () => {
    const job = workload("train", "uni-a", { runtimeClassName: "nvidia", containers: [] }, "kubernetes:batch/v1:Job");
    assert.deepStrictEqual(check(gpuRuntimePlatformOnly, [...guard(), gpuNodes, job]), [
      "uni-a/train: train in tenant namespace uni-a runs under the nvidia runtime, which would let it pick any GPU of its node.",
    ]);
  });
});
