/**
 * The largest inventory aisc accepts, limit by limit, each taken from what the system it
 * configures accepts. The parser checks counts before it looks at any item, so an inventory far
 * over a limit is refused at once with a keyed error, never after minutes of work; and every
 * check that compares items with each other runs only on lists within these limits.
 */
/** On-premises servers of a site that join as hybrid nodes (SSM managed instances): its on-premises pools' and system nodes. */
export function hybridNodeCount(site: {
  readonly pools: readonly { readonly placement: string; readonly nodes: number }[];
  readonly system?: { readonly placement: string; readonly nodes?: number };
}): number {
  const system = site.system?.placement === "on-prem" ? (site.system.nodes ?? 0) : 0;
  return site.pools.reduce((n, p) => n + (p.placement === "on-prem" ? p.nodes : 0), system);
}

export const LIMITS = {
  /**
   * GPU pools per site. Each pool is a Slurm NodeSet, a device-plugin config, an SSM activation
   * or a managed node group (EKS allows 30 per cluster by default, adjustable), with its own
   * labels and taints; 100 is well past any site's hardware generations and shapes.
   */
  pools: 100,
  /**
   * Nodes in one on-premises pool: the pool's SSM hybrid activation registers at most this many
   * servers (SSM CreateActivation's RegistrationLimit is 1 to 1,000).
   */
  nodesPerOnPremPool: 1000,
  /**
   * On-premises servers (hybrid nodes) per site: each registers as an SSM managed instance, and
   * SSM's standard-instances tier takes at most 1,000 hybrid-activated machines per account and
   * region (the advanced tier, which aisc does not turn on, takes more at a price). Sites that
   * share an account share this quota.
   */
  hybridNodesPerAccount: 1000,
  /** Nodes in one cloud pool: an EKS managed node group scales to at most 450 nodes. */
  nodesPerCloudPool: 450,
  /** Nodes across the site: Kubernetes' scalability thresholds are tested to 5,000 nodes per cluster. */
  nodesPerSite: 5000,
  /**
   * Tenants per site. Each is a namespace, and Kubernetes' scalability thresholds are tested to
   * 10,000 namespaces per cluster.
   */
  tenants: 10000,
  /**
   * On-premises node and pod CIDRs, each list: EKS takes one remote node network and one remote
   * pod network, of at most 15 CIDRs each, and that quota is not adjustable.
   */
  onPremCidrs: 15,
  /**
   * BGP peers of the hybrid nodes: every node holds a session with each, so a rack's two or
   * four top-of-rack routers is the norm; 16 is far past any leaf-spine design.
   */
  bgpPeers: 16,
  /** Slurm partitions: Slurm sets no hard limit; every partition lists at least one pool. */
  partitions: 100,
  /** Capacity milestones: a plan's dated targets, a handful in practice. */
  milestones: 100,
  /**
   * Any free-text string (display names, groups, LDAP names): SSM's Description and
   * DefaultInstanceName take at most 256 characters, and the display names land in ConfigMaps,
   * dashboards and Slurm's descriptions.
   */
  stringLength: 256,
} as const;
