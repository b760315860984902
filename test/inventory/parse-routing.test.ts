import * as assert from "assert";
import { parseSite } from "../../inventory/parse";
import { issuesOf, mutated, withCloudPool } from "../helpers/fixtures";

/** networks.podRouting: how the routers reach pods on hybrid nodes, required exactly when there are some. */

const KEY = "aisc:site.networks.podRouting";
const routed = (podRouting: unknown) => mutated((s) => (s.networks.podRouting = podRouting));

describe("parseSite: pod routing for hybrid nodes", () => {
  it("reads BGP peers and ASNs, or static routing", () => {
    const bgp = {
      mode: "bgp",
      localAsn: 4200000001,
      peers: [
        { address: "10.20.0.2", asn: 65000 },
        { address: "10.20.255.254", asn: 64512 },
      ],
    };
    assert.deepStrictEqual(parseSite(routed(bgp)).networks.podRouting, bgp);
    assert.deepStrictEqual(parseSite(routed({ mode: "static" })).networks.podRouting, { mode: "static" });
  });

  it("is required with on-premises nodes and refused without them", () => {
    assert.deepStrictEqual(issuesOf(routed(undefined)), [
      `${KEY}: expected how the site's routers reach pods on hybrid nodes, which EKS needs for webhooks and metrics there: {mode: bgp, localAsn, peers: [{address, asn}]} or {mode: static}`,
    ]);
    const cloudOnly = mutated((s) => {
      withCloudPool(s);
      s.pools = [s.pools[2]];
      s.slurm.partitions = [{ name: "burst", pools: ["h100-cloud"] }];
      s.networks = { vpcCidr: "10.10.0.0/16", podRouting: { mode: "static" } };
    });
    assert.deepStrictEqual(issuesOf(cloudOnly), [`${KEY}: expected no podRouting: the site has no on-premises nodes whose pods need routes`]);
  });

  it("refuses reserved AS numbers, routers off the node networks, network addresses and duplicates, each keyed", () => {
    const asnWhat =
      "an AS number from 1 to 4294967294, not reserved (23456, 64496-64511, 65535, 65536-65551); private ones are 64512-65534 and 4200000000-4294967294";
    const site = routed({
      mode: "bgp",
      localAsn: 23456,
      peers: [
        { address: "10.30.0.1", asn: 65000 },
        { address: "10.20.0.0", asn: 0 },
        { address: "10.20.0.9", asn: 65000 },
        { address: "10.20.0.9", asn: "65000" },
        { address: "10.20.0.300", asn: 65000 },
      ],
    });
    assert.deepStrictEqual(issuesOf(site), [
      `${KEY}.localAsn: expected ${asnWhat}, got 23456`,
      `${KEY}.peers[0].address: expected a router on the hybrid nodes' networks (networks.onPremNodeCidrs: 10.20.0.0/16): Cilium peers from each node directly, one hop away; got 10.30.0.1`,
      `${KEY}.peers[1].address: expected a host address, got the network address of 10.20.0.0/16`,
      `${KEY}.peers[1].asn: expected ${asnWhat}, got 0`,
      `${KEY}.peers[3].asn: expected ${asnWhat}, got "65000"`,
      `${KEY}.peers[4].address: expected an IPv4 address such as 10.80.0.1, got "10.20.0.300"`,
    ]);
    assert.deepStrictEqual(
      issuesOf(
        routed({
          mode: "bgp",
          localAsn: 65010,
          peers: [
            { address: "10.20.0.9", asn: 65000 },
            { address: "10.20.0.9", asn: 65001 },
          ],
        }),
      ),
      [`${KEY}.peers[1].address: duplicate peer address "10.20.0.9"; also at index 0`],
    );
  });

  it("names what each mode needs and refuses what it does not take", () => {
    assert.deepStrictEqual(issuesOf(routed({ mode: "bgp", localAsn: 65010 })), [
      `${KEY}.peers: expected the routers each hybrid node peers with: [{address, asn}]`,
    ]);
    assert.deepStrictEqual(issuesOf(routed({ mode: "bgp", localAsn: 65010, peers: [] })), [`${KEY}.peers: expected at least 1 item, got 0`]);
    const many = Array.from({ length: 17 }, (_, i) => ({ address: `10.20.0.${i + 1}`, asn: 65000 }));
    assert.deepStrictEqual(issuesOf(routed({ mode: "bgp", localAsn: 65010, peers: many })), [
      `${KEY}.peers: expected at most 16 BGP peers (every node holds a session with each), got 17`,
    ]);
    assert.deepStrictEqual(issuesOf(routed({ mode: "static", localAsn: 65010 })), [
      `${KEY}.localAsn: expected nothing with mode static: aisc configures no BGP; the site's routers carry the routes`,
    ]);
    assert.deepStrictEqual(issuesOf(routed({ mode: "ospf" })), [`${KEY}.mode: expected one of bgp, static, got "ospf"`]);
    assert.deepStrictEqual(issuesOf(routed({ mode: "bgp", localAsn: 65010, peers: [{ address: "10.20.0.1", asn: 65000, password: "x" }] })), [
      `${KEY}.peers[0].password: unknown key; expected one of address, asn`,
    ]);
  });
});
