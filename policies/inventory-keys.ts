/**
 * Which inventory key each policy's findings come from, so a reviewer (and GitHub code scanning,
 * through the SARIF report) is sent to the line to change. A key is read relative to the
 * tenant or pool the finding's resource belongs to, when it belongs to one, and to `aisc:site`
 * otherwise; a policy not listed points at its tenant or pool entry, or at the stack file
 * (`capacity-subsidy-headroom`'s findings, say, are mended in Pulumi.yaml's `aisc:city`).
 * Kept beside the policies, not in them: the engine's `reportViolation` carries no key, and a
 * policy reads the same under `pulumi preview --policy-pack` whatever is listed here.
 */
export const INVENTORY_KEYS: Readonly<Record<string, string>> = {
  "capacity-tenant-quotas-fit-site": "tenants",
  "capacity-tenant-share-within-limit": "gpus",
  "capacity-power-within-envelope": "power.envelopeMW",
  "capacity-milestone-met": "capacity.milestones",
  "capacity-milestone-on-track": "capacity.milestones",
  "capacity-slurm-limit-matches-quota": "gpus",
  "capacity-subsidy-within-budget": "tenants",
  "tenancy-namespace-has-gpu-quota": "gpus",
  "tenancy-quota-for-every-gpu-resource": "gpus",
  "tenancy-rolebinding-own-group": "adminGroup",
  "security-aws-region-hong-kong": "region",
  "security-eks-endpoint-private": "cluster.endpointPublicAccess",
  "security-eks-version-supported": "cluster.kubernetesVersion",
};
