import { Cidr, parseCidr } from "./cidr";
import { SECTIONS } from "./input";
import { LIMITS } from "./limits";
import { Reader, show } from "./reader";
import { BgpPeer, POD_ROUTING_MODES, PodRouting } from "./types";

/**
 * Parses `networks.podRouting`: how the site's routers learn where the pods of hybrid nodes
 * are. EKS needs those pod addresses routable from the VPC (webhooks and metrics served from
 * hybrid nodes), and only the site can say how its network gets the routes, so a site with
 * on-premises nodes must choose: `bgp` (Cilium's BGP control plane advertises each node's pod
 * block to the routers named here) or `static` (the site's routers carry static routes that
 * its network team keeps in step with the nodes).
 */

/**
 * AS numbers no BGP speaker may use as its own or a peer's: 0 (RFC 7607), AS_TRANS 23456
 * (RFC 6793), the documentation ranges (RFC 5398) and the last of each space (RFC 7300).
 */
const RESERVED_ASNS: readonly [number, number][] = [
  [0, 0],
  [23456, 23456],
  [64496, 64511],
  [65535, 65535],
  [65536, 65551],
  [4294967295, 4294967295],
];
const ASN_WHAT =
  "an AS number from 1 to 4294967294, not reserved (23456, 64496-64511, 65535, 65536-65551); private ones are 64512-65534 and 4200000000-4294967294";

function asn(r: Reader, path: string, value: unknown): number | undefined {
  const ok =
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 4294967295 && !RESERVED_ASNS.some(([lo, hi]) => value >= lo && value <= hi);
  return ok ? value : r.fail(path, `expected ${ASN_WHAT}, got ${show(value)}`);
}

/**
 * A router address: an IPv4 host address on one of the hybrid nodes' networks, which each node
 * peers with directly. `nodeNetworks` is undefined when they are not all valid: then only the
 * address itself is checked.
 */
function peerAddress(r: Reader, path: string, value: unknown, nodeNetworks: readonly Cidr[] | undefined): string | undefined {
  const address = r.string(path, value, { pattern: /^\d{1,3}(\.\d{1,3}){3}$/, what: "an IPv4 address such as 10.80.0.1" });
  const host = address === undefined ? undefined : parseCidr(`${address}/32`);
  if (address !== undefined && !host) return r.fail(path, `expected an IPv4 address such as 10.80.0.1, got ${show(address)}`);
  if (!host || !nodeNetworks) return host ? address : undefined;
  const network = nodeNetworks.find((n) => host.start >= n.start && host.start <= n.end);
  if (!network) {
    const where = nodeNetworks.map((n) => n.text).join(", ");
    return r.fail(
      path,
      `expected a router on the hybrid nodes' networks (networks.onPremNodeCidrs: ${where}): Cilium peers from each node directly, one hop away; got ${address}`,
    );
  }
  if (network.prefix < 31 && (host.start === network.start || host.start === network.end)) {
    return r.fail(path, `expected a host address, got the ${host.start === network.start ? "network" : "broadcast"} address of ${network.text}`);
  }
  return address;
}

/**
 * `onPrem` is whether the inventory puts nodes on premises, undefined when that cannot be
 * told (the pools were unreadable): then a missing podRouting is not reported, a given one is
 * still checked.
 */
export function parsePodRouting(
  r: Reader,
  path: string,
  value: unknown,
  onPrem: boolean | undefined,
  nodeNetworks: readonly Cidr[] | undefined,
): PodRouting | undefined {
  if (onPrem === false) {
    if (value !== undefined) r.fail(path, "expected no podRouting: the site has no on-premises nodes whose pods need routes");
    return undefined;
  }
  if (value === undefined) {
    if (onPrem === undefined) return undefined;
    return r.fail(
      path,
      "expected how the site's routers reach pods on hybrid nodes, which EKS needs for webhooks and metrics there: {mode: bgp, localAsn, peers: [{address, asn}]} or {mode: static}",
    );
  }
  const o = r.object(path, value, SECTIONS.podRouting);
  if (!o) return undefined;
  const mode = r.oneOf(`${path}.mode`, o.mode, POD_ROUTING_MODES);
  if (mode === "static") {
    for (const key of ["localAsn", "peers"])
      if (o[key] !== undefined) r.fail(`${path}.${key}`, "expected nothing with mode static: aisc configures no BGP; the site's routers carry the routes");
    return { mode };
  }
  if (mode !== "bgp") return undefined;
  const localAsn = asn(r, `${path}.localAsn`, o.localAsn);
  const items =
    o.peers === undefined
      ? r.fail(`${path}.peers`, "expected the routers each hybrid node peers with: [{address, asn}]")
      : r.list(`${path}.peers`, o.peers, { minItems: 1, maxItems: LIMITS.bgpPeers, what: "BGP peers (every node holds a session with each)" });
  const peers = (items ?? []).map((item, i): BgpPeer | undefined => {
    const p = r.object(`${path}.peers[${i}]`, item, SECTIONS.peer);
    if (!p) return undefined;
    const address = peerAddress(r, `${path}.peers[${i}].address`, p.address, nodeNetworks);
    const peerAsn = asn(r, `${path}.peers[${i}].asn`, p.asn);
    return address === undefined || peerAsn === undefined ? undefined : { address, asn: peerAsn };
  });
  r.unique(
    (i) => `${path}.peers[${i}].address`,
    peers.map((p) => p?.address),
    "peer address",
  );
  if (localAsn === undefined || !items || peers.some((p) => p === undefined)) return undefined;
  return { mode, localAsn, peers: peers as BgpPeer[] };
}
