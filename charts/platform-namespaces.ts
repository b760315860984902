import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { PLATFORM_NAMESPACES } from "../inventory/platform";
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

export class PlatformNamespacesChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const [name, level] of Object.entries(PLATFORM_POD_SECURITY)) platformNamespace(this, name, level);
    // Cluster-wide only as a definition: tenants' RoleBindings grant it in their namespaces.
    object(this, "tenant-admin", "rbac.authorization.k8s.io/v1", "ClusterRole", { name: TENANT_ADMIN_ROLE, labels: commonLabels("aisc-tenancy") }, { rules: TENANT_ADMIN_RULES });
  }
}
