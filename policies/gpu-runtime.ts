import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { count, measured } from "./evidence";
import { NODE_LABELS, NVIDIA_RUNTIME, SYSTEM_POOL } from "../inventory/platform";
import { TENANT_LABEL } from "../inventory/tenancy";
import { isPlatformNamespace, meta, Undecided } from "./common";
import { expanded, namespaceOf } from "./objects";
import { podSpec } from "./pod-security";
import { argsOf } from "./policy-sdk";
import { NodeGroup } from "@pulumi/aws/eks/nodeGroup";
import { Activation } from "@pulumi/aws/ssm/activation";
import { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyArgs } from "@pulumi/kubernetes/admissionregistration/v1/validatingAdmissionPolicy";
import {
  ValidatingAdmissionPolicyBinding,
  ValidatingAdmissionPolicyBindingArgs,
} from "@pulumi/kubernetes/admissionregistration/v1/validatingAdmissionPolicyBinding";
import type { Unwrap } from "@pulumi/pulumi";

type Vap = Unwrap<NonNullable<ValidatingAdmissionPolicyArgs["spec"]>>;
type Binding = Unwrap<NonNullable<ValidatingAdmissionPolicyBindingArgs["spec"]>>;

/** Whether an admission policy refuses pods that ask for NVIDIA's runtime, on create and update, failing closed. */
function refusesNvidiaRuntime(spec: Vap | undefined): boolean {
  if (spec === undefined) return false;
  const rule = (spec.matchConstraints?.resourceRules ?? []).some(
    (r) => (r.resources ?? []).includes("pods") && ["CREATE", "UPDATE"].every((op) => (r.operations ?? []).includes(op) || (r.operations ?? []).includes("*")),
  );
  const check = (spec.validations ?? []).some(
    (v) => (v.expression ?? "").includes("runtimeClassName") && (v.expression ?? "").includes(`'${NVIDIA_RUNTIME.name}'`),
  );
  return spec.failurePolicy === "Fail" && rule && check;
}

/** Whether a binding denies, in every tenant namespace, what its policy refuses. */
function bindsEveryTenant(spec: Binding): boolean {
  const selects = (spec.matchResources?.namespaceSelector?.matchExpressions ?? []).some((e) => e.key === TENANT_LABEL && e.operator === "Exists");
  return (spec.validationActions ?? []).includes("Deny") && selects;
}

/** Whether the plan brings up GPU nodes: node groups labelled with a pool, activations tagged with one (not the system nodes'). */
function bringsUpGpuNodes(resources: readonly PolicyResource[]): boolean {
  const pool = (r: PolicyResource) => argsOf(r, NodeGroup)?.labels?.[NODE_LABELS.pool] ?? argsOf(r, Activation)?.tags?.[NODE_LABELS.pool];
  return resources.some((r) => {
    const p = pool(r);
    return p !== undefined && p !== SYSTEM_POOL;
  });
}

/** Whether the plan refuses NVIDIA's runtime to tenants wherever it brings up GPU nodes (trivially, where it brings up none). */
function admissionRefusesRuntime(resources: readonly PolicyResource[]): boolean {
  if (!bringsUpGpuNodes(resources)) return true;
  const policies = new Set(resources.filter((r) => refusesNvidiaRuntime(argsOf(r, ValidatingAdmissionPolicy)?.spec)).map((r) => meta(r).name));
  return resources.some((r) => {
    const spec = argsOf(r, ValidatingAdmissionPolicyBinding)?.spec;
    return spec !== undefined && policies.has(spec.policyName) && bindsEveryTenant(spec);
  });
}

/**
 * Tenants reach GPUs only by requesting them. A pod under NVIDIA's runtime could name any GPU
 * of its node in `NVIDIA_VISIBLE_DEVICES`, so wherever the plan brings up GPU nodes the cluster
 * must refuse that runtime in tenant namespaces (an admission policy, bound with Deny to every
 * namespace labelled as a tenant's), and nothing aisc renders in a tenant namespace may ask for it.
 */
export const gpuRuntimePlatformOnly: StackValidationPolicy = {
  name: "tenancy-gpu-runtime-platform-only",
  description: `Tenant pods never run under the ${NVIDIA_RUNTIME.name} runtime: an admission policy refuses it in every tenant namespace, and no tenant workload in the plan asks for it.`,
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const undecided = Undecided.over(args.resources);
    let pods = 0;
    for (const r of expanded(args.resources)) {
      undecided.attempt(r.name, () => {
        const pod = podSpec(r);
        const ns = namespaceOf(r);
        if (pod && !isPlatformNamespace(ns)) pods++;
        if (pod && !isPlatformNamespace(ns) && pod.runtimeClassName === NVIDIA_RUNTIME.name) {
          report(
            `${meta(r).name} in tenant namespace ${ns} runs under the ${NVIDIA_RUNTIME.name} runtime, which would let it pick any GPU of its node.`,
            r.urn,
          );
        }
      });
    }
    const refused = admissionRefusesRuntime(args.resources);
    const gpuNodes = bringsUpGpuNodes(args.resources);
    measured(args, {
      text: `${count(pods, "pod spec")} outside the platform namespaces checked for runtimeClassName ${NVIDIA_RUNTIME.name}; ${gpuNodes ? `an admission policy refusing it in tenant namespaces: ${refused ? "yes" : "no"}` : "no GPU nodes in the plan, so no admission policy is needed"}`,
      figures: { podSpecs: pods, gpuNodes, admissionRefuses: refused },
    });
    if (!refused) {
      report(
        `No admission policy refuses the ${NVIDIA_RUNTIME.name} runtime in tenant namespaces (a ValidatingAdmissionPolicy that checks runtimeClassName on pod create and update with failurePolicy Fail, bound with Deny to namespaces labelled ${TENANT_LABEL}): a tenant pod under it could use every GPU of its node.`,
      );
    }
    undecided.settle();
  },
};
