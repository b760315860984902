import * as assert from "assert";
import { cloudGpuContainerdConfig, nodeConfigUserData } from "../../../charts/containerd";
import { ciliumValues, clusterName, hybridActivations, nodeadmConfig, nodeGroups, subnetLayout } from "../../../components/cluster/compute";
import { parseSite } from "../../../inventory/parse";
import { smallSite } from "../../helpers/fixtures";

describe("cluster decisions", () => {
  const site = parseSite(smallSite());

  it("names the cluster after the site", () => assert.strictEqual(clusterName(site), "aisc-testsite"));

  it("carves a private quarter per zone and small public subnets from the last quarter", () => {
    assert.deepStrictEqual(subnetLayout("10.40.0.0/16", ["ap-east-1a", "ap-east-1b", "ap-east-1c"]), [
      { zone: "ap-east-1a", privateCidr: "10.40.0.0/18", publicCidr: "10.40.192.0/22" },
      { zone: "ap-east-1b", privateCidr: "10.40.64.0/18", publicCidr: "10.40.196.0/22" },
      { zone: "ap-east-1c", privateCidr: "10.40.128.0/18", publicCidr: "10.40.200.0/22" },
    ]);
  });

  it("gives each on-prem pool an activation limited to its nodes, tagged with its GPUs", () => {
    assert.deepStrictEqual(hybridActivations(site).map((a) => [a.pool, a.registrationLimit, a.tags]), [
      ["h100-a", 4, { "aisc.hk/pool": "h100-a", "aisc.hk/gpu-model": "H100", "aisc.hk/gpus-per-node": "8" }],
      ["l40s-ts", 2, { "aisc.hk/pool": "l40s-ts", "aisc.hk/gpu-model": "L40S", "aisc.hk/gpus-per-node": "4" }],
    ]);
  });

  it("makes an untainted on-demand system node group, then a fixed-size NVIDIA AL2023 node group per cloud pool with the GPU taint", () => {
    assert.deepStrictEqual(nodeGroups(site), [
      {
        pool: "system",
        nodeGroupName: "aisc-testsite-system",
        instanceType: "m5.2xlarge",
        amiType: "AL2023_x86_64_STANDARD",
        capacityType: "ON_DEMAND",
        nodes: 3,
        efaInterfaces: 0,
        placementGroup: false,
        labels: { "aisc.hk/node-role": "system" },
        taints: [],
        description: "System nodes of testsite: the platform's own pods",
        diskGi: 100,
      },
      {
        pool: "h100-cloud",
        nodeGroupName: "aisc-testsite-h100-cloud",
        instanceType: "p5.48xlarge",
        amiType: "AL2023_x86_64_NVIDIA",
        capacityType: "SPOT",
        nodes: 1,
        efaInterfaces: 32,
        placementGroup: true,
        labels: { "aisc.hk/pool": "h100-cloud", "aisc.hk/gpu-model": "H100", "nvidia.com/device-plugin.config": "h100-cloud" },
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
        description: "GPU nodes of testsite pool h100-cloud",
        diskGi: 500,
        userData: nodeConfigUserData(cloudGpuContainerdConfig()),
      },
    ]);
  });

  it("gives an EFA pool one interface per network card and a placement group, except in a capacity block", () => {
    const s = smallSite();
    s.pools[2] = { name: "b200", gpu: "B200", gpusPerNode: 8, nodes: 2, placement: "cloud", cloud: { capacityType: "capacity-block", capacityReservationId: "cr-0123456789abcdef0" } };
    s.pools.push({ name: "l40s-one", gpu: "L40S", gpusPerNode: 1, nodes: 2, placement: "cloud", cloud: { capacityType: "on-demand" } });
    s.slurm.partitions[1].pools = ["b200", "l40s-one"];
    const [, b200, l40s] = nodeGroups(parseSite(s));
    assert.deepStrictEqual([b200.instanceType, b200.capacityType, b200.capacityReservationId, b200.efaInterfaces, b200.placementGroup], ["p6-b200.48xlarge", "CAPACITY_BLOCK", "cr-0123456789abcdef0", 8, false]);
    assert.deepStrictEqual([l40s.instanceType, l40s.efaInterfaces, l40s.placementGroup], ["g6e.xlarge", 0, false]);
  });

  it("chooses the NVIDIA AMI for the GPU model's host CPU: ARM for a Grace-based part", () => {
    const site = parseSite(smallSite());
    const grace = { ...site, pools: site.pools.map((p) => (p.placement === "cloud" ? { ...p, gpu: { ...p.gpu, cpuArch: "arm64" as const } } : p)) };
    assert.deepStrictEqual(nodeGroups(grace).map((g) => g.amiType), ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_NVIDIA"]);
  });

  it("puts system nodes on premises as an untainted hybrid activation when asked, and Graviton system nodes on the ARM AMI", () => {
    const onPrem = parseSite({ ...smallSite(), system: { placement: "on-prem", nodes: 5, storageClass: "ceph-rbd" } });
    assert.deepStrictEqual(nodeGroups(onPrem).map((g) => g.pool), ["h100-cloud"]);
    const [system] = hybridActivations(onPrem);
    assert.deepStrictEqual(system, {
      pool: "system",
      registrationLimit: 5,
      description: "EKS Hybrid Nodes for testsite system nodes: 5 servers for the platform's own pods",
      tags: { "aisc.hk/pool": "system", "aisc.hk/node-role": "system" },
      labels: { "aisc.hk/node-role": "system" },
      taints: [],
    });
    assert.deepStrictEqual(JSON.parse(nodeadmConfig("aisc-testsite", "ap-east-1", "act-1", "code-1", system)).spec.kubelet.flags, ["--node-labels=aisc.hk/node-role=system"]);
    assert.strictEqual(nodeGroups(parseSite({ ...smallSite(), system: { instanceType: "m7g.2xlarge" } }))[0].amiType, "AL2023_ARM_64_STANDARD");
  });

  it("gives Cilium the on-prem pod ranges and confines it to hybrid nodes", () => {
    const values = ciliumValues(site) as any;
    assert.deepStrictEqual(values.ipam.operator.clusterPoolIPv4PodCIDRList, ["10.32.0.0/12"]);
    const term = values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
    assert.deepStrictEqual(term.matchExpressions, [{ key: "eks.amazonaws.com/compute-type", operator: "In", values: ["hybrid"] }]);
  });

  it("turns on Cilium's BGP control plane exactly when the site routes pods by BGP, and rolls Cilium when its config changes", () => {
    const values = ciliumValues(site) as any;
    assert.deepStrictEqual(values.bgpControlPlane, { enabled: true });
    assert.strictEqual(values.rollOutCiliumPods, true);
    assert.strictEqual(values.operator.rollOutPods, true);
    const staticRouted = parseSite({ ...smallSite(), networks: { ...smallSite().networks, podRouting: { mode: "static" } } });
    assert.strictEqual((ciliumValues(staticRouted) as any).bgpControlPlane, undefined);
  });

  it("writes a nodeadm config with the pool's labels and the GPU taint as kubelet flags", () => {
    const config = JSON.parse(nodeadmConfig("aisc-testsite", "ap-east-1", "act-1", "code-1", hybridActivations(site)[0]));
    assert.deepStrictEqual(config.spec.hybrid, { ssm: { activationId: "act-1", activationCode: "code-1" } });
    assert.deepStrictEqual(config.spec.kubelet.flags, [
      "--node-labels=aisc.hk/pool=h100-a,aisc.hk/gpu-model=H100,nvidia.com/device-plugin.config=h100-a",
      "--register-with-taints=nvidia.com/gpu=present:NoSchedule",
    ]);
  });
});
