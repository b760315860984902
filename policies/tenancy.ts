import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { count, measured } from "./evidence";
import { inNamespace, isPlatformNamespace, K8S, meta, ofKind, quotaHard, siteFactsOf, tenants, Undecided } from "./common";
import { argsOf } from "./policy-sdk";
import { Addon } from "@pulumi/aws/eks/addon";
import { NodeGroup } from "@pulumi/aws/eks/nodeGroup";
import { Chart } from "@pulumi/kubernetes/helm/v4/chart";
import { Peer, peerProblem } from "./network-peers";
import { expanded, namespaceOf } from "./objects";
import { containersOf, podSpec, podsRestrictedOutsidePlatform } from "./pod-security";
import { roleBindingOwnGroup, tenantIdentitiesStayHome, tenantRoleBounded } from "./rbac";

/**
 * Tenancy rules: every tenant namespace is isolated (quota, limits, default-deny networking that
 * admits only the site's and the platform's, Pod Security restricted); pods outside platform
 * namespaces restricted in full; GPUs requested only under a quota; rights as ./rbac allows.
 */

/** One rule over every tenant namespace: `check` returns the problem, or undefined. */
function perTenant(
  name: string,
  description: string,
  check: (ns: string, all: readonly PolicyResource[], namespace: PolicyResource) => string | undefined,
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
      const undecided = Undecided.over(args.resources);
      let failing = 0;
      for (const t of tenants(args.resources)) {
        const problem = undecided.attempt(`tenant namespace ${t.name}`, () => check(t.name, args.resources, t.namespace));
        if (problem) {
          failing++;
          report(`Tenant namespace ${t.name} ${problem}.`, t.namespace.urn);
        }
      }
      const n = tenants(args.resources).length;
      measured(args, { text: `${count(n, "tenant namespace")} checked, ${failing} failing`, figures: { tenantNamespaces: n, failing } });
      undecided.settle();
    },
  };
}

export const namespaceHasGpuQuota = perTenant(
  "tenancy-namespace-has-gpu-quota",
  "Every tenant namespace has a ResourceQuota with a requests.nvidia.com/gpu line.",
  (ns, all) => (tenants(all).find((t) => t.name === ns)?.quota ? undefined : "has no ResourceQuota limiting requests.nvidia.com/gpu"),
);

export const namespaceHasLimitRange = perTenant(
  "tenancy-namespace-has-limit-range",
  "Every tenant namespace has a LimitRange, so pods without requests are still bounded.",
  (ns, all) => (inNamespace(all, K8S.limitRange, ns).length ? undefined : "has no LimitRange"),
);

interface NetworkPolicySpec {
  podSelector?: Record<string, unknown>;
  policyTypes?: string[];
  ingress?: { from?: Peer[] }[];
  egress?: { to?: Peer[] }[];
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
 * Why a rule's peers admit too much: no peers at all (Kubernetes reads a missing or empty list
 * as every source or destination), or a peer admitting addresses or namespaces beyond the
 * site's own and the platform's (./network-peers).
 */
function rulePeersProblem(peers: Peer[] | undefined, tenant: string, own: readonly string[]): string | undefined {
  if (!peers || peers.length === 0) return "everyone";
  for (const peer of peers) {
    const problem = peerProblem(peer, tenant, own);
    if (problem) return problem;
  }
  return undefined;
}

export const namespaceDefaultDeny = perTenant(
  "tenancy-namespace-default-deny",
  "Every tenant namespace denies all ingress and egress by default, and its NetworkPolicies admit only its own namespace, the platform's and the site's node ranges: no internet, instance metadata, IPv6, pod or service ranges, no selector that matches every namespace.",
  (ns, all) => {
    const policies = inNamespace(all, K8S.networkPolicy, ns);
    if (!policies.some(isolatesEveryPod)) return "has no NetworkPolicy isolating every pod for both ingress and egress";
    const own = siteFactsOf(all)?.facts.networks ?? [];
    const problems: string[] = [];
    for (const p of policies) {
      const rulesOf = <T>(list: T[] | undefined) => (Array.isArray(list) ? list.filter((r): r is T => r !== null && typeof r === "object") : []);
      const rules = [
        ...rulesOf(specOf(p).ingress).map((r) => ["ingress", r.from] as const),
        ...rulesOf(specOf(p).egress).map((r) => ["egress", r.to] as const),
      ];
      for (const [direction, peers] of rules) {
        const problem = rulePeersProblem(peers, ns, own);
        if (problem === "everyone") problems.push(`lets NetworkPolicy ${meta(p).name} allow all ${direction}`);
        else if (problem) problems.push(`lets NetworkPolicy ${meta(p).name} allow ${direction} that ${problem}`);
      }
    }
    return problems.length ? problems.join("; ") : undefined;
  },
);

export const namespacePodSecurityRestricted = perTenant(
  "tenancy-namespace-pod-security-restricted",
  "Every tenant namespace enforces the restricted Pod Security Standard.",
  (_ns, _all, namespace) => {
    const level = meta(namespace).labels?.["pod-security.kubernetes.io/enforce"];
    return level === "restricted" ? undefined : `enforces Pod Security ${level === undefined ? "nothing" : `"${level}"`}, not "restricted"`;
  },
);

export const gpuRequestsNeedQuota: StackValidationPolicy = {
  name: "tenancy-gpu-requests-need-quota",
  description: "GPUs are requested only in namespaces whose ResourceQuota limits them, or in platform namespaces.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const quotas = ofKind(args.resources, K8S.quota);
    const undecided = Undecided.over(args.resources);
    let pods = 0;
    let requests = 0;
    for (const r of expanded(args.resources)) {
      undecided.attempt(r.name, () => {
        const pod = podSpec(r);
        const ns = namespaceOf(r);
        if (!pod || isPlatformNamespace(ns)) return;
        pods++;
        const resources = new Set(
          containersOf(pod)
            .map((c) => c.container)
            .flatMap((c) => [...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})])
            .filter((k) => k.startsWith("nvidia.com/")),
        );
        requests += resources.size;
        for (const res of resources) {
          const covered = quotas.some((q) => meta(q).namespace === ns && `requests.${res}` in quotaHard(q));
          if (!covered) report(`${meta(r).name} in namespace ${ns} requests ${res}, but no ResourceQuota in ${ns} limits requests.${res}.`, r.urn);
        }
      });
    }
    measured(args, {
      text: `${count(pods, "pod spec")} outside the platform namespaces, ${count(requests, "GPU resource request")} among them, each checked for a quota line`,
      figures: { podSpecs: pods, gpuRequests: requests },
    });
    undecided.settle();
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
  description:
    "Every node that can run a tenant pod has a CNI that enforces NetworkPolicy: the VPC CNI with its network policy agent on cloud nodes, Cilium on hybrid nodes.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const addonConfig = (name: string): Record<string, unknown> | undefined => {
      const addon = args.resources.map((r) => argsOf(r, Addon)).find((a) => a?.addonName === name);
      if (!addon) return undefined;
      try {
        return JSON.parse(addon.configurationValues ?? "{}") as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    const vpcCni = addonConfig("vpc-cni");
    let groups = 0;
    for (const group of args.resources) {
      const nodeGroup = argsOf(group, NodeGroup);
      if (nodeGroup) groups++;
      if (nodeGroup && String(vpcCni?.enableNetworkPolicy) !== "true") {
        report(
          `Node group ${nodeGroup.nodeGroupName ?? group.name} runs pods on the VPC CNI, which enforces no NetworkPolicy: add the vpc-cni add-on with configurationValues {"enableNetworkPolicy": "true"}.`,
          group.urn,
        );
      }
    }
    const cilium = args.resources.map((r) => argsOf(r, Chart)).find((c) => c?.chart?.endsWith("cilium"));
    // Chart values are free-form in the provider's types: the one key read is typed here.
    const mode = (cilium?.values as { policyEnforcementMode?: string } | undefined)?.policyEnforcementMode;
    const activations = args.resources.filter((r) => r.type === "aws:ssm/activation:Activation").length;
    const vpcCniEnforces = String(vpcCni?.enableNetworkPolicy) === "true";
    measured(args, {
      text: `${count(groups, "node group")} (VPC CNI network policy ${vpcCniEnforces ? "on" : "off"}) and ${count(activations, "hybrid activation")} (Cilium ${cilium ? `policyEnforcementMode ${mode ?? "default"}` : "absent"})`,
      figures: {
        nodeGroups: groups,
        vpcCniNetworkPolicy: vpcCniEnforces,
        hybridActivations: activations,
        cilium: cilium !== undefined,
        ciliumPolicyEnforcementMode: mode ?? null,
      },
    });
    for (const activation of args.resources.filter((r) => r.type === "aws:ssm/activation:Activation")) {
      if (!cilium || mode === "never") {
        report(
          `Hybrid nodes of activation ${activation.name} have ${cilium ? "Cilium with policyEnforcementMode never" : "no Cilium"}: NetworkPolicy is not enforced there.`,
          activation.urn,
        );
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
  tenantRoleBounded,
  tenantIdentitiesStayHome,
  podsRestrictedOutsidePlatform,
  gpuRequestsNeedQuota,
  networkPolicyEnforced,
];
