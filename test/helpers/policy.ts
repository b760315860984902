import { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policyResources } from "../../cli/policy-eval";
import { appliesOnlyTo } from "../../policies/policy-sdk";
import { PlannedResource } from "../../cli/record";
import { plannedResource } from "./plan";

/**
 * Hand-built resources and a direct runner for unit tests of single policies, in process and
 * without `aisc plan`: what mutation testing needs, since a subprocess never sees a mutant.
 * Types are spelled out here rather than imported from policies/common, so that a test cannot
 * agree with a policy that got a type wrong.
 */

export const TYPES = {
  namespace: "kubernetes:core/v1:Namespace",
  configMap: "kubernetes:core/v1:ConfigMap",
  quota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
} as const;

/** A Kubernetes object as the plan records it, named `<namespace>/<name>` (or `<name>`). */
export function k8s(
  type: string,
  name: string,
  namespace: string | undefined,
  body: Record<string, unknown> = {},
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
): PlannedResource {
  const metadata = { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
  return plannedResource(type, namespace ? `${namespace}/${name}` : name, { metadata, ...body });
}

export interface SiteFactsInput {
  site?: string;
  envelopeMW?: number;
  pue?: number;
  precision?: string;
  milestones?: { name: string; date: string; pflops: number }[];
  networks?: string[];
  subsidy?: unknown[];
}

/** The kube-system/aisc-site facts ConfigMap. */
export function siteFacts(facts: SiteFactsInput = {}): PlannedResource {
  const json = { site: "testsite", region: "ap-east-1", envelopeMW: 2, pue: 1.25, precision: "fp8-dense", milestones: [], networks: ["10.0.0.0/16"], ...facts };
  return k8s(TYPES.configMap, "aisc-site", "kube-system", { data: { "site.json": JSON.stringify(json) } }, { "aisc.hk/facts": "site" });
}

export interface PoolFactsInput {
  pool: string;
  gpuModel?: string;
  gpusPerNode?: number;
  nodes?: number;
  placement?: string;
  nodeWatts?: number;
  inService?: string;
  /** What the pool advertises; whole GPUs (gpusPerNode x nodes) when not given. */
  advertises?: Record<string, number>;
  guaranteed?: true;
}

/** A kube-system/aisc-pool-<pool> facts ConfigMap: 8 H100 per node on-prem at 10.2 kW by default. */
export function poolFacts(pool: PoolFactsInput): PlannedResource {
  const json = { gpuModel: "H100", gpusPerNode: 8, nodes: 1, placement: "on-prem", nodeWatts: 10200, ...pool };
  json.advertises ??= { "nvidia.com/gpu": json.gpusPerNode * json.nodes };
  return k8s(TYPES.configMap, `aisc-pool-${pool.pool}`, "kube-system", { data: { "pool.json": JSON.stringify(json) } }, { "aisc.hk/facts": "pool" });
}

export interface TenantInput {
  gpus?: number;
  exempt?: boolean;
  slurmGpus?: number | null;
  group?: string;
  /** The tenant's subsidy labels, as inventory/tenancy.ts puts them on its namespace. */
  subsidy?: { scheme: string; share: string };
  /** More GPU lines of its quota, by resource (`nvidia.com/mig-1g.10gb`). */
  more?: Record<string, number>;
}

/**
 * A compliant tenant: its namespace (restricted, admin-group annotation), GPU quota, LimitRange,
 * default-deny NetworkPolicy, admin RoleBinding and Slurm account whose limit is the quota.
 * `slurmGpus: null` leaves the account out.
 */
export function tenant(name: string, input: TenantInput = {}): PlannedResource[] {
  const gpus = input.gpus ?? 8;
  const group = input.group ?? `${name}-admins`;
  const subsidy: Record<string, string> = input.subsidy ? { "aisc.hk/subsidy-scheme": input.subsidy.scheme, "aisc.hk/subsidy-share": input.subsidy.share } : {};
  const labels = {
    "aisc.hk/tenant": name,
    "pod-security.kubernetes.io/enforce": "restricted",
    ...subsidy,
    ...(input.exempt ? { "aisc.hk/max-share-exempt": "true" } : {}),
  };
  const more = Object.fromEntries(Object.entries(input.more ?? {}).map(([resource, n]) => [`requests.${resource}`, String(n)]));
  const slurm =
    input.slurmGpus === null
      ? []
      : [
          k8s(
            TYPES.configMap,
            `slurm-account-${name}`,
            "slurm",
            { data: { qos: `${name} GrpTRES=gres/gpu=${input.slurmGpus ?? gpus}\n` } },
            { "aisc.hk/slurm-account": name },
          ),
        ];
  return [
    k8s(TYPES.namespace, name, undefined, {}, labels, { "aisc.hk/admin-group": group }),
    k8s(TYPES.quota, "tenant-quota", name, { spec: { hard: { "requests.nvidia.com/gpu": String(gpus), ...more, "requests.cpu": "8" } } }),
    k8s(TYPES.limitRange, "tenant-defaults", name, { spec: { limits: [] } }),
    k8s(TYPES.networkPolicy, "default-deny", name, { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }),
    k8s(TYPES.roleBinding, "tenant-admin", name, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "aisc-tenant-admin" },
      subjects: [{ kind: "Group", name: group }],
    }),
    ...slurm,
  ];
}

/** A workload of `type` (Deployment by default) whose pod spec is `pod`, in `namespace`. */
export function workload(name: string, namespace: string | undefined, pod: Record<string, unknown>, type = "kubernetes:apps/v1:Deployment"): PlannedResource {
  const spec =
    type === "kubernetes:core/v1:Pod"
      ? pod
      : type === "kubernetes:batch/v1:CronJob"
        ? { jobTemplate: { spec: { template: { spec: pod } } } }
        : { template: { spec: pod } };
  return k8s(type, name, namespace, { spec });
}

/**
 * Runs one policy over `resources` as the engine does, with `config` exactly as getConfig
 * returns it (no schema defaults filled in: the policy must default what is unset). Returns
 * each violation as `<resource name>: <message>`, `-` when it names no resource.
 */
export function violations(policy: Policy, resources: readonly PlannedResource[], config: Record<string, unknown> = {}): string[] {
  const rs = policyResources({ project: "aisc", stack: "test", resources, outputs: {} });
  const out: string[] = [];
  const nameOf = (urn?: string) => (urn === undefined ? "-" : urn.split("::").pop()!);
  const notApplicable = new Error("notApplicable");
  const common = {
    getConfig: <T>() => config as T,
    stackTags: new Map<string, string>(),
    notApplicable: (): never => {
      throw notApplicable;
    },
  };
  // As the engine does, a policy saying it does not apply to a resource passes it.
  const applying = (run: () => unknown) => {
    try {
      sync(run());
    } catch (err) {
      if (err !== notApplicable) throw err;
    }
  };
  // Every policy in the pack is synchronous; one that is not would have its violations lost
  // here, so it fails the test instead (cli/policy-eval awaits them for the real runs).
  const sync = (result: unknown) => {
    if (result && typeof (result as Promise<void>).then === "function")
      throw new Error(`${policy.name} is asynchronous: violations() runs synchronous policies only`);
  };
  const validateStack = (policy as StackValidationPolicy).validateStack;
  if (validateStack) applying(() => validateStack({ resources: rs, ...common }, (message, urn) => out.push(`${nameOf(urn)}: ${message}`)));
  const validateResource = (policy as ResourceValidationPolicy).validateResource;
  if (validateResource) {
    // The engine's fast path: a validation typed to one resource class is not called for others.
    const only = Array.isArray(validateResource) ? undefined : appliesOnlyTo(validateResource);
    for (const fn of [validateResource].flat()) {
      for (const r of rs.filter((x) => only === undefined || x.type === only)) {
        applying(() => fn({ ...r, ...common } as never, (message, urn) => out.push(`${urn === undefined ? r.name : nameOf(urn)}: ${message}`)));
      }
    }
  }
  return out;
}
