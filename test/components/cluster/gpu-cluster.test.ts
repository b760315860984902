import * as assert from "assert";
import { Plan, PlannedResource } from "../../../cli/record";
import { findInstanceType } from "../../../inventory/instances";
import { parseSite } from "../../../inventory/parse";
import { realSite, smallSite, tempDir, writeStackFile } from "../../helpers/fixtures";
import { ofType, one, planFile, realPlan } from "../../helpers/plan";

/** The GPUs the plan's hybrid activations and node groups admit, from their own inputs (system nodes have none). */
function plannedGpus(plan: Plan): number {
  const hybrid = ofType(plan, "aws:ssm/activation:Activation").filter((a) => !isSystem(a)).reduce((sum, a) => {
    const tags = a.inputs.tags as Record<string, string>;
    return sum + (a.inputs.registrationLimit as number) * Number(tags["aisc.hk/gpus-per-node"]);
  }, 0);
  const cloud = ofType(plan, "aws:eks/nodeGroup:NodeGroup").filter((g) => !isSystem(g)).reduce((sum, g) => {
    const scaling = g.inputs.scalingConfig as { desiredSize: number };
    const type = findInstanceType((g.inputs.instanceTypes as string[])[0])!.type;
    return sum + scaling.desiredSize * type.gpus;
  }, 0);
  return hybrid + cloud;
}

/** Whether an activation or node group is for the system nodes (by its tags or labels). */
function isSystem(r: PlannedResource): boolean {
  const marks = { ...(r.inputs.tags as object), ...(r.inputs.labels as object) } as Record<string, string>;
  return marks["aisc.hk/node-role"] === "system";
}

describe("GpuCluster under the offline plan", function () {
  const plans: Record<string, Plan> = {};
  before(function () {
    for (const stack of ["cyberport", "sandy-ridge"]) plans[stack] = realPlan(stack);
  });

  for (const stack of ["cyberport", "sandy-ridge"]) {
    describe(stack, () => {
      it("declares a private, encrypted, logged EKS cluster with the on-prem networks as remote networks", () => {
        const site = parseSite(realSite(stack));
        const cluster = one(plans[stack], "aws:eks/cluster:Cluster");
        const key = one(plans[stack], "aws:kms/key:Key");
        const inputs = cluster.inputs as any;
        assert.strictEqual(inputs.name, `aisc-${stack}`);
        assert.strictEqual(inputs.version, "1.33");
        assert.strictEqual(inputs.vpcConfig.endpointPublicAccess, false);
        assert.strictEqual(inputs.vpcConfig.endpointPrivateAccess, true);
        assert.deepStrictEqual(inputs.encryptionConfig.resources, ["secrets"]);
        assert.ok(cluster.options.dependencies.includes(key.urn), "the cluster's encryption key is the site's KMS key");
        assert.deepStrictEqual(inputs.enabledClusterLogTypes, ["api", "audit", "authenticator"]);
        assert.strictEqual(inputs.accessConfig.authenticationMode, "API");
        assert.deepStrictEqual(inputs.remoteNetworkConfig, {
          remoteNodeNetworks: { cidrs: site.networks.onPremNodeCidrs },
          remotePodNetworks: { cidrs: site.networks.onPremPodCidrs },
        });
        assert.strictEqual(inputs.vpcConfig.subnetIds.length, 2);
        assert.strictEqual(cluster.options.protect, true);
      });

      it("protects the rotating KMS key and retains the control-plane logs", () => {
        const key = one(plans[stack], "aws:kms/key:Key");
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        assert.strictEqual(key.options.protect, true);
        const logs = one(plans[stack], "aws:cloudwatch/logGroup:LogGroup");
        assert.deepStrictEqual([logs.options.protect, logs.options.retainOnDelete, logs.inputs.retentionInDays], [true, true, 365]);
      });

      it("gives each on-prem pool one SSM activation limited to its nodes, and hybrid nodes one HYBRID_LINUX access entry", () => {
        const site = parseSite(realSite(stack));
        const onPrem = site.pools.filter((p) => p.placement === "on-prem");
        const activations = ofType(plans[stack], "aws:ssm/activation:Activation").filter((a) => !isSystem(a));
        assert.deepStrictEqual(
          activations.map((a) => [(a.inputs.tags as any)["aisc.hk/pool"], a.inputs.registrationLimit]).sort(),
          onPrem.map((p) => [p.name, p.nodes]).sort(),
        );
        assert.deepStrictEqual(ofType(plans[stack], "aws:eks/accessEntry:AccessEntry").map((e) => e.inputs.type), ["HYBRID_LINUX"]);
        const systemOnPrem = site.system.placement === "on-prem" ? 1 : 0;
        assert.strictEqual(ofType(plans[stack], "aws:ssm/parameter:Parameter").length, onPrem.length + systemOnPrem);
      });

      it("makes the inventory's system nodes, untainted and labelled, as a node group or an activation", () => {
        const site = parseSite(realSite(stack));
        const groups = ofType(plans[stack], "aws:eks/nodeGroup:NodeGroup").filter(isSystem);
        const activations = ofType(plans[stack], "aws:ssm/activation:Activation").filter(isSystem);
        if (site.system.placement === "cloud") {
          assert.strictEqual(activations.length, 0);
          assert.strictEqual(groups.length, 1);
          assert.deepStrictEqual([groups[0].inputs.scalingConfig, groups[0].inputs.taints, groups[0].inputs.labels, groups[0].inputs.instanceTypes], [
            { desiredSize: site.system.nodes, minSize: site.system.nodes, maxSize: site.system.nodes },
            [],
            { "aisc.hk/node-role": "system" },
            [site.system.instanceType],
          ]);
        } else {
          assert.strictEqual(groups.length, 0);
          assert.deepStrictEqual(activations.map((a) => a.inputs.registrationLimit), [site.system.nodes]);
        }
      });

      it("gives cloud system nodes the EBS CSI add-on through Pod Identity and an encrypted, retained gp3 class; none on premises", () => {
        const site = parseSite(realSite(stack));
        const addons = ofType(plans[stack], "aws:eks/addon:Addon");
        const classes = ofType(plans[stack], "kubernetes:storage.k8s.io/v1:StorageClass");
        if (site.system.placement !== "cloud") {
          // No node group at all here (every node is a hybrid node), so no VPC CNI add-on either.
          assert.deepStrictEqual([addons.length, classes.length], [0, 0]);
          return;
        }
        assert.deepStrictEqual(addons.map((a) => a.inputs.addonName).sort(), ["aws-ebs-csi-driver", "eks-pod-identity-agent", "vpc-cni"]);
        // Cloud nodes enforce NetworkPolicy: the VPC CNI's agent is turned on.
        const vpcCni = addons.find((a) => a.inputs.addonName === "vpc-cni")!;
        assert.deepStrictEqual([JSON.parse(vpcCni.inputs.configurationValues as string), vpcCni.inputs.resolveConflictsOnCreate], [{ enableNetworkPolicy: "true" }, "OVERWRITE"]);
        const ebs = addons.find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
        assert.deepStrictEqual(JSON.parse(ebs.inputs.configurationValues as string), { controller: { nodeSelector: { "aisc.hk/node-role": "system" } }, node: { nodeSelector: { "aisc.hk/node-role": "system" } } });
        const [association] = ebs.inputs.podIdentityAssociations as { roleArn: string; serviceAccount: string }[];
        assert.strictEqual(association.serviceAccount, "ebs-csi-controller-sa");
        const role = ofType(plans[stack], "aws:iam/role:Role").find((r) => String(r.inputs.description).startsWith("EBS CSI controller"))!;
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement, [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }]);
        const attached = ofType(plans[stack], "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.parent === role.parent && a.name.includes("ebs-csi"));
        assert.deepStrictEqual(attached.map((a) => a.inputs.policyArn), ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]);
        assert.deepStrictEqual(classes.map((c) => c.inputs), [
          {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: { name: "aisc-gp3", labels: { "app.kubernetes.io/part-of": "aisc" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true" },
            reclaimPolicy: "Retain",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
          },
        ]);
      });

      it("admits exactly the inventory's GPUs through activations and node groups", () => {
        assert.strictEqual(plannedGpus(plans[stack]), parseSite(realSite(stack)).capacity.gpus);
      });

      it("puts every AWS resource under the site's provider in ap-east-1", () => {
        const provider = one(plans[stack], "pulumi:providers:aws");
        assert.strictEqual(provider.inputs.region, "ap-east-1");
        for (const r of plans[stack].resources.filter((x) => x.type.startsWith("aws:"))) {
          assert.ok(r.provider?.startsWith(`${provider.urn}::`), `${r.urn} uses ${r.provider}`);
        }
      });

      it("never writes the kubeconfig or a node join secret in plain text", () => {
        assert.strictEqual(plans[stack].outputs.kubeconfig, "[secret]");
        assert.strictEqual(one(plans[stack], "pulumi:providers:kubernetes").inputs.kubeconfig, "[secret]");
        for (const p of ofType(plans[stack], "aws:ssm/parameter:Parameter")) {
          assert.deepStrictEqual([p.inputs.type, p.inputs.value], ["SecureString", "[secret]"]);
        }
      });
    });
  }

  it("makes the cyberport burst pool a managed node group with EFA and the GPU labels and taint", () => {
    const [group] = ofType(plans.cyberport, "aws:eks/nodeGroup:NodeGroup");
    const inputs = group.inputs as any;
    assert.deepStrictEqual([inputs.instanceTypes, inputs.amiType, inputs.capacityType], [["p5.48xlarge"], "AL2023_x86_64_NVIDIA", "ON_DEMAND"]);
    assert.deepStrictEqual(inputs.labels, { "aisc.hk/gpu-model": "H100", "aisc.hk/pool": "h100-burst", "nvidia.com/device-plugin.config": "h100-burst" });
    assert.deepStrictEqual(inputs.taints, [{ effect: "NO_SCHEDULE", key: "nvidia.com/gpu", value: "present" }]);
    const template = ofType(plans.cyberport, "aws:ec2/launchTemplate:LaunchTemplate")[0].inputs as any;
    assert.strictEqual(template.metadataOptions.httpTokens, "required");
  });

  it("gives the p5 burst pool an EFA interface on each of its 32 network cards and a cluster placement group of its own", () => {
    const plan = plans.cyberport;
    const template = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate")[0];
    const interfaces = (template.inputs as any).networkInterfaces as Record<string, unknown>[];
    assert.deepStrictEqual(interfaces.map((i) => [i.networkCardIndex, i.deviceIndex, i.interfaceType]), Array.from({ length: 32 }, (_, card) => [card, card === 0 ? 0 : 1, "efa"]));
    const sg = interfaces[0].securityGroups;
    assert.ok(interfaces.every((i) => JSON.stringify(i.securityGroups) === JSON.stringify(sg)), "every interface carries the cluster security group");
    const group = one(plan, "aws:ec2/placementGroup:PlacementGroup");
    assert.deepStrictEqual([group.inputs.name, group.inputs.strategy], ["aisc-cyberport-h100-burst", "cluster"]);
    assert.deepStrictEqual((template.inputs as any).placement, { groupName: "aisc-cyberport-h100-burst" });
    assert.deepStrictEqual(ofType(plans["sandy-ridge"], "aws:ec2/placementGroup:PlacementGroup"), [], "sandy-ridge has no cloud GPU pool");
  });

  it("creates no AWS resource for an existing cluster and keeps its kubeconfig secret", () => {
    const s = smallSite();
    s.cluster = { kind: "existing" };
    s.system = { storageClass: "local-nvme" };
    s.pools = s.pools.filter((p: any) => p.placement !== "cloud");
    s.slurm.partitions = [s.slurm.partitions[0]];
    const plan = planFile(writeStackFile("onprem", s, { "aisc:kubeconfig": { secure: "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA" } }), tempDir());
    assert.deepStrictEqual(plan.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws"), []);
    assert.strictEqual(one(plan, "pulumi:providers:kubernetes").inputs.kubeconfig, "[secret]");
  });

  it("keeps every resource name when pools and tenants are reordered", () => {
    const s = smallSite();
    const reordered = smallSite();
    reordered.pools.reverse();
    reordered.tenants.reverse();
    const a = planFile(writeStackFile("order", s), tempDir());
    const b = planFile(writeStackFile("order", reordered), tempDir());
    assert.deepStrictEqual(b.resources.map((r) => r.urn), a.resources.map((r) => r.urn));
  });
});
