import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { inNamespace, isPlatformNamespace, K8S, meta, ofKind, tenants } from "./common";

/**
 * Tenancy rules: every tenant namespace is isolated (quota, limits, default-deny networking,
 * its own group only, Pod Security restricted); no host access outside platform namespaces;
 * GPUs requested only under a quota; no cluster-wide rights for a tenant's group.
 */

/** One rule over every tenant namespace: `check` returns the problem, or undefined. */
function perTenant(name: string, description: string, check: (ns: string, all: readonly PolicyResource[], namespace: PolicyResource) => string | undefined): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
      for (const t of tenants(args.resources)) {
        const problem = check(t.name, args.resources, t.namespace);
        if (problem) report(`Tenant namespace ${t.name} ${problem}.`, t.namespace.urn);
      }
    },
  };
}

export const namespaceHasGpuQuota = perTenant("tenancy-namespace-has-gpu-quota", "Every tenant namespace has a ResourceQuota with a requests.nvidia.com/gpu line.", (ns, all) =>
  tenants(all).find((t) => t.name === ns)?.quota ? undefined : "has no ResourceQuota limiting requests.nvidia.com/gpu",
);

export const namespaceHasLimitRange = perTenant("tenancy-namespace-has-limit-range", "Every tenant namespace has a LimitRange, so pods without requests are still bounded.", (ns, all) =>
  inNamespace(all, K8S.limitRange, ns).length ? undefined : "has no LimitRange",
);

interface NetworkPolicySpec {
  podSelector?: Record<string, unknown>;
  policyTypes?: string[];
  ingress?: { from?: Peer[] }[];
  egress?: { to?: Peer[] }[];
}
interface Peer {
  podSelector?: Record<string, unknown>;
  namespaceSelector?: Record<string, unknown>;
  ipBlock?: { cidr?: string };
}

const specOf = (p: PolicyResource) => (p.props.spec ?? {}) as NetworkPolicySpec;
const isEmpty = (selector?: Record<string, unknown>) => selector !== undefined && Object.keys(selector).length === 0;

/**
 * Whether a NetworkPolicy isolates every pod of its namespace for both ingress and egress:
 * once a pod is selected for a direction, Kubernetes allows only what some policy's rules
 * allow, so such a policy is the namespace's default deny, whatever it then allows.
 */
function isolatesEveryPod(p: PolicyResource): boolean {
  const spec = specOf(p);
  const types = new Set(spec.policyTypes ?? []);
  return isEmpty(spec.podSelector) && types.has("Ingress") && types.has("Egress");
}

/**
 * Whether a rule's peers admit everyone: no peers at all (Kubernetes reads a missing or empty
 * list as every source or destination), every namespace, or every address.
 */
function allowsEveryone(peers: Peer[] | undefined): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => (isEmpty(peer.namespaceSelector) && (peer.podSelector === undefined || isEmpty(peer.podSelector))) || peer.ipBlock?.cidr === "0.0.0.0/0" || peer.ipBlock?.cidr === "::/0");
}

export const namespaceDefaultDeny = perTenant("tenancy-namespace-default-deny", "Every tenant namespace denies all ingress and egress by default.", (ns, all) => {
  const policies = inNamespace(all, K8S.networkPolicy, ns);
  if (!policies.some(isolatesEveryPod)) return "has no NetworkPolicy isolating every pod for both ingress and egress";
  for (const p of policies) {
    const name = meta(p).name;
    if ((specOf(p).ingress ?? []).some((rule) => allowsEveryone(rule.from))) return `lets NetworkPolicy ${name} allow all ingress`;
    if ((specOf(p).egress ?? []).some((rule) => allowsEveryone(rule.to))) return `lets NetworkPolicy ${name} allow all egress`;
  }
  return undefined;
});

export const namespacePodSecurityRestricted = perTenant("tenancy-namespace-pod-security-restricted", "Every tenant namespace enforces the restricted Pod Security Standard.", (_ns, _all, namespace) => {
  const level = meta(namespace).labels?.["pod-security.kubernetes.io/enforce"];
  return level === "restricted" ? undefined : `enforces Pod Security ${level === undefined ? "nothing" : `"${level}"`}, not "restricted"`;
});

export const roleBindingOwnGroup = perTenant("tenancy-rolebinding-own-group", "Role bindings in a tenant namespace grant access only to that tenant's own administrators' group.", (ns, all, namespace) => {
  const group = meta(namespace).annotations?.["aisc.hk/admin-group"];
  const bindings = inNamespace(all, K8S.roleBinding, ns);
  if (bindings.length === 0) return "has no RoleBinding for its administrators";
  for (const b of bindings) {
    const subjects = (b.props.subjects ?? []) as { kind: string; name: string }[];
    const foreign = subjects.filter((s) => !(s.kind === "Group" && s.name === group));
    if (foreign.length) return `binds ${foreign.map((s) => `${s.kind} ${s.name}`).join(", ")} in RoleBinding ${meta(b).name}, not only its group ${group}`;
  }
  return undefined;
});

const WORKLOADS: Record<string, (props: Record<string, unknown>) => Record<string, unknown> | undefined> = {
  "kubernetes:core/v1:Pod": (p) => p.spec as Record<string, unknown>,
  "kubernetes:apps/v1:Deployment": (p) => podOf(p),
  "kubernetes:apps/v1:StatefulSet": (p) => podOf(p),
  "kubernetes:apps/v1:DaemonSet": (p) => podOf(p),
  "kubernetes:apps/v1:ReplicaSet": (p) => podOf(p),
  "kubernetes:batch/v1:Job": (p) => podOf(p),
  "kubernetes:batch/v1:CronJob": (p) => ((((p.spec as Record<string, unknown>)?.jobTemplate as Record<string, unknown>)?.spec as Record<string, unknown>)?.template as Record<string, unknown>)?.spec as Record<string, unknown>,
};

function podOf(props: Record<string, unknown>): Record<string, unknown> | undefined {
  return (((props.spec as Record<string, unknown>)?.template as Record<string, unknown>)?.spec as Record<string, unknown>) ?? undefined;
}

type Container = { name: string; securityContext?: { privileged?: boolean }; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } };

/** The pod spec of a workload resource, or undefined for other kinds. */
export function podSpec(r: { type: string; props: Record<string, unknown> }): Record<string, unknown> | undefined {
  return WORKLOADS[r.type]?.(r.props);
}

function containers(pod: Record<string, unknown>): Container[] {
  return [...((pod.containers ?? []) as Container[]), ...((pod.initContainers ?? []) as Container[])];
}

export const noHostAccessOutsidePlatform: ResourceValidationPolicy = {
  name: "tenancy-no-host-access-outside-platform",
  description: "No privileged, hostPath or host-network pods run outside the platform namespaces.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const pod = podSpec(args);
    const ns = (args.props.metadata as { namespace?: string } | undefined)?.namespace;
    if (!pod || isPlatformNamespace(ns)) return;
    const problems = [
      ...(pod.hostNetwork ? ["uses the host network"] : []),
      ...((pod.volumes ?? []) as { name: string; hostPath?: unknown }[]).filter((v) => v.hostPath).map((v) => `mounts hostPath volume ${v.name}`),
      ...containers(pod).filter((c) => c.securityContext?.privileged).map((c) => `runs container ${c.name} privileged`),
    ];
    if (problems.length) report(`${args.name} in namespace ${ns} ${problems.join(", ")}.`);
  },
};

export const gpuRequestsNeedQuota: StackValidationPolicy = {
  name: "tenancy-gpu-requests-need-quota",
  description: "GPUs are requested only in namespaces whose ResourceQuota limits them, or in platform namespaces.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const quotas = ofKind(args.resources, K8S.quota);
    for (const r of args.resources) {
      const pod = podSpec(r);
      const ns = meta(r).namespace;
      if (!pod || isPlatformNamespace(ns)) continue;
      const resources = new Set(containers(pod).flatMap((c) => [...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})]).filter((k) => k.startsWith("nvidia.com/")));
      for (const res of resources) {
        const covered = quotas.some((q) => meta(q).namespace === ns && `requests.${res}` in (((q.props.spec ?? {}) as { hard?: object }).hard ?? {}));
        if (!covered) report(`${meta(r).name} in namespace ${ns} requests ${res}, but no ResourceQuota in ${ns} limits requests.${res}.`, r.urn);
      }
    }
  },
};

export const noClusterBindingForTenantGroup: StackValidationPolicy = {
  name: "tenancy-no-cluster-binding-for-tenant-group",
  description: "No ClusterRoleBinding grants a tenant's administrators' group rights across the cluster.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = new Map(tenants(args.resources).map((t) => [meta(t.namespace).annotations?.["aisc.hk/admin-group"], t.name]));
    for (const b of ofKind(args.resources, K8S.clusterRoleBinding)) {
      for (const s of (b.props.subjects ?? []) as { kind: string; name: string }[]) {
        if (s.kind === "Group" && groups.has(s.name)) report(`ClusterRoleBinding ${meta(b).name} grants group ${s.name} (tenant ${groups.get(s.name)}) cluster-wide rights.`, b.urn);
      }
    }
  },
};

/**
 * NetworkPolicy is only words unless the CNI of the node a pod runs on enforces it. On EKS the
 * VPC CNI enforces it only with its network policy agent turned on (the add-on's
 * `enableNetworkPolicy`); hybrid nodes run Cilium, which enforces unless
 * `policyEnforcementMode` is `never`. Node groups and hybrid activations are the nodes a
 * tenant pod can land on; an existing cluster's CNI is outside what the plan can see.
 */
export const networkPolicyEnforced: StackValidationPolicy = {
  name: "tenancy-network-policy-enforced",
  description: "Every node that can run a tenant pod has a CNI that enforces NetworkPolicy: the VPC CNI with its network policy agent on cloud nodes, Cilium on hybrid nodes.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const addonConfig = (name: string): Record<string, unknown> | undefined => {
      const addon = args.resources.find((r) => r.type === "aws:eks/addon:Addon" && r.props.addonName === name);
      if (!addon) return undefined;
      try {
        return JSON.parse(String(addon.props.configurationValues ?? "{}")) as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    const vpcCni = addonConfig("vpc-cni");
    for (const group of args.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")) {
      if (String(vpcCni?.enableNetworkPolicy) !== "true") {
        report(`Node group ${group.props.nodeGroupName ?? group.name} runs pods on the VPC CNI, which enforces no NetworkPolicy: add the vpc-cni add-on with configurationValues {"enableNetworkPolicy": "true"}.`, group.urn);
      }
    }
    const cilium = args.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && String(r.props.chart).endsWith("cilium"));
    const mode = (cilium?.props.values as { policyEnforcementMode?: string } | undefined)?.policyEnforcementMode;
    for (const activation of args.resources.filter((r) => r.type === "aws:ssm/activation:Activation")) {
      if (!cilium || mode === "never") {
        report(`Hybrid nodes of activation ${activation.name} have ${cilium ? "Cilium with policyEnforcementMode never" : "no Cilium"}: NetworkPolicy is not enforced there.`, activation.urn);
      }
    }
  },
};

export const TENANCY_POLICIES = [
  namespaceHasGpuQuota,
  namespaceHasLimitRange,
  namespaceDefaultDeny,
  namespacePodSecurityRestricted,
  roleBindingOwnGroup,
  noHostAccessOutsidePlatform,
  gpuRequestsNeedQuota,
  noClusterBindingForTenantGroup,
  networkPolicyEnforced,
];
