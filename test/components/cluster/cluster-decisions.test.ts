import * as assert from "assert";
import { cloudGpuContainerdConfig, nodeConfigUserData } from "../../../charts/containerd";
import { ciliumValues } from "../../../components/cluster/cilium";
import { clusterName } from "../../../components/cluster/control-plane";
import { nodeGroups } from "../../../components/cluster/node-groups";
import { subnetLayout } from "../../../components/cluster/subnets";
import { activationWindow, hybridActivations, nodeadmConfig, registrationLimit } from "../../../components/cluster/hybrid-spec";
import { parseSite } from "../../../inventory/parse";
import { cloudSite, smallSite } from "../../helpers/fixtures";

describe("cluster decisions", () => {
  const site = parseSite(cloudSite());

  it("names the cluster after the site", () => assert.strictEqual(clusterName(site), "aisc-testsite"));

  it("carves a private quarter per zone and small public subnets from the last quarter", () => {
    assert.deepStrictEqual(subnetLayout("10.40.0.0/16", ["ap-east-1a", "ap-east-1b", "ap-east-1c"]), [
      { zone: "ap-east-1a", privateCidr: "10.40.0.0/18", publicCidr: "10.40.192.0/22" },
      { zone: "ap-east-1b", privateCidr: "10.40.64.0/18", publicCidr: "10.40.196.0/22" },
      { zone: "ap-east-1c", privateCidr: "10.40.128.0/18", publicCidr: "10.40.200.0/22" },
    ]);
  });

  it("gives each on-prem pool an activation for its nodes with headroom, expiring with its period, tagged with its site, GPUs and period", () => {
    assert.deepStrictEqual(
      hybridActivations(site, "2026-12-02").map((a) => [a.pool, a.nodes, a.registrationLimit, a.expirationDate, a.tags]),
      [
        [
          "h100-a",
          4,
          6,
          "2026-12-17T00:00:00Z",
          {
            "aisc.hk/site": "testsite",
            "aisc.hk/pool": "h100-a",
            "aisc.hk/nodes": "4",
            "aisc.hk/gpu-model": "H100",
            "aisc.hk/gpus-per-node": "8",
            "aisc.hk/activation-period": "2026-11-19",
          },
        ],
        [
          "l40s-ts",
          2,
          4,
          "2026-12-17T00:00:00Z",
          {
            "aisc.hk/site": "testsite",
            "aisc.hk/pool": "l40s-ts",
            "aisc.hk/nodes": "2",
            "aisc.hk/gpu-model": "L40S",
            "aisc.hk/gpus-per-node": "4",
            "aisc.hk/activation-period": "2026-11-19",
          },
        ],
      ],
    );
  });

  it("rotates activations every period from the epoch: each expires two periods after its period starts, within SSM's 30 days of any day of it", () => {
    // 2026-11-19 is day 20,776 since the epoch, a multiple of 14: a period starts there.
    assert.deepStrictEqual(activationWindow("2026-11-19", 14), { period: "2026-11-19", expirationDate: "2026-12-17T00:00:00Z" });
    assert.deepStrictEqual(activationWindow("2026-12-02", 14), { period: "2026-11-19", expirationDate: "2026-12-17T00:00:00Z" });
    assert.deepStrictEqual(activationWindow("2026-12-03", 14), { period: "2026-12-03", expirationDate: "2026-12-31T00:00:00Z" });
    for (const rotation of [1, 7, 15]) {
      for (let d = 0; d < 40; d++) {
        const day = new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);
        const { expirationDate } = activationWindow(day, rotation);
        const left = (Date.parse(expirationDate) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000;
        assert.ok(left > rotation - 1 && left <= 30, `${day} every ${rotation} days: ${left} days left`);
      }
    }
  });

  it("leaves a tenth of a pool (at least two) for re-imaged servers, never past SSM's 1,000", () => {
    assert.deepStrictEqual([1, 4, 20, 21, 64, 900, 950, 1000].map(registrationLimit), [3, 6, 22, 24, 71, 990, 1000, 1000]);
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
        zones: ["ap-northeast-1a", "ap-northeast-1b"],
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
        zones: ["ap-northeast-1a"],
        labels: { "aisc.hk/pool": "h100-cloud", "aisc.hk/gpu-model": "H100", "nvidia.com/device-plugin.config": "h100-cloud" },
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
        description: "GPU nodes of testsite pool h100-cloud",
        diskGi: 500,
        userData: nodeConfigUserData(cloudGpuContainerdConfig()),
      },
    ]);
  });

  it("gives an EFA pool one interface per network card and a placement group, except in a capacity block, which keeps to its zone", () => {
    const s = cloudSite();
    s.region = "us-east-1";
    s.pools[2] = {
      name: "b200",
      gpu: "B200",
      gpusPerNode: 8,
      nodes: 2,
      placement: "cloud",
      cloud: {
        capacityType: "capacity-block",
        capacityReservationId: "cr-0123456789abcdef0",
        capacityBlockStart: "2027-01-10T11:30:00Z",
        availabilityZone: "us-east-1b",
      },
    };
    s.pools.push({ name: "l40s-one", gpu: "L40S", gpusPerNode: 1, nodes: 2, placement: "cloud", cloud: { capacityType: "on-demand" } });
    s.slurm.partitions[1].pools = ["b200", "l40s-one"];
    const [, b200, l40s] = nodeGroups(parseSite(s));
    assert.deepStrictEqual(
      [b200.instanceType, b200.capacityType, b200.capacityReservationId, b200.capacityBlockStart, b200.efaInterfaces, b200.placementGroup, b200.zones],
      ["p6-b200.48xlarge", "CAPACITY_BLOCK", "cr-0123456789abcdef0", "2027-01-10T11:30:00Z", 8, false, ["us-east-1b"]],
    );
    // Without EFA, a pool spans every zone of the site.
    assert.deepStrictEqual([l40s.instanceType, l40s.efaInterfaces, l40s.placementGroup, l40s.zones], ["g6e.xlarge", 0, false, ["us-east-1a", "us-east-1b"]]);
  });

  it("chooses the NVIDIA AMI for the GPU model's host CPU: ARM for a Grace-based part", () => {
    const site = parseSite(cloudSite());
    const grace = { ...site, pools: site.pools.map((p) => (p.placement === "cloud" ? { ...p, gpu: { ...p.gpu, cpuArch: "arm64" as const } } : p)) };
    assert.deepStrictEqual(
      nodeGroups(grace).map((g) => g.amiType),
      ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_NVIDIA"],
    );
  });

  it("puts system nodes on premises as an untainted hybrid activation when asked, and Graviton system nodes on the ARM AMI", () => {
    const onPrem = parseSite({ ...cloudSite(), system: { placement: "on-prem", nodes: 5, storageClass: "ceph-rbd" } });
    assert.deepStrictEqual(
      nodeGroups(onPrem).map((g) => g.pool),
      ["h100-cloud"],
    );
    const [system] = hybridActivations(onPrem, "2026-12-02");
    assert.deepStrictEqual(system, {
      pool: "system",
      nodes: 5,
      registrationLimit: 7,
      expirationDate: "2026-12-17T00:00:00Z",
      description: "EKS Hybrid Nodes for testsite system nodes: 5 servers for the platform's own pods",
      tags: {
        "aisc.hk/site": "testsite",
        "aisc.hk/pool": "system",
        "aisc.hk/nodes": "5",
        "aisc.hk/node-role": "system",
        "aisc.hk/activation-period": "2026-11-19",
      },
      labels: { "aisc.hk/node-role": "system" },
      taints: [],
    });
    assert.deepStrictEqual(JSON.parse(nodeadmConfig("aisc-testsite", "ap-east-1", "act-1", "code-1", system)).spec.kubelet.flags, [
      "--node-labels=aisc.hk/node-role=system",
    ]);
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
    const config = JSON.parse(nodeadmConfig("aisc-testsite", "ap-east-1", "act-1", "code-1", hybridActivations(site, "2026-12-02")[0]));
    assert.deepStrictEqual(config.spec.hybrid, { ssm: { activationId: "act-1", activationCode: "code-1" }, enableCredentialsFile: true });
    assert.deepStrictEqual(config.spec.kubelet.flags, [
      "--node-labels=aisc.hk/pool=h100-a,aisc.hk/gpu-model=H100,nvidia.com/device-plugin.config=h100-a",
      "--register-with-taints=nvidia.com/gpu=present:NoSchedule",
    ]);
  });
});
