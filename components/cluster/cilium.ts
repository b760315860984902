import { Site } from "../../inventory/types";

/** Cilium, the CNI of hybrid nodes: the pinned chart and its values for a site. */

/** The Cilium chart that runs as the CNI on hybrid nodes, pinned. */
export const CILIUM_CHART = { chart: "cilium", version: "1.17.5", repo: "https://helm.cilium.io" } as const;
/** EKS labels hybrid nodes with this, and the hybrid CNI is confined to them. */
export const HYBRID_NODE_LABEL = { key: "eks.amazonaws.com/compute-type", value: "hybrid" } as const;

/**
 * Helm values for Cilium on hybrid nodes: cluster-pool IPAM over the site's on-premises pod
 * ranges (which EKS was told about as remote pod networks) and every Cilium pod confined to
 * hybrid nodes, since cloud nodes run the VPC CNI.
 */
export function ciliumValues(site: Site): Record<string, unknown> {
  const hybridOnly = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: HYBRID_NODE_LABEL.key, operator: "In", values: [HYBRID_NODE_LABEL.value] }] }],
      },
    },
  };
  return {
    affinity: hybridOnly,
    ipam: {
      mode: "cluster-pool",
      operator: { clusterPoolIPv4MaskSize: 25, clusterPoolIPv4PodCIDRList: [...site.networks.onPremPodCidrs] },
    },
    operator: { replicas: 2, affinity: hybridOnly, unmanagedPodWatcher: { restart: false }, rollOutPods: true },
    envoy: { enabled: false },
    // BGP advertises each hybrid node's pod block to the site's routers (networks.podRouting).
    // Agents and operator read their ConfigMap only at start: roll them when it changes, or
    // turning BGP on (or any later setting) would wait for the next restart.
    ...(site.networks.podRouting?.mode === "bgp" ? { bgpControlPlane: { enabled: true } } : {}),
    rollOutCiliumPods: true,
    // GPU nodes carry the GPU taint; the CNI must run there or no pod gets a network.
    tolerations: [{ operator: "Exists" }],
  };
}
