/**
 * A site is deployed in two stages, because the second needs a network path the first creates:
 *
 * 1. `cluster`: everything on AWS's public APIs. The VPC, the EKS control plane (private
 *    endpoint), who may use it (identity provider, access entries), the hybrid nodes' role,
 *    activations and join configuration, the add-ons that need no node (VPC CNI, kube-proxy,
 *    Pod Identity agent) and the cloud node groups. Runs from anywhere with AWS credentials.
 * 2. `platform`: everything through the Kubernetes API, which is reachable only from the VPC
 *    and the networks joined to it (the on-premises ranges and `cluster.apiAccessCidrs`): the
 *    hybrid CNI, CoreDNS and the EBS CSI driver, the GPU stack, Slurm, monitoring and tenants.
 *    Runs from a runner on those networks, once the site's Direct Connect or VPN is attached to
 *    the VPC's virtual private gateway and the on-premises servers have joined with nodeadm.
 *
 * The stage is the stack config key `aisc:stage`; `platform` (the default) is the whole site,
 * a superset of `cluster`, so moving forward only adds resources. Going back to `cluster` would
 * delete the platform: the README says so, and never to do it.
 */
export const STAGES = ["cluster", "platform"] as const;
export type Stage = (typeof STAGES)[number];

/** The stack config key (under `aisc:`) that chooses the stage. */
export const STAGE_CONFIG_KEY = "stage";
