import * as k8s from "@pulumi/kubernetes";
import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import { GPU_TAINT, NODE_LABELS, SYSTEM_NODE_LABEL } from "../inventory/platform";

/**
 * Building blocks every chart shares: typed objects, platform namespaces, GPU scheduling, and
 * the secure defaults each container starts from (cdk8s-plus style: non-root, read-only root,
 * no privilege escalation, all capabilities dropped), loosened only where a component needs it.
 */

type Meta = k8s.types.input.meta.v1.ObjectMeta;
export type PodSpec = k8s.types.input.core.v1.PodSpec;
export type Container = k8s.types.input.core.v1.Container;
export type SecurityContext = k8s.types.input.core.v1.SecurityContext;
export type Volume = k8s.types.input.core.v1.Volume;

/** Labels every object aisc renders carries, so `kubectl get -l` finds what we own. */
export function commonLabels(app: string): Record<string, string> {
  return { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "aisc", "app.kubernetes.io/managed-by": "pulumi" };
}

/** An object's body: all but what `object` sets itself (and the status the cluster writes). */
type Body<T> = Omit<T, "apiVersion" | "kind" | "metadata" | "status">;

/**
 * The body of each built-in kind aisc renders, from the Kubernetes provider's generated input
 * types (the Kubernetes OpenAPI schema at the provider's pinned version): a misspelled or
 * misplaced field of a DaemonSet is a compile error, not a `verify k8s` failure. Custom
 * resources (Cilium's, Slinky's) are checked against their vendored CRDs by `aisc verify`.
 */
export interface KindBodies {
  ConfigMap: Body<k8s.types.input.core.v1.ConfigMap>;
  CronJob: Body<k8s.types.input.batch.v1.CronJob>;
  ClusterRole: Body<k8s.types.input.rbac.v1.ClusterRole>;
  ClusterRoleBinding: Body<k8s.types.input.rbac.v1.ClusterRoleBinding>;
  DaemonSet: Body<k8s.types.input.apps.v1.DaemonSet>;
  Job: Body<k8s.types.input.batch.v1.Job>;
  LimitRange: Body<k8s.types.input.core.v1.LimitRange>;
  Namespace: Body<k8s.types.input.core.v1.Namespace>;
  NetworkPolicy: Body<k8s.types.input.networking.v1.NetworkPolicy>;
  ResourceQuota: Body<k8s.types.input.core.v1.ResourceQuota>;
  Role: Body<k8s.types.input.rbac.v1.Role>;
  RoleBinding: Body<k8s.types.input.rbac.v1.RoleBinding>;
  RuntimeClass: Body<k8s.types.input.node.v1.RuntimeClass>;
  Secret: Body<k8s.types.input.core.v1.Secret>;
  Service: Body<k8s.types.input.core.v1.Service>;
  ServiceAccount: Body<k8s.types.input.core.v1.ServiceAccount>;
  StatefulSet: Body<k8s.types.input.apps.v1.StatefulSet>;
  ValidatingAdmissionPolicy: Body<k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicy>;
  ValidatingAdmissionPolicyBinding: Body<k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBinding>;
}

/** The body `object` takes for `kind`: typed for a built-in kind, free-form for a custom resource. */
export type BodyOf<K extends string> = K extends keyof KindBodies ? KindBodies[K] : Record<string, unknown>;

/** Adds one Kubernetes object to a chart, its body typed by its kind (see {@link KindBodies}). */
export function object<K extends string>(
  scope: Construct,
  id: string,
  apiVersion: string,
  kind: K,
  metadata: Meta & { name: string },
  body: BodyOf<K> = {} as BodyOf<K>,
): ApiObject {
  return new ApiObject(scope, id, { apiVersion, kind, metadata: metadata as never, ...(body as object) });
}

/**
 * A platform namespace. `podSecurity` is the Pod Security Admission level it enforces: GPU
 * agents need host paths, so their namespace is `privileged`; everything else is `restricted`.
 */
export function platformNamespace(scope: Construct, name: string, podSecurity: "privileged" | "baseline" | "restricted"): ApiObject {
  return object(scope, `ns-${name}`, "v1", "Namespace", {
    name,
    labels: {
      ...commonLabels(name),
      "aisc.hk/platform": "true",
      "pod-security.kubernetes.io/enforce": podSecurity,
      "pod-security.kubernetes.io/enforce-version": "latest",
    },
  });
}

/** Tolerates the GPU taint, so GPU agents and jobs can land on GPU nodes. */
export const GPU_TOLERATION = { key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect };

/** Node affinity to the nodes of any GPU pool (every GPU node carries `aisc.hk/pool`). */
export function gpuNodeAffinity(pools?: readonly string[]): k8s.types.input.core.v1.Affinity {
  const expression = pools ? { key: NODE_LABELS.pool, operator: "In", values: [...pools] } : { key: NODE_LABELS.pool, operator: "Exists" };
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expression] }] } } };
}

/**
 * Node affinity of a GPU agent the MIG manager pauses (see MIG_CLIENTS): any GPU node, unless
 * its `nvidia.com/gpu.deploy.<agent>` label says other than "true" (the manager's pause).
 */
export function gpuAgentAffinity(deployLabel: string): k8s.types.input.core.v1.Affinity {
  const gpu = { key: NODE_LABELS.pool, operator: "Exists" };
  const terms = [
    { matchExpressions: [gpu, { key: deployLabel, operator: "DoesNotExist" }] },
    { matchExpressions: [gpu, { key: deployLabel, operator: "In", values: ["true"] }] },
  ];
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

/**
 * Node affinity to the site's system nodes, for charts whose pods take an affinity but no
 * nodeSelector (the Slinky operator chart's operator and webhook at 1.1.2).
 */
export function systemNodeAffinity(): k8s.types.input.core.v1.Affinity {
  const expression = { key: SYSTEM_NODE_LABEL.key, operator: "In", values: [SYSTEM_NODE_LABEL.value] };
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expression] }] } } };
}

/** The strictest container security context; components loosen it explicitly. */
export const RESTRICTED_CONTAINER: SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** A hostPath volume of the given type. */
export function hostPath(name: string, path: string, type: string): Volume {
  return { name, hostPath: { path, type } };
}

/** An env var read from the pod's own fields (node name, namespace). */
export function fieldEnv(name: string, fieldPath: string): k8s.types.input.core.v1.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}
