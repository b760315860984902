import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Plan, PlannedResource } from "../../../cli/record";
import { activationWindow, registrationLimit } from "../../../components/cluster/hybrid-spec";
import { findInstanceType } from "../../../inventory/instances";
import { EksAddon, EKS_ADDON_VERSIONS } from "../../../inventory/eks-versions";
import { parseSite } from "../../../inventory/parse";
import { realSite, smallSite, tempDir, TEST_AS_OF, writeStackFile } from "../../helpers/fixtures";
import { ofType, one, planFile, realPlan } from "../../helpers/plan";

/** The GPUs the plan's hybrid activations and node groups admit, from their own inputs (system nodes have none). */
function plannedGpus(plan: Plan): number {
  const hybrid = ofType(plan, "aws:ssm/activation:Activation")
    .filter((a) => !isSystem(a))
    .reduce((sum, a) => {
      const tags = a.inputs.tags as Record<string, string>;
      return sum + Number(tags["aisc.hk/nodes"]) * Number(tags["aisc.hk/gpus-per-node"]);
    }, 0);
  const cloud = ofType(plan, "aws:eks/nodeGroup:NodeGroup")
    .filter((g) => !isSystem(g))
    .reduce((sum, g) => {
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
        const key = ofType(plans[stack], "aws:kms/key:Key").find((k) => String(k.inputs.description).startsWith("Envelope encryption of Kubernetes Secrets"))!;
        const inputs = cluster.inputs as any;
        assert.strictEqual(inputs.name, `aisc-${stack}`);
        assert.strictEqual(inputs.version, "1.36");
        assert.strictEqual(inputs.vpcConfig.endpointPublicAccess, false);
        assert.strictEqual(inputs.vpcConfig.endpointPrivateAccess, true);
        assert.deepStrictEqual(inputs.encryptionConfig.resources, ["secrets"]);
        assert.ok(cluster.options.dependencies.includes(key.urn), "the cluster's encryption key is the site's KMS key");
        assert.deepStrictEqual(inputs.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        assert.strictEqual(inputs.accessConfig.authenticationMode, "API");
        assert.deepStrictEqual(inputs.remoteNetworkConfig, {
          remoteNodeNetworks: { cidrs: site.networks.onPremNodeCidrs },
          remotePodNetworks: { cidrs: site.networks.onPremPodCidrs },
        });
        assert.strictEqual(inputs.vpcConfig.subnetIds.length, 2);
        assert.strictEqual(cluster.options.protect, true);
      });

      it("gives the site directory as the OIDC provider, the inventory's roles their access policies and the creator nothing", () => {
        const site = parseSite(realSite(stack));
        const cluster = one(plans[stack], "aws:eks/cluster:Cluster");
        assert.deepStrictEqual((cluster.inputs as any).accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        assert.deepStrictEqual((cluster.inputs as any).upgradePolicy, { supportType: "STANDARD" });
        assert.deepStrictEqual(one(plans[stack], "aws:eks/identityProviderConfig:IdentityProviderConfig").inputs.oidc, {
          identityProviderConfigName: "site-directory",
          issuerUrl: site.cluster.identity!.issuerUrl,
          clientId: "kubernetes",
          usernameClaim: "email",
          groupsClaim: "groups",
          usernamePrefix: "oidc:",
          groupsPrefix: "oidc:",
        });
        const entries = ofType(plans[stack], "aws:eks/accessEntry:AccessEntry").filter((e) => e.inputs.type === "STANDARD");
        assert.deepStrictEqual(entries.map((e) => e.inputs.principalArn).sort(), site.cluster.access.map((a) => a.principalArn).sort());
        const policies = ofType(plans[stack], "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.deepStrictEqual(
          policies.map((p) => [p.inputs.principalArn, String(p.inputs.policyArn).split("/").pop(), (p.inputs.accessScope as any).type]).sort(),
          [
            [`arn:aws:iam::111122223333:role/aisc-${stack}-deploy`, "AmazonEKSClusterAdminPolicy", "cluster"],
            [`arn:aws:iam::111122223333:role/aisc-${stack}-platform-admins`, "AmazonEKSClusterAdminPolicy", "cluster"],
            [`arn:aws:iam::111122223333:role/aisc-${stack}-preview`, "AmazonEKSViewPolicy", "cluster"],
          ],
        );
      });

      it("admits the on-premises ranges into the cluster security group and the operators' networks to the API", () => {
        const site = parseSite(realSite(stack));
        const rules = ofType(plans[stack], "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepStrictEqual(
          rules.map((r) => [r.inputs.cidrIpv4, r.inputs.ipProtocol]).sort(),
          [...site.networks.onPremNodeCidrs, ...site.networks.onPremPodCidrs].map((c) => [c, "-1"]).sort(),
        );
        const api = ofType(plans[stack], "aws:ec2/securityGroup:SecurityGroup").flatMap((g) => g.inputs.ingress as any[]);
        assert.deepStrictEqual(api.find((i) => i.description.startsWith("Operators"))?.cidrBlocks, site.cluster.apiAccessCidrs);
      });

      it("versions the EKS add-ons for the cluster's Kubernetes version, CoreDNS after the nodes and the hybrid CNI", () => {
        const site = parseSite(realSite(stack));
        const addons = Object.fromEntries(ofType(plans[stack], "aws:eks/addon:Addon").map((a) => [a.inputs.addonName, a]));
        const expected = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", ...(site.system.placement === "cloud" ? ["aws-ebs-csi-driver"] : [])];
        assert.deepStrictEqual(Object.keys(addons).sort(), expected.sort());
        for (const name of expected) {
          assert.strictEqual(addons[name].inputs.addonVersion, EKS_ADDON_VERSIONS["1.36"][name as EksAddon], name);
        }
        assert.deepStrictEqual(JSON.parse(addons["eks-pod-identity-agent"].inputs.configurationValues as string), { daemonsets: { hybrid: { create: true } } });
        assert.deepStrictEqual(JSON.parse(addons.coredns.inputs.configurationValues as string).nodeSelector, { "aisc.hk/node-role": "system" });
        const cilium = ofType(plans[stack], "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "cilium")!;
        assert.ok(addons.coredns.options.dependencies.includes(cilium.urn), "CoreDNS waits for Cilium: pods on hybrid nodes have no network before it");
      });

      it("keeps Secrets, logs and join configurations under three protected keys, the logs' usable by CloudWatch Logs for this log group only", () => {
        const keys = ofType(plans[stack], "aws:kms/key:Key");
        assert.deepStrictEqual(
          keys.map((k) => [String(k.inputs.description).split(" ").slice(0, 2).join(" "), k.options.protect, k.inputs.enableKeyRotation]).sort(),
          [
            ["Encryption of", true, true],
            ["Encryption of", true, true],
            ["Envelope encryption", true, true],
          ],
        );
        const logKey = keys.find((k) => String(k.inputs.description).includes("control-plane logs"))!;
        const logs = one(plans[stack], "aws:cloudwatch/logGroup:LogGroup");
        assert.ok(logs.options.dependencies.includes(logKey.urn), "the log group is encrypted with the logs' key");
        const statement = JSON.parse(logKey.inputs.policy as string).Statement[1];
        assert.deepStrictEqual(
          [statement.Principal, statement.Condition],
          [
            { Service: "logs.ap-east-1.amazonaws.com" },
            { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:ap-east-1:000000000000:log-group:/aws/eks/aisc-${stack}/cluster` } },
          ],
        );
        const parameterKey = keys.find((k) => String(k.inputs.description).includes("join configurations"))!;
        for (const p of ofType(plans[stack], "aws:ssm/parameter:Parameter")) {
          assert.ok(p.options.dependencies.includes(parameterKey.urn) && p.options.protect, `${p.name} is encrypted with the parameters' key and protected`);
        }
      });

      it("lets only SSM in this account assume the hybrid nodes' role, and the nodes deregister only this cluster's instances", () => {
        const role = ofType(plans[stack], "aws:iam/role:Role").find((r) => String(r.inputs.description).startsWith("EKS Hybrid Nodes"))!;
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Condition, {
          StringEquals: { "aws:SourceAccount": "000000000000" },
          ArnEquals: { "aws:SourceArn": "arn:aws:ssm:ap-east-1:000000000000:*" },
        });
        const policy = ofType(plans[stack], "aws:iam/rolePolicy:RolePolicy").find((p) => p.parent === role.parent)!;
        const deregister = JSON.parse(policy.inputs.policy as string).Statement.find((x: any) => x.Action === "ssm:DeregisterManagedInstance");
        const cluster = one(plans[stack], "aws:eks/cluster:Cluster");
        const arn = `arn:aws:eks:ap-east-1:000000000000:${cluster.name}`;
        assert.deepStrictEqual(deregister.Condition, { StringEquals: { "ssm:resourceTag/EKSClusterARN": arn } });
        for (const a of ofType(plans[stack], "aws:ssm/activation:Activation")) assert.strictEqual((a.inputs.tags as any).EKSClusterARN, arn);
      });

      it("protects the VPC and the gateway the site's link is attached to", () => {
        assert.strictEqual(one(plans[stack], "aws:ec2/vpc:Vpc").options.protect, true);
        assert.strictEqual(one(plans[stack], "aws:ec2/vpnGateway:VpnGateway").options.protect, true);
      });

      it("protects the rotating KMS key and retains the control-plane logs", () => {
        const key = ofType(plans[stack], "aws:kms/key:Key").find((k) => String(k.inputs.description).startsWith("Envelope encryption of Kubernetes Secrets"))!;
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        assert.strictEqual(key.options.protect, true);
        const logs = one(plans[stack], "aws:cloudwatch/logGroup:LogGroup");
        assert.deepStrictEqual([logs.options.protect, logs.options.retainOnDelete, logs.inputs.retentionInDays], [true, true, 365]);
      });

      it("gives each on-prem pool one SSM activation for its nodes with headroom, expiring, and hybrid nodes one HYBRID_LINUX access entry", () => {
        const site = parseSite(realSite(stack));
        const onPrem = site.pools.filter((p) => p.placement === "on-prem");
        const activations = ofType(plans[stack], "aws:ssm/activation:Activation").filter((a) => !isSystem(a));
        assert.deepStrictEqual(
          activations
            .map((a) => [(a.inputs.tags as any)["aisc.hk/pool"], (a.inputs.tags as any)["aisc.hk/nodes"], a.inputs.registrationLimit, a.inputs.expirationDate])
            .sort(),
          onPrem.map((p) => [p.name, String(p.nodes), registrationLimit(p.nodes), activationWindow(TEST_AS_OF, 14).expirationDate]).sort(),
        );
        assert.deepStrictEqual(ofType(plans[stack], "aws:eks/accessEntry:AccessEntry").filter((e) => e.inputs.type === "HYBRID_LINUX").length, 1);
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
          assert.deepStrictEqual(
            [groups[0].inputs.scalingConfig, groups[0].inputs.taints, groups[0].inputs.labels, groups[0].inputs.instanceTypes],
            [
              { desiredSize: site.system.nodes, minSize: site.system.nodes, maxSize: site.system.nodes },
              [],
              { "aisc.hk/node-role": "system" },
              [site.system.instanceType],
            ],
          );
        } else {
          assert.strictEqual(groups.length, 0);
          assert.deepStrictEqual(
            activations.map((a) => a.inputs.registrationLimit),
            [registrationLimit(site.system.nodes!)],
          );
        }
      });

      it("gives cloud system nodes the EBS CSI add-on through Pod Identity and an encrypted, retained gp3 class; none on premises", () => {
        const site = parseSite(realSite(stack));
        const addons = ofType(plans[stack], "aws:eks/addon:Addon");
        const classes = ofType(plans[stack], "kubernetes:storage.k8s.io/v1:StorageClass");
        if (site.system.placement !== "cloud") {
          // Hybrid nodes cannot attach EBS: no driver, no class; the site names its own.
          assert.deepStrictEqual([addons.filter((a) => a.inputs.addonName === "aws-ebs-csi-driver").length, classes.length], [0, 0]);
          return;
        }
        // Cloud nodes enforce NetworkPolicy: the VPC CNI's agent is turned on.
        const vpcCni = addons.find((a) => a.inputs.addonName === "vpc-cni")!;
        assert.deepStrictEqual(
          [JSON.parse(vpcCni.inputs.configurationValues as string), vpcCni.inputs.resolveConflictsOnCreate],
          [{ enableNetworkPolicy: "true" }, "OVERWRITE"],
        );
        const agent = addons.find((a) => a.inputs.addonName === "eks-pod-identity-agent")!;
        const ebs = addons.find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
        assert.ok(ebs.options.dependencies.includes(agent.urn), "the EBS CSI controller's role comes through the Pod Identity agent");
        assert.deepStrictEqual(JSON.parse(ebs.inputs.configurationValues as string), {
          controller: { nodeSelector: { "aisc.hk/node-role": "system" } },
          node: { nodeSelector: { "aisc.hk/node-role": "system" } },
        });
        const [association] = ebs.inputs.podIdentityAssociations as { roleArn: string; serviceAccount: string }[];
        assert.strictEqual(association.serviceAccount, "ebs-csi-controller-sa");
        const role = ofType(plans[stack], "aws:iam/role:Role").find((r) => String(r.inputs.description).startsWith("EBS CSI controller"))!;
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement, [
          { Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
        ]);
        const attached = ofType(plans[stack], "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
          (a) => a.parent === role.parent && a.name.includes("ebs-csi"),
        );
        assert.deepStrictEqual(
          attached.map((a) => a.inputs.policyArn),
          ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
        );
        assert.deepStrictEqual(
          classes.map((c) => c.inputs),
          [
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
          ],
        );
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

  it("plans no EFA device plugin for sites without EFA pools", () => {
    for (const stack of ["cyberport", "sandy-ridge"]) {
      assert.deepStrictEqual(
        ofType(plans[stack], "kubernetes:apps/v1:DaemonSet").filter((d) => (d.inputs.metadata as any).name === "aws-efa-k8s-device-plugin"),
        [],
      );
      assert.deepStrictEqual(ofType(plans[stack], "aws:ec2/placementGroup:PlacementGroup"), []);
    }
  });

  it("plans both stages whatever stage the stack is at: the whole site, and the cluster stage with nothing through the Kubernetes API", () => {
    const out = tempDir();
    const full = planFile(writeStackFile("staged", smallSite(), { "aisc:stage": "cluster" }), out);
    const cluster = JSON.parse(fs.readFileSync(path.join(out, "staged", "stages", "cluster", "plan.json"), "utf8")) as Plan;
    assert.ok(
      full.resources.some((r) => r.type === "kubernetes:core/v1:Namespace"),
      "the platform stage has the namespaces",
    );
    assert.deepStrictEqual(
      cluster.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes").map((r) => r.urn),
      [],
    );
    const urns = new Set(full.resources.map((r) => r.urn));
    assert.deepStrictEqual(
      cluster.resources.filter((r) => !urns.has(r.urn)).map((r) => r.urn),
      [],
      "the platform stage is a superset: moving forward only adds",
    );
    assert.deepStrictEqual(cluster.outputs.deployedStage, "cluster");
  });

  it("creates no AWS resource for an existing cluster and keeps its kubeconfig secret", () => {
    const s = smallSite();
    s.cluster = { kind: "existing" };
    s.system = { storageClass: "local-nvme" };
    s.pools = s.pools.filter((p: any) => p.placement !== "cloud");
    s.slurm.partitions = [s.slurm.partitions[0]];
    const plan = planFile(writeStackFile("onprem", s, { "aisc:kubeconfig": { secure: "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA" } }), tempDir());
    assert.deepStrictEqual(
      plan.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws"),
      [],
    );
    assert.strictEqual(one(plan, "pulumi:providers:kubernetes").inputs.kubeconfig, "[secret]");
  });

  it("keeps every resource name when pools and tenants are reordered", () => {
    const s = smallSite();
    const reordered = smallSite();
    reordered.pools.reverse();
    reordered.tenants.reverse();
    const a = planFile(writeStackFile("order", s), tempDir());
    const b = planFile(writeStackFile("order", reordered), tempDir());
    assert.deepStrictEqual(
      b.resources.map((r) => r.urn),
      a.resources.map((r) => r.urn),
    );
  });
});
