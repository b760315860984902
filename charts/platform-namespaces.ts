import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { PLATFORM_NAMESPACES } from "../inventory/platform";
import { platformNamespace } from "./common";

/**
 * The platform's own namespaces, created before anything that lives in them and kept apart
 * from tenants: none carries a tenant label. Their Pod Security level is the least each
 * component needs: the GPU agents, slurmd and the node exporter need host access.
 */
export const PLATFORM_POD_SECURITY = {
  [PLATFORM_NAMESPACES.nvidia]: "privileged",
  [PLATFORM_NAMESPACES.slurmOperator]: "restricted",
  [PLATFORM_NAMESPACES.slurm]: "privileged",
  [PLATFORM_NAMESPACES.monitoring]: "privileged",
} as const;

export class PlatformNamespacesChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const [name, level] of Object.entries(PLATFORM_POD_SECURITY)) platformNamespace(this, name, level);
  }
}
