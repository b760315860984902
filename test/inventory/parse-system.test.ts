import * as assert from "assert";
import { parseSite } from "../../inventory/parse";
import { issuesOf, mutated, smallSite, withCloudPool } from "../helpers/fixtures";

/** The system nodes: where the platform's own pods run, by cluster kind, with keyed mistakes. */

describe("parseSite: system nodes", () => {
  it("defaults an eks site to three m5.2xlarge nodes in an EKS node group", () => {
    assert.deepStrictEqual(parseSite(smallSite()).system, { placement: "cloud", nodes: 3, instanceType: "m5.2xlarge", storageClass: "aisc-gp3" });
  });

  it("takes on-premises system nodes, which need the on-premises networks", () => {
    assert.deepStrictEqual(parseSite({ ...smallSite(), system: { placement: "on-prem", nodes: 4, storageClass: "ceph-rbd" } }).system, {
      placement: "on-prem",
      nodes: 4,
      storageClass: "ceph-rbd",
    });
    assert.deepStrictEqual(issuesOf({ ...smallSite(), system: { placement: "on-prem" } }), [
      "aisc:site.system.storageClass: expected the StorageClass of the site's own storage for the platform's volumes: on-prem system nodes cannot attach EBS volumes",
    ]);
    const cloudOnly = mutated((s) => {
      withCloudPool(s);
      s.pools = [s.pools[2]];
      s.slurm.partitions = [{ name: "burst", pools: ["h100-cloud"] }];
      s.networks = { vpcCidr: "10.10.0.0/16" };
      s.system = { placement: "on-prem", storageClass: "ceph-rbd" };
    });
    assert.deepStrictEqual(issuesOf(cloudOnly), [
      "aisc:site.networks.onPremNodeCidrs: expected at least one CIDR: on-prem pools join as hybrid nodes from these networks",
      "aisc:site.networks.onPremPodCidrs: expected at least one CIDR: pods on hybrid nodes take addresses from these networks",
      "aisc:site.networks.podRouting: expected how the site's routers reach pods on hybrid nodes, which EKS needs for webhooks and metrics there: {mode: bgp, localAsn, peers: [{address, asn}]} or {mode: static}",
    ]);
  });

  it("defaults an existing cluster to its own nodes labelled aisc.hk/node-role=system, and refuses to create any there", () => {
    const existing = mutated((s) => {
      s.cluster = { kind: "existing" };
      s.system = { storageClass: "local-nvme" };
      s.pools = s.pools.slice(0, 2);
      s.slurm.partitions = [s.slurm.partitions[0]];
    });
    assert.deepStrictEqual(parseSite(existing).system, { placement: "existing", storageClass: "local-nvme" });
    assert.deepStrictEqual(issuesOf({ ...existing, system: {} }), [
      "aisc:site.system.storageClass: expected the StorageClass of the site's own storage for the platform's volumes: existing system nodes cannot attach EBS volumes",
    ]);
    assert.deepStrictEqual(issuesOf({ ...existing, system: { placement: "cloud" } }), [
      'aisc:site.system.placement: expected existing for an existing cluster (aisc creates no nodes there: label your system nodes aisc.hk/node-role=system), got "cloud"',
    ]);
    assert.deepStrictEqual(issuesOf({ ...existing, system: { nodes: 3, storageClass: "local-nvme" } }), [
      "aisc:site.system.nodes: expected nothing for existing system nodes: aisc creates none (label yours aisc.hk/node-role=system)",
    ]);
  });

  it("reports each mistake at its key", () => {
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.system = { placement: "existing" }))), [
      "aisc:site.system.placement: expected cloud or on-prem for an eks cluster: a new cluster has no nodes of its own to place the platform on",
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.system = { placement: "floor" }))), [
      'aisc:site.system.placement: expected one of cloud, on-prem, existing, got "floor"',
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.system = { nodes: 1 }))), ["aisc:site.system.nodes: expected an integer from 2 to 450, got 1"]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.system = { placement: "on-prem", nodes: 1001, storageClass: "ceph-rbd" }))), [
      "aisc:site.system.nodes: expected an integer from 2 to 1000, got 1001",
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.system = { instanceType: "M5 large" }))), [
      'aisc:site.system.instanceType: expected an EC2 instance type such as m5.2xlarge, got "M5 large"',
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.system = { placement: "on-prem", instanceType: "m5.large", storageClass: "ceph-rbd" }))), [
      "aisc:site.system.instanceType: expected no instanceType for on-prem system nodes (set placement: cloud for an EKS node group)",
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.system = { size: 3 }))), [
      "aisc:site.system.size: unknown key; expected one of placement, nodes, instanceType, storageClass",
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[0].name = "system"))).slice(0, 1), [
      "aisc:site.pools[0].name: expected a name other than system, which names the site's system nodes",
    ]);
  });
});
