import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { count, measured } from "./evidence";
import { NODE_LABELS, NVIDIA_RUNTIME, SYSTEM_POOL } from "../inventory/platform";
import { TENANT_LABEL } from "../inventory/tenancy";
import { isPlatformNamespace, meta, Undecided } from "./common";
import { expanded, namespaceOf } from "./objects";
import { podSpec } from "./pod-security";

const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const GPU_NODES = ["aws:eks/nodeGroup:NodeGroup", "aws:ssm/activation:Activation"];

type Vap = { failurePolicy?: string; matchConstraints?: { resourceRules?: { resources?: string[]; operations?: string[] }[] }; validations?: { expression?: string }[] };
type Binding = { policyName?: string; validationActions?: string[]; matchResources?: { namespaceSelector?: { matchExpressions?: { key: string; operator: string }[] } } };

/** Whether an admission policy refuses pods that ask for NVIDIA's runtime, on create and update, failing closed. */
function refusesNvidiaRuntime(spec: Vap): boolean {
  const rule = (spec.matchConstraints?.resourceRules ?? []).some((r) => (r.resources ?? []).includes("pods") && ["CREATE", "UPDATE"].every((op) => (r.operations ?? []).includes(op) || (r.operations ?? []).includes("*")));
  const check = (spec.validations ?? []).some((v) => (v.expression ?? "").includes("runtimeClassName") && (v.expression ?? "").includes(`'${NVIDIA_RUNTIME.name}'`));
  return spec.failurePolicy === "Fail" && rule && check;
}

/** Whether a binding denies, in every tenant namespace, what its policy refuses. */
function bindsEveryTenant(spec: Binding): boolean {
  const selects = (spec.matchResources?.namespaceSelector?.matchExpressions ?? []).some((e) => e.key === TENANT_LABEL && e.operator === "Exists");
  return (spec.validationActions ?? []).includes("Deny") && selects;
}

/** Whether the plan brings up GPU nodes: node groups labelled with a pool, activations tagged with one (not the system nodes'). */
function bringsUpGpuNodes(resources: readonly PolicyResource[]): boolean {
  const pool = (r: { type: string; props: Record<string, any> }) => (r.type === GPU_NODES[0] ? r.props.labels?.[NODE_LABELS.pool] : r.props.tags?.[NODE_LABELS.pool]);
  return resources.some((r) => GPU_NODES.includes(r.type) && pool(r) !== undefined && pool(r) !== SYSTEM_POOL);
}

/** Whether the plan refuses NVIDIA's runtime to tenants wherever it brings up GPU nodes (trivially, where it brings up none). */
function admissionRefusesRuntime(resources: readonly PolicyResource[]): boolean {
  if (!bringsUpGpuNodes(resources)) return true;
  const policies = new Set(resources.filter((r) => r.type === VAP && refusesNvidiaRuntime((r.props.spec ?? {}) as Vap)).map((r) => meta(r).name));
  return resources.some((r) => r.type === BINDING && policies.has((r.props.spec as Binding | undefined)?.policyName) && bindsEveryTenant(r.props.spec as Binding));
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
          report(`${meta(r).name} in tenant namespace ${ns} runs under the ${NVIDIA_RUNTIME.name} runtime, which would let it pick any GPU of its node.`, r.urn);
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
      report(`No admission policy refuses the ${NVIDIA_RUNTIME.name} runtime in tenant namespaces (a ValidatingAdmissionPolicy that checks runtimeClassName on pod create and update with failurePolicy Fail, bound with Deny to namespaces labelled ${TENANT_LABEL}): a tenant pod under it could use every GPU of its node.`);
    }
    undecided.settle();
  },
};
