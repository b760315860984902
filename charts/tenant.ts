import * as k8s from "@pulumi/kubernetes";
import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { PLATFORM_NAMESPACES, SCAVENGER_QOS } from "../inventory/platform";
import { adminGroupSubject, gpuEntitlement, gpuEntitlements, tenantLabels } from "../inventory/tenancy";
import { Site, Tenant } from "../inventory/types";
import { object } from "./common";
import { accountJob, dataDigest, membersCronJob, SLURM_ACCOUNT_LABEL } from "./slurm";

/**
 * One tenant's isolated namespace: Pod Security `restricted`, a quota whose GPU line is the
 * tenant's entitlement, defaults so unbounded pods cannot exist, default-deny networking with
 * only the holes the platform needs, the platform's tenant-admin role bound in the namespace
 * only, and the
 * tenant's Slurm account and QoS, whose GPU limit is the same entitlement number.
 */

/** What one GPU of entitlement brings with it: a typical 8-GPU server's share of CPU and memory. */
export const PER_GPU = { cpu: 16, memoryGi: 192, storageTi: 2, pods: 4, claims: 2 } as const;
/** What every tenant gets on top, so a tenant with no GPUs can still prepare data and images. */
export const BASE = { cpu: 8, memoryGi: 32, storageTi: 1, pods: 20, claims: 10 } as const;

/** Ports of the Slurm endpoints tenants reach: sshd on login nodes and slurmrestd. */
export const SLURM_ENDPOINTS = { login: 22, rest: 6820 } as const;

/** The ResourceQuota's `hard` map. Kubernetes quotas extended resources by `requests.` only. */
export function tenantQuota(site: Site, tenant: Tenant): Record<string, string> {
  const gpus = gpuEntitlement(tenant);
  return {
    ...Object.fromEntries(Object.entries(gpuEntitlements(site.pools, tenant)).map(([name, n]) => [`requests.${name}`, String(n)])),
    "requests.cpu": String(BASE.cpu + PER_GPU.cpu * gpus),
    "limits.cpu": String(BASE.cpu + PER_GPU.cpu * gpus),
    "requests.memory": `${BASE.memoryGi + PER_GPU.memoryGi * gpus}Gi`,
    "limits.memory": `${BASE.memoryGi + PER_GPU.memoryGi * gpus}Gi`,
    "requests.storage": `${BASE.storageTi + PER_GPU.storageTi * gpus}Ti`,
    persistentvolumeclaims: String(BASE.claims + PER_GPU.claims * gpus),
    pods: String(BASE.pods + PER_GPU.pods * gpus),
    // Kubernetes' names (verify --only k8s checks every key): no tenant exposes a node port or
    // a cloud load balancer.
    "services.loadbalancers": "0",
    "services.nodeports": "0",
  };
}

/**
 * The tenant's Slurm QoS: its name and `sacctmgr add qos` settings. GrpTRES is the
 * entitlement: a job that would take the tenant past it while others run waits (QOSGrpGRES),
 * and one larger than the entitlement itself, which could never run, is refused at submission
 * (`DenyOnLimit`). Its jobs may preempt the scavenger QoS's, which borrow idle GPUs.
 */
export function slurmQos(tenant: Tenant): string {
  return `${tenant.name} GrpTRES=gres/gpu=${gpuEntitlement(tenant)} Flags=DenyOnLimit Preempt=${SCAVENGER_QOS}\n`;
}

/**
 * The tenant's Slurm account as a line of a `sacctmgr load` file, under the root account. Every
 * value is written as the inventory has it: the parser admits only what this format carries.
 */
export function slurmAccountLine(tenant: Tenant): string {
  return `Account - '${tenant.name}':Description='${tenant.displayName}':Organization='${tenant.kind}':Fairshare=${tenant.fairShare}:QOS='${tenant.name},${SCAVENGER_QOS}':DefaultQOS='${tenant.name}'\n`;
}

type Rule = k8s.types.input.rbac.v1.PolicyRule;

/**
 * The ClusterRole holding what a tenant's administrators may do, which each tenant's RoleBinding
 * grants in its own namespace only: one definition for every tenant to audit and change, as
 * Kubernetes' own `admin` and `edit` roles are used.
 */
export const TENANT_ADMIN_ROLE = "aisc-tenant-admin";

/** The NetworkPolicy that isolates a tenant namespace and lists the traffic it allows. */
export const TENANT_NETWORK_POLICY = "tenant-isolation";

/** What a tenant's administrators may do in their namespace: run work, never widen access. */
export const TENANT_ADMIN_RULES: Rule[] = [
  {
    apiGroups: [""],
    resources: ["pods", "pods/log", "pods/exec", "pods/portforward", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"],
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
  },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
  { apiGroups: [""], resources: ["events", "resourcequotas", "limitranges"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] },
];

function namespaceSelector(name: string) {
  return { matchLabels: { "kubernetes.io/metadata.name": name } };
}

export interface TenantProps {
  readonly site: Site;
  readonly tenant: Tenant;
}

/** @example new TenantChart(new App(), "hkgai", { site, tenant }).toJson() */
export class TenantChart extends Chart {
  constructor(scope: Construct, id: string, props: TenantProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { site, tenant } = props;
    const ns = tenant.name;
    const labels = { ...tenantLabels(tenant), "app.kubernetes.io/part-of": "aisc", "app.kubernetes.io/managed-by": "pulumi" };
    const meta = (name: string) => ({ name, namespace: ns, labels });

    object(this, "ns", "v1", "Namespace", {
      name: ns,
      labels: {
        ...labels,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
      annotations: { "aisc.hk/display-name": tenant.displayName, "aisc.hk/admin-group": adminGroupSubject(site, tenant) },
    });
    object(this, "quota", "v1", "ResourceQuota", meta("tenant-quota"), { spec: { hard: tenantQuota(site, tenant) } });
    object(this, "limits", "v1", "LimitRange", meta("tenant-defaults"), {
      spec: {
        limits: [
          { type: "Container", defaultRequest: { cpu: "500m", memory: "1Gi" }, default: { cpu: "2", memory: "8Gi" } },
          { type: "PersistentVolumeClaim", min: { storage: "1Gi" }, max: { storage: `${BASE.storageTi + PER_GPU.storageTi * gpuEntitlement(tenant)}Ti` } },
        ],
      },
    });

    // One policy isolates every pod both ways (the namespace's default deny) and lists what it
    // allows: the namespace itself, DNS, the Slurm login and REST endpoints, and scraping.
    object(this, "isolation", "networking.k8s.io/v1", "NetworkPolicy", meta(TENANT_NETWORK_POLICY), {
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }, { from: [{ namespaceSelector: namespaceSelector(PLATFORM_NAMESPACES.monitoring) }] }],
        egress: [
          { to: [{ podSelector: {} }] },
          {
            to: [{ namespaceSelector: namespaceSelector("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
          {
            to: [{ namespaceSelector: namespaceSelector(PLATFORM_NAMESPACES.slurm) }],
            ports: [
              { protocol: "TCP", port: SLURM_ENDPOINTS.login },
              { protocol: "TCP", port: SLURM_ENDPOINTS.rest },
            ],
          },
        ],
      } satisfies k8s.types.input.networking.v1.NetworkPolicySpec,
    });

    // The rights are the platform's one ClusterRole (charts/platform-namespaces.ts); bound by a
    // RoleBinding, it grants them in this namespace only.
    object(this, "binding", "rbac.authorization.k8s.io/v1", "RoleBinding", meta("tenant-admin"), {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TENANT_ADMIN_ROLE },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: adminGroupSubject(site, tenant) }],
    });

    // The Slurm side of the same entitlement, the Job that loads it, and the members who may use it.
    const data = { qos: slurmQos(tenant), account: slurmAccountLine(tenant), gpus: String(gpuEntitlement(tenant)) };
    const inSlurm = (name: string) => ({ name, namespace: PLATFORM_NAMESPACES.slurm, labels: { ...labels, [SLURM_ACCOUNT_LABEL]: tenant.name } });
    object(this, "slurm-account", "v1", "ConfigMap", inSlurm(`slurm-account-${tenant.name}`), { data });
    const digest = dataDigest(data);
    object(this, "slurm-account-job", "batch/v1", "Job", inSlurm(`slurm-account-${tenant.name}`), accountJob(tenant.name, digest));
    object(this, "slurm-members", "batch/v1", "CronJob", inSlurm(`slurm-members-${tenant.name}`), membersCronJob(tenant, site.slurm.login));
  }
}
