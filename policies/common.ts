import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import { ResourceQuota } from "@pulumi/kubernetes/core/v1/resourceQuota";
import { argsOf, UnknownValueError } from "./policy-sdk";
import { FACTS_LABEL, FACTS_NAMESPACE, PoolFacts, SiteFacts } from "../charts/site-facts";
import { PLATFORM_NAMESPACES } from "../inventory/platform";
import { expanded, unknownComposites } from "./objects";

/**
 * What every policy reads the stack through: resources by kind, tenants by their labels, and
 * the site's declared shape from its facts ConfigMaps. Pure functions of the resources, the
 * same under `pulumi preview --policy-pack` and `aisc plan`.
 */

export type Meta = { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

export function meta(r: { props: Record<string, unknown> }): Meta {
  return r.props.metadata ?? {};
}

// Indexes of one evaluation's resources, built once: every policy asks the same questions of the
// same array, and answering by scanning made the tenancy rules quadratic in the tenants.
const byTypeCache = new WeakMap<readonly PolicyResource[], Map<string, PolicyResource[]>>();
const tenantCache = new WeakMap<readonly PolicyResource[], TenantView[]>();

/**
 * Kubernetes resources of one kind, by their Pulumi type (`kubernetes:core/v1:Namespace`),
 * objects embedded in ConfigGroups included (./objects).
 */
export function ofKind(resources: readonly PolicyResource[], type: string): PolicyResource[] {
  let index = byTypeCache.get(resources);
  if (!index) {
    index = new Map();
    for (const r of expanded(resources)) {
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
  if (!byType) byNamespaceCache.set(resources, (byType = new Map<string, Map<string, PolicyResource[]>>()));
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

/**
 * The GPU quota line of a ResourceQuota, or undefined when it has none; `unknown` when a preview
 * cannot know it yet (the engine's unknown value, see {@link Undecided}).
 */
export function gpuQuota(quota: PolicyResource): number | undefined | UnknownValueError {
  try {
    const value = quotaHard(quota)["requests.nvidia.com/gpu"];
    return value === undefined ? undefined : Number(value);
  } catch (err) {
    if (err instanceof UnknownValueError) return err;
    throw err;
  }
}

export interface TenantView {
  readonly name: string;
  readonly namespace: PolicyResource;
  readonly quota?: PolicyResource;
  readonly gpus?: number;
  /** Set when the quota's GPU line is unknown until apply: rules leave this tenant undecided. */
  readonly gpusUnknown?: UnknownValueError;
  readonly exempt: boolean;
}

/** A ResourceQuota's `spec.hard` (its limits by resource), typed by the provider's ResourceQuotaArgs; empty for anything else. */
export function quotaHard(quota: PolicyResource): Readonly<Record<string, string>> {
  return argsOf(quota, ResourceQuota)?.spec?.hard ?? {};
}

/** A ConfigMap's `data`, typed by the provider's ConfigMapArgs; empty for anything else. */
export function configMapData(c: PolicyResource): Readonly<Record<string, string>> {
  return argsOf(c, ConfigMap)?.data ?? {};
}

/** A quota's GPU lines (`requests.nvidia.com/...`) as resource and count; reading an unknown throws (see {@link Undecided}). */
export function gpuQuotaLines(quota: PolicyResource): [string, number][] {
  const hard = quotaHard(quota);
  return Object.keys(hard)
    .filter((key) => key.startsWith("requests.nvidia.com/"))
    .map((key) => [key.slice("requests.".length), Number(hard[key])]);
}

/** Tenant namespaces (labelled `aisc.hk/tenant`), each with its GPU quota if it has one. */
export function tenants(resources: readonly PolicyResource[]): TenantView[] {
  const cached = tenantCache.get(resources);
  if (cached) return cached;
  const quotas = new Map<string, { quota: PolicyResource; gpus: number | UnknownValueError }>();
  for (const q of ofKind(resources, K8S.quota)) {
    const gpus = gpuQuota(q);
    if (gpus !== undefined && !quotas.has(meta(q).namespace ?? "")) quotas.set(meta(q).namespace ?? "", { quota: q, gpus });
  }
  const views = ofKind(resources, K8S.namespace)
    .filter((ns) => meta(ns).labels?.["aisc.hk/tenant"] !== undefined)
    .map((ns) => {
      const name = meta(ns).name!;
      const q = quotas.get(name);
      const gpus = q === undefined ? {} : q.gpus instanceof UnknownValueError ? { gpusUnknown: q.gpus } : { gpus: q.gpus };
      return { name, namespace: ns, ...(q ? { quota: q.quota, ...gpus } : {}), exempt: meta(ns).labels?.["aisc.hk/max-share-exempt"] === "true" };
    });
  tenantCache.set(resources, views);
  return views;
}

/**
 * What a policy could not decide because a preview does not know a value yet (an ID, an ARN, a
 * quota computed from another resource's output). The engine hands policies such values as
 * unknowns that throw when read, and a policy that lets one throw is reported as a whole as an
 * advisory "can't run during preview", however many mandatory violations it could have found.
 * So each policy decides item by item: an item that reads an unknown is left undecided, every
 * other item is judged, and {@link settle} then throws one error naming what was left, which the
 * engine and `aisc plan` both report as that policy's advisory note. At `pulumi up` every value
 * is known, and every item is judged.
 */
export class Undecided {
  private readonly items: string[] = [];
  private first?: UnknownValueError;

  /** Undecided items for a stack policy over `resources`: first, the composites whose objects are not known yet. */
  static over(resources: readonly PolicyResource[]): Undecided {
    const u = new Undecided();
    for (const c of unknownComposites(resources)) u.note(`the objects of ${c.name}`, c.err);
    return u;
  }

  /** Runs `decide` for `what`; undefined, and `what` undecided, when it reads an unknown value. */
  attempt<T>(what: string, decide: () => T): T | undefined {
    try {
      return decide();
    } catch (err) {
      if (!(err instanceof UnknownValueError)) throw err;
      this.note(what, err);
      return undefined;
    }
  }

  /** Records `what` as undecided because of `err`. */
  note(what: string, err: UnknownValueError): void {
    this.first ??= err;
    this.items.push(what);
  }

  /** Throws, once every decided item is reported, the error naming every undecided item; nothing when all were decided. */
  settle(): void {
    if (!this.first) return;
    // A new error of the SDK's own class (the engine tells it by instanceof): the first may be
    // shared by several policies' views, and must keep its own message.
    const err = new UnknownValueError(this.first.unknownTypeSentinel, this.first.props);
    err.message = `${err.message} (undecided until apply: ${this.items.join(", ")})`;
    throw err;
  }
}

/**
 * Whether a namespace belongs to the platform (or Kubernetes itself), where host access is
 * allowed. `default` is not one: it is where an object naming no namespace lands.
 */
export function isPlatformNamespace(ns: string): boolean {
  return ns.startsWith("kube-") || (Object.values(PLATFORM_NAMESPACES) as string[]).includes(ns);
}

// The facts of one evaluation's resources, parsed once: a per-tenant rule asking for the site's
// facts scanned every ConfigMap each time, which was most of the policies' time at 4,000 tenants.
const factsCache = new WeakMap<readonly PolicyResource[], Map<string, readonly { resource: PolicyResource; facts: unknown }[]>>();

function facts<T>(resources: readonly PolicyResource[], kind: "site" | "pool", key: string): readonly { resource: PolicyResource; facts: T }[] {
  let byKind = factsCache.get(resources);
  if (!byKind) factsCache.set(resources, (byKind = new Map<string, readonly { resource: PolicyResource; facts: unknown }[]>()));
  let found = byKind.get(`${kind}/${key}`);
  if (!found) {
    found = ofKind(resources, K8S.configMap)
      .filter((c) => meta(c).namespace === FACTS_NAMESPACE && meta(c).labels?.[FACTS_LABEL] === kind)
      .flatMap((c) => {
        const text = configMapData(c)[key];
        try {
          return text ? [{ resource: c, facts: JSON.parse(text) as unknown }] : [];
        } catch {
          return [];
        }
      });
    byKind.set(`${kind}/${key}`, found);
  }
  return found as readonly { resource: PolicyResource; facts: T }[];
}

export function siteFactsOf(resources: readonly PolicyResource[]): { resource: PolicyResource; facts: SiteFacts } | undefined {
  return facts<SiteFacts>(resources, "site", "site.json")[0];
}

export function poolFactsOf(resources: readonly PolicyResource[]): readonly { resource: PolicyResource; facts: PoolFacts }[] {
  return facts<PoolFacts>(resources, "pool", "pool.json");
}

/** The policy's config, each key defaulted: what `getConfig` returns is only what was set. */
export function configOf<T extends object>(args: Pick<StackValidationArgs, "getConfig">, defaults: T): T {
  return { ...defaults, ...(args.getConfig<Partial<T>>() ?? {}) };
}
