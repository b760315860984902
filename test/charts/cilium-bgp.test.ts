import * as assert from "assert";
import { App } from "cdk8s";
import { bgpSpecs, CiliumBgpChart } from "../../charts/cilium-bgp";
import { CRD_DIR, K8sValidator, K8S_SCHEMA, readManifests } from "../../cli/verify-k8s";
import { chartObjects } from "../../components/k8s/chart-resources";
import { PodRouting } from "../../inventory/types";

/** Cilium's BGP objects for hybrid nodes: what AWS's hybrid-nodes BGP guide sets up, valid under Cilium 1.17.5's CRDs. */

type Bgp = Extract<PodRouting, { mode: "bgp" }>;
const HYBRID = { key: "eks.amazonaws.com/compute-type", value: "hybrid" };
const routing: Bgp = {
  mode: "bgp",
  localAsn: 65010,
  peers: [
    { address: "10.80.0.2", asn: 65000 },
    { address: "10.80.0.1", asn: 65001 },
  ],
};

describe("Cilium BGP for hybrid nodes", () => {
  it("peers every hybrid node with each router from the site's ASN, advertising pod blocks only", () => {
    const specs = bgpSpecs(routing, HYBRID);
    assert.deepStrictEqual(specs.cluster, {
      nodeSelector: { matchExpressions: [{ key: "eks.amazonaws.com/compute-type", operator: "In", values: ["hybrid"] }] },
      bgpInstances: [
        {
          name: "hybrid-nodes",
          localASN: 65010,
          peers: [
            { name: "router-10-80-0-1", peerASN: 65001, peerAddress: "10.80.0.1", peerConfigRef: { name: "aisc-hybrid-nodes" } },
            { name: "router-10-80-0-2", peerASN: 65000, peerAddress: "10.80.0.2", peerConfigRef: { name: "aisc-hybrid-nodes" } },
          ],
        },
      ],
    });
    assert.deepStrictEqual(specs.peer.families, [{ afi: "ipv4", safi: "unicast", advertisements: { matchLabels: { "aisc.hk/bgp-advertise": "pod-cidrs" } } }]);
    assert.deepStrictEqual(specs.advertisement, { advertisements: [{ advertisementType: "PodCIDR" }] });
  });

  it("names peers by address, so reordering them in the inventory changes nothing", () => {
    const reordered: Bgp = { ...routing, peers: [...routing.peers].reverse() };
    assert.deepStrictEqual(bgpSpecs(reordered, HYBRID), bgpSpecs(routing, HYBRID));
  });

  it("renders objects the vendored Cilium CRDs accept, and the CRDs refuse an AS number past 32 bits", () => {
    const crds = readManifests(CRD_DIR, CRD_DIR).flatMap((m) => m.docs);
    const validator = new K8sValidator(K8S_SCHEMA, crds);
    const objects = chartObjects(new CiliumBgpChart(new App(), "bgp", routing, HYBRID));
    assert.deepStrictEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ["CiliumBGPClusterConfig/aisc-hybrid-nodes", "CiliumBGPPeerConfig/aisc-hybrid-nodes", "CiliumBGPAdvertisement/aisc-hybrid-nodes-pod-cidrs"],
    );
    assert.strictEqual((objects[2].metadata.labels as Record<string, string>)["aisc.hk/bgp-advertise"], "pod-cidrs");
    for (const o of objects) assert.deepStrictEqual(validator.validate(o as never), [], o.kind);
    const wide = chartObjects(new CiliumBgpChart(new App(), "bgp", { ...routing, localAsn: 2 ** 32 }, HYBRID))[0];
    assert.deepStrictEqual(validator.validate(wide as never), [{ field: "spec.bgpInstances[0].localASN", message: "must be <= 4294967295" }]);
  });
});
