import * as assert from "assert";
import { Plan } from "../../../cli/record";
import { cloudPolicyConfig, cloudSite, tempDir, writeStackFile } from "../../helpers/fixtures";
import { ofType, one, planFile } from "../../helpers/plan";

describe("CloudGpuPools under the offline plan: cloud GPU pools, planned in Tokyo (Hong Kong offers none of the catalog's GPU instances)", () => {
  let plan: Plan;
  before(function () {
    const s = cloudSite();
    s.pools.push({
      name: "h100-block",
      gpu: "H100",
      gpusPerNode: 8,
      nodes: 2,
      placement: "cloud",
      cloud: {
        capacityType: "capacity-block",
        capacityReservationId: "cr-0123456789abcdef0",
        capacityBlockStart: "2027-01-10T11:30:00Z",
        availabilityZone: "ap-northeast-1b",
      },
    });
    s.slurm.partitions[1].pools.push("h100-block");
    plan = planFile(writeStackFile("tokyo", s), tempDir(), "--policy-config", cloudPolicyConfig());
  });
  const group = (pool: string) => ofType(plan, "aws:eks/nodeGroup:NodeGroup").find((g) => (g.inputs.labels as any)?.["aisc.hk/pool"] === pool)!;
  const template = (pool: string) =>
    ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate").find((t) => String(t.inputs.description).endsWith(`pool ${pool}`))!.inputs as any;
  const subnet = (zone: string) =>
    ofType(plan, "aws:ec2/subnet:Subnet").find((x) => x.inputs.availabilityZone === zone && String((x.inputs.tags as any).Name).includes("private"))!;

  it("makes a pool a managed node group of its instance type, with the GPU labels and taint, in its EFA zone", () => {
    const inputs = group("h100-cloud").inputs as any;
    assert.deepStrictEqual(
      [inputs.instanceTypes, inputs.amiType, inputs.capacityType, inputs.scalingConfig],
      [["p5.48xlarge"], "AL2023_x86_64_NVIDIA", "SPOT", { desiredSize: 1, minSize: 1, maxSize: 1 }],
    );
    assert.deepStrictEqual(inputs.labels, { "aisc.hk/gpu-model": "H100", "aisc.hk/pool": "h100-cloud", "nvidia.com/device-plugin.config": "h100-cloud" });
    assert.deepStrictEqual(inputs.taints, [{ effect: "NO_SCHEDULE", key: "nvidia.com/gpu", value: "present" }]);
    assert.strictEqual(template("h100-cloud").metadataOptions.httpTokens, "required");
    // RDMA between GPUs does not cross zones: an EFA pool is in the site's first zone only.
    assert.strictEqual(inputs.subnetIds.length, 1);
    assert.ok(group("h100-cloud").options.dependencies.includes(subnet("ap-northeast-1a").urn));
  });

  it("gives a p5 pool an EFA interface on each of its 32 network cards and a cluster placement group of its own", () => {
    const interfaces = template("h100-cloud").networkInterfaces as Record<string, unknown>[];
    assert.deepStrictEqual(
      interfaces.map((i) => [i.networkCardIndex, i.deviceIndex, i.interfaceType]),
      Array.from({ length: 32 }, (_, card) => [card, card === 0 ? 0 : 1, "efa"]),
    );
    const sg = interfaces[0].securityGroups;
    assert.ok(
      interfaces.every((i) => JSON.stringify(i.securityGroups) === JSON.stringify(sg)),
      "every interface carries the cluster security group",
    );
    const placement = one(plan, "aws:ec2/placementGroup:PlacementGroup");
    assert.deepStrictEqual([placement.inputs.name, placement.inputs.strategy], ["aisc-testsite-h100-cloud", "cluster"]);
    assert.deepStrictEqual(template("h100-cloud").placement, { groupName: "aisc-testsite-h100-cloud" });
  });

  it("puts a capacity block's instance type in its launch template, starts it at 0 in the block's zone and scales it up when the block starts", () => {
    const t = template("h100-block");
    assert.deepStrictEqual(
      [t.instanceType, t.instanceMarketOptions, t.capacityReservationSpecification],
      ["p5.48xlarge", { marketType: "capacity-block" }, { capacityReservationTarget: { capacityReservationId: "cr-0123456789abcdef0" } }],
    );
    const g = group("h100-block");
    const inputs = g.inputs as any;
    assert.deepStrictEqual(
      [inputs.instanceTypes, inputs.capacityType, inputs.scalingConfig],
      [undefined, "CAPACITY_BLOCK", { desiredSize: 0, minSize: 0, maxSize: 2 }],
    );
    assert.deepStrictEqual(g.options.ignoreChanges, ["scalingConfig.desiredSize"]);
    assert.strictEqual(inputs.subnetIds.length, 1);
    assert.ok(g.options.dependencies.includes(subnet("ap-northeast-1b").urn));
    const schedule = one(plan, "aws:autoscaling/schedule:Schedule").inputs as any;
    assert.deepStrictEqual([schedule.startTime, schedule.desiredCapacity, schedule.minSize, schedule.maxSize], ["2027-01-10T11:30:00Z", 2, 0, 2]);
    assert.match(schedule.autoscalingGroupName, /^eks-aisc-testsite-h100-block-/);
  });

  it("runs AWS's EFA device plugin on the EFA pools' nodes, through their GPU taint", () => {
    const ds = ofType(plan, "kubernetes:apps/v1:DaemonSet").find((d) => (d.inputs.metadata as any).name === "aws-efa-k8s-device-plugin")!;
    const pod = (ds.inputs as any).spec.template.spec;
    assert.strictEqual(pod.containers[0].image, "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.20");
    assert.deepStrictEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
      { matchExpressions: [{ key: "aisc.hk/pool", operator: "In", values: ["h100-cloud", "h100-block"] }] },
    ]);
    assert.deepStrictEqual(
      pod.tolerations.map((t: any) => t.key),
      ["CriticalAddonsOnly", "nvidia.com/gpu"],
    );
  });
});
