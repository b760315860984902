import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { FACTS_LABEL, FACTS_NAMESPACE, PoolFacts, SiteFacts } from "../charts/site-facts";
import { PLATFORM_NAMESPACES } from "../inventory/platform";

/**
 * What every policy reads the stack through: resources by kind, tenants by their labels, and
 * the site's declared shape from its facts ConfigMaps. Pure functions of the resources, the
 * same under `pulumi preview --policy-pack` and `aisc plan`.
 */

export type Meta = { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

export function meta(r: { props: Record<string, unknown> }): Meta {
  return (r.props.metadata ?? {}) as Meta;
}

// Indexes of one evaluation's resources, built once: every policy asks the same questions of the
// same array, and answering by scanning made the tenancy rules quadratic in the tenants.
const byTypeCache = new WeakMap<readonly PolicyResource[], Map<string, PolicyResource[]>>();
const tenantCache = new WeakMap<readonly PolicyResource[], TenantView[]>();

/** Kubernetes resources of one kind, by their Pulumi type (`kubernetes:core/v1:Namespace`). */
export function ofKind(resources: readonly PolicyResource[], type: string): PolicyResource[] {
  let index = byTypeCache.get(resources);
  if (!index) {
    index = new Map();
    for (const r of resources) {
      const list = index.get(r.type);
      if (list) list.push(r);
      else index.set(r.type, [r]);
    }
    byTypeCache.set(resources, index);
  }
  return index.get(type) ?? [];
}

const byNamespaceCache = new WeakMap<readonly PolicyResource[], Map<string, Map<string, PolicyResource[]>>>();

/** Resources of one kind in one namespace. */
export function inNamespace(resources: readonly PolicyResource[], type: string, ns: string): PolicyResource[] {
  let byType = byNamespaceCache.get(resources);
  if (!byType) byNamespaceCache.set(resources, (byType = new Map()));
  let index = byType.get(type);
  if (!index) {
    index = new Map();
    for (const r of ofKind(resources, type)) {
      const key = meta(r).namespace ?? "";
      const list = index.get(key);
      if (list) list.push(r);
      else index.set(key, [r]);
    }
    byType.set(type, index);
  }
  return index.get(ns) ?? [];
}

export const K8S = {
  namespace: "kubernetes:core/v1:Namespace",
  configMap: "kubernetes:core/v1:ConfigMap",
  quota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
} as const;

/** The GPU quota line of a ResourceQuota, or undefined when it has none. */
export function gpuQuota(quota: PolicyResource): number | undefined {
  const hard = ((quota.props.spec ?? {}) as { hard?: Record<string, string | number> }).hard ?? {};
  const value = hard["requests.nvidia.com/gpu"];
  return value === undefined ? undefined : Number(value);
}

export interface TenantView {
  readonly name: string;
  readonly namespace: PolicyResource;
  readonly quota?: PolicyResource;
  readonly gpus?: number;
  readonly exempt: boolean;
}

/** Tenant namespaces (labelled `aisc.hk/tenant`), each with its GPU quota if it has one. */
export function tenants(resources: readonly PolicyResource[]): TenantView[] {
  const cached = tenantCache.get(resources);
  if (cached) return cached;
  const quotas = new Map<string, PolicyResource>();
  for (const q of ofKind(resources, K8S.quota)) if (gpuQuota(q) !== undefined && !quotas.has(meta(q).namespace ?? "")) quotas.set(meta(q).namespace ?? "", q);
  const views = ofKind(resources, K8S.namespace)
    .filter((ns) => meta(ns).labels?.["aisc.hk/tenant"] !== undefined)
    .map((ns) => {
      const name = meta(ns).name!;
      const quota = quotas.get(name);
      return { name, namespace: ns, ...(quota ? { quota, gpus: gpuQuota(quota) } : {}), exempt: meta(ns).labels?.["aisc.hk/max-share-exempt"] === "true" };
    });
  tenantCache.set(resources, views);
  return views;
}

/** Whether a namespace belongs to the platform (or Kubernetes itself), where host access is allowed. */
export function isPlatformNamespace(ns: string | undefined): boolean {
  return ns === undefined || ns.startsWith("kube-") || (Object.values(PLATFORM_NAMESPACES) as string[]).includes(ns);
}

function facts<T>(resources: readonly PolicyResource[], kind: "site" | "pool", key: string): { resource: PolicyResource; facts: T }[] {
  return ofKind(resources, K8S.configMap)
    .filter((c) => meta(c).namespace === FACTS_NAMESPACE && meta(c).labels?.[FACTS_LABEL] === kind)
    .flatMap((c) => {
      const text = ((c.props.data ?? {}) as Record<string, string>)[key];
      try {
        return text ? [{ resource: c, facts: JSON.parse(text) as T }] : [];
      } catch {
        return [];
      }
    });
}

export function siteFactsOf(resources: readonly PolicyResource[]): { resource: PolicyResource; facts: SiteFacts } | undefined {
  return facts<SiteFacts>(resources, "site", "site.json")[0];
}

export function poolFactsOf(resources: readonly PolicyResource[]): { resource: PolicyResource; facts: PoolFacts }[] {
  return facts<PoolFacts>(resources, "pool", "pool.json");
}

/** The policy's config, each key defaulted: what `getConfig` returns is only what was set. */
export function configOf<T extends object>(args: Pick<StackValidationArgs, "getConfig">, defaults: T): T {
  return { ...defaults, ...(args.getConfig<Partial<T>>() ?? {}) };
}
