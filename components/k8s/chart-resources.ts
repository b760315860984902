import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Chart } from "cdk8s";
import { Site } from "../../inventory/types";
import { referencedKeys } from "./references";

export const CHART_RESOURCES_TYPE = "aisc:k8s:ChartResources";

/** A rendered Kubernetes object, as a cdk8s chart's `toJson()` returns it. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

type Ctor = new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The typed Pulumi resource for each built-in kind. Typed resources (not one opaque
 * ConfigGroup) are what let `pulumi preview`, `aisc plan` and the policies see every object and
 * its fields; a kind not listed here is treated as a custom resource.
 */
const TYPED: Readonly<Record<string, Ctor>> = {
  "v1/Namespace": k8s.core.v1.Namespace,
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/Secret": k8s.core.v1.Secret,
  "v1/Service": k8s.core.v1.Service,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/ResourceQuota": k8s.core.v1.ResourceQuota,
  "v1/LimitRange": k8s.core.v1.LimitRange,
  "v1/PersistentVolumeClaim": k8s.core.v1.PersistentVolumeClaim,
  "apps/v1/DaemonSet": k8s.apps.v1.DaemonSet as unknown as Ctor,
  "apps/v1/Deployment": k8s.apps.v1.Deployment as unknown as Ctor,
  "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet as unknown as Ctor,
  "batch/v1/Job": k8s.batch.v1.Job,
  "batch/v1/CronJob": k8s.batch.v1.CronJob as unknown as Ctor,
  "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding as unknown as Ctor,
  "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding as unknown as Ctor,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
  "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
  "scheduling.k8s.io/v1/PriorityClass": k8s.scheduling.v1.PriorityClass as unknown as Ctor,
  "storage.k8s.io/v1/StorageClass": k8s.storage.v1.StorageClass as unknown as Ctor,
  "node.k8s.io/v1/RuntimeClass": k8s.node.v1.RuntimeClass as unknown as Ctor,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding as unknown as Ctor,
  "apiextensions.k8s.io/v1/CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition as unknown as Ctor,
};

/** Objects that others in the same set may need to exist first. */
function isFoundation(o: K8sObject): boolean {
  return o.kind === "Namespace" || o.kind === "CustomResourceDefinition";
}

/** The object's stable key within a stack: kind, namespace and name, never its position. */
export function objectKey(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** Objects of one or more cdk8s charts, in the charts' order. */
export function chartObjects(...charts: Chart[]): K8sObject[] {
  return charts.flatMap((c) => c.toJson() as K8sObject[]);
}

/**
 * What every workload component of a site takes: the validated site, the site's Kubernetes
 * provider, and what all its objects must wait for (the platform namespaces, say), which
 * `dependsOn` on the component itself would not pass on to its children.
 */
export interface SiteWorkloadArgs {
  /** The validated site inventory the component's objects are derived from. */
  readonly site: Site;
  /** The site's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** Resources every object of the component waits for. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export interface ChartResourcesArgs {
  /** The objects to create, usually `chartObjects(chart)`. */
  readonly objects: readonly K8sObject[];
  /** The site's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** Resources every object must wait for (for example another set's namespaces). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  /**
   * Resources that only the objects in one namespace wait for, by namespace: a tenant's Slurm
   * account objects wait for the Slurm cluster, the objects in its own namespace do not.
   * Narrow dependencies keep each object's dependency list (and the plan) to what it needs.
   */
  readonly dependsOnByNamespace?: ReadonlyMap<string, pulumi.Input<pulumi.Resource>[]>;
  /** Keys (see {@link objectKey}) of objects to protect, such as volumes holding data. */
  readonly protect?: readonly string[];
}

/**
 * The bridge from cdk8s to Pulumi: each rendered object becomes one typed Pulumi Kubernetes
 * resource under the site's provider and `owner`, named from its kind, namespace and name (so
 * reordering a chart replaces nothing), with namespaces and CRDs created before everything else
 * in the set and every other object after the objects of the set it names (see ./references).
 * Returns every resource by {@link objectKey}. Components that are nothing but a
 * chart use {@link ChartResources}; a component with more to it (a tenant) owns its objects
 * directly, one component fewer per tenant.
 */
export function createChartObjects(owner: pulumi.Resource, name: string, args: ChartResourcesArgs): ReadonlyMap<string, pulumi.CustomResource> {
  const resources = new Map<string, pulumi.CustomResource>();
  const seen = new Set<string>();
  for (const o of args.objects) {
    const key = objectKey(o);
    if (seen.has(key)) throw new Error(`${name}: two objects are ${key}`);
    seen.add(key);
  }
  const create = (o: K8sObject, dependsOn: pulumi.Input<pulumi.Resource>[]) => {
    const key = objectKey(o);
    const ctor = TYPED[`${o.apiVersion}/${o.kind}`];
    const { apiVersion, kind, ...body } = o;
    const resourceName = `${name}:${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
    const options: pulumi.CustomResourceOptions = {
      parent: owner,
      provider: args.provider,
      ...(dependsOn.length ? { dependsOn } : {}),
      // A namespace's deletion deletes everything in it, a tenant's volumes first: always protected.
      ...(o.kind === "Namespace" || args.protect?.includes(key) ? { protect: true } : {}),
    };
    const resource = ctor ? new ctor(resourceName, body, options) : new k8s.apiextensions.CustomResource(resourceName, { apiVersion, kind, ...body }, options);
    resources.set(key, resource);
    return resource;
  };
  const base = (o: K8sObject) => [...(args.dependsOn ?? []), ...(args.dependsOnByNamespace?.get(o.metadata.namespace ?? "") ?? [])];
  const foundations = args.objects.filter(isFoundation).map((o) => create(o, base(o)));
  // Everything else after what it names in the same set (a Controller after its config files), depth first.
  const byKey = new Map(args.objects.map((o) => [objectKey(o), o]));
  const visiting = new Set<string>();
  const ensure = (o: K8sObject): pulumi.CustomResource => {
    const key = objectKey(o);
    const done = resources.get(key);
    if (done) return done;
    if (visiting.has(key)) throw new Error(`${name}: ${key} is part of a reference cycle`);
    visiting.add(key);
    const named = referencedKeys(o)
      .filter((k) => k !== key && byKey.has(k))
      .map((k) => ensure(byKey.get(k)!));
    return create(o, [...base(o), ...foundations, ...named]);
  };
  for (const o of args.objects.filter((x) => !isFoundation(x))) ensure(o);
  return resources;
}

/** What a {@link ChartResources} records as its inputs (see {@link chartResourcesInputs}). */
export interface ChartResourcesInputs {
  /** How many objects the set holds. */
  readonly objects: number;
  /** How many of each kind, by kind. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Keys of the objects kept from deletion, sorted; absent when none is. */
  readonly protectedKeys?: readonly string[];
}

/**
 * A set's shape as its component's inputs, which `pulumi preview` diffs: an object added to or
 * removed from a chart shows as a changed count on the set itself, not only as a resource
 * among hundreds, and a newly protected volume shows by its key. Each object's own fields are
 * its resource's inputs, so they are not repeated here; counts keep the summary small.
 */
export function chartResourcesInputs(args: Pick<ChartResourcesArgs, "objects" | "protect">): ChartResourcesInputs {
  const kinds: Record<string, number> = {};
  for (const kind of args.objects.map((o) => o.kind).sort()) kinds[kind] = (kinds[kind] ?? 0) + 1;
  return { objects: args.objects.length, kinds, ...(args.protect?.length ? { protectedKeys: [...args.protect].sort() } : {}) };
}

/**
 * A set of cdk8s objects as one component (see {@link createChartObjects}).
 *
 * @example
 *   new ChartResources("cyberport-nvidia", { objects: chartObjects(chart), provider });
 */
export class ChartResources extends pulumi.ComponentResource {
  /** Every resource by {@link objectKey}. */
  public readonly resources: ReadonlyMap<string, pulumi.CustomResource>;
  /** Every object's {@link objectKey}, sorted: what `kubectl get` finds of this set. */
  public readonly objectKeys: readonly string[];

  constructor(name: string, args: ChartResourcesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CHART_RESOURCES_TYPE, name, chartResourcesInputs(args), opts);
    this.resources = createChartObjects(this, name, args);
    this.objectKeys = [...this.resources.keys()].sort();
    this.registerOutputs({ objectKeys: this.objectKeys });
  }
}
