import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { NVIDIA_RUNTIME, PLATFORM_NAMESPACES } from "../inventory/platform";
import { TENANT_LABEL } from "../inventory/tenancy";
import { commonLabels, object, platformNamespace } from "./common";
import { TENANT_ADMIN_ROLE, TENANT_ADMIN_RULES } from "./tenant";

/**
 * The platform's own namespaces, created before anything that lives in them and kept apart
 * from tenants: none carries a tenant label. Their Pod Security level is the least each
 * component needs: the GPU agents, slurmd and the node exporter need host access. The chart
 * also defines the tenant-admin ClusterRole that every tenant's RoleBinding refers to.
 */
export const PLATFORM_POD_SECURITY = {
  [PLATFORM_NAMESPACES.nvidia]: "privileged",
  [PLATFORM_NAMESPACES.slurmOperator]: "restricted",
  [PLATFORM_NAMESPACES.slurm]: "privileged",
  [PLATFORM_NAMESPACES.monitoring]: "privileged",
  [PLATFORM_NAMESPACES.certManager]: "restricted",
} as const;

/** The cluster's admission policy that keeps tenants' pods off NVIDIA's runtime, and its binding. */
export const GPU_RUNTIME_GUARD = "aisc-tenant-no-nvidia-runtime";

/**
 * Tenants' pods get GPUs only by requesting them: the device plugin hands each its GPUs as CDI
 * devices under the default runc runtime. Under NVIDIA's runtime a container could instead
 * name any GPU of its node in `NVIDIA_VISIBLE_DEVICES` (CUDA images set it to `all`), so the API
 * server refuses, in every tenant namespace, a pod that asks for that runtime. Pods are what the
 * policy judges, so a Deployment's pods are refused as its ReplicaSet creates them.
 */
function gpuRuntimeGuard(scope: Construct): void {
  const labels = commonLabels("aisc-tenancy");
  object(
    scope,
    "gpu-runtime-policy",
    "admissionregistration.k8s.io/v1",
    "ValidatingAdmissionPolicy",
    { name: GPU_RUNTIME_GUARD, labels },
    {
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] }] },
        validations: [
          {
            expression: `!has(object.spec.runtimeClassName) || object.spec.runtimeClassName != '${NVIDIA_RUNTIME.name}'`,
            message: `tenant pods get GPUs by requesting them (nvidia.com/gpu and the site's shared and MIG resources), not through the ${NVIDIA_RUNTIME.name} runtime class`,
            reason: "Forbidden",
          },
        ],
      },
    },
  );
  object(
    scope,
    "gpu-runtime-binding",
    "admissionregistration.k8s.io/v1",
    "ValidatingAdmissionPolicyBinding",
    { name: GPU_RUNTIME_GUARD, labels },
    {
      spec: {
        policyName: GPU_RUNTIME_GUARD,
        validationActions: ["Deny"],
        matchResources: { namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] } },
      },
    },
  );
}

export class PlatformNamespacesChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const [name, level] of Object.entries(PLATFORM_POD_SECURITY)) platformNamespace(this, name, level);
    // Cluster-wide only as a definition: tenants' RoleBindings grant it in their namespaces.
    object(
      this,
      "tenant-admin",
      "rbac.authorization.k8s.io/v1",
      "ClusterRole",
      { name: TENANT_ADMIN_ROLE, labels: commonLabels("aisc-tenancy") },
      { rules: TENANT_ADMIN_RULES },
    );
    gpuRuntimeGuard(this);
  }
}
