import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { BgpPeer, PodRouting } from "../inventory/types";
import { commonLabels, object } from "./common";

/**
 * Cilium's BGP control plane for hybrid nodes (cilium.io/v2alpha1 at the pinned Cilium 1.17.5,
 * as AWS's "Configure Cilium BGP for hybrid nodes" sets it up): every hybrid node opens a
 * session to each of the site's routers and advertises the pod block Cilium's IPAM gave it, so
 * the routers, and through them the VPC, reach pods on premises. Only pod blocks are advertised:
 * Services stay reachable through the nodes as before.
 */

/** The label the peer config selects its advertisements by. */
const ADVERTISE_LABEL = { "aisc.hk/bgp-advertise": "pod-cidrs" } as const;
const NAME = "aisc-hybrid-nodes";

interface BgpObjects {
  readonly cluster: Record<string, unknown>;
  readonly peer: Record<string, unknown>;
  readonly advertisement: Record<string, unknown>;
}

/**
 * A peer's name in the cluster config, from its address (`router-10-80-0-1`), so that
 * reordering the inventory's peers renames nothing.
 */
export function peerName(peer: BgpPeer): string {
  return `router-${peer.address.replace(/\./g, "-")}`;
}

/** The three objects' specs; pure, so the values are tested without a chart. */
export function bgpSpecs(routing: Extract<PodRouting, { mode: "bgp" }>, hybridLabel: { key: string; value: string }): BgpObjects {
  return {
    cluster: {
      nodeSelector: { matchExpressions: [{ key: hybridLabel.key, operator: "In", values: [hybridLabel.value] }] },
      bgpInstances: [
        {
          name: "hybrid-nodes",
          localASN: routing.localAsn,
          peers: [...routing.peers]
            .sort((a, b) => peerName(a).localeCompare(peerName(b)))
            .map((p) => ({ name: peerName(p), peerASN: p.asn, peerAddress: p.address, peerConfigRef: { name: NAME } })),
        },
      ],
    },
    peer: {
      // A node restart keeps its routes at the routers for two minutes instead of dropping them.
      gracefulRestart: { enabled: true, restartTimeSeconds: 120 },
      timers: { holdTimeSeconds: 30, keepAliveTimeSeconds: 10 },
      families: [{ afi: "ipv4", safi: "unicast", advertisements: { matchLabels: { ...ADVERTISE_LABEL } } }],
    },
    advertisement: { advertisements: [{ advertisementType: "PodCIDR" }] },
  };
}

export class CiliumBgpChart extends Chart {
  constructor(scope: Construct, id: string, routing: Extract<PodRouting, { mode: "bgp" }>, hybridLabel: { key: string; value: string }) {
    super(scope, id, { disableResourceNameHashes: true });
    const specs = bgpSpecs(routing, hybridLabel);
    const labels = commonLabels("cilium-bgp");
    object(this, "cluster", "cilium.io/v2alpha1", "CiliumBGPClusterConfig", { name: NAME, labels }, { spec: specs.cluster });
    object(this, "peer", "cilium.io/v2alpha1", "CiliumBGPPeerConfig", { name: NAME, labels }, { spec: specs.peer });
    object(
      this,
      "advertisement",
      "cilium.io/v2alpha1",
      "CiliumBGPAdvertisement",
      { name: `${NAME}-pod-cidrs`, labels: { ...labels, ...ADVERTISE_LABEL } },
      { spec: specs.advertisement },
    );
  }
}
