import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { CiliumBgpChart } from "../../charts/cilium-bgp";
import { PLATFORM_NAMESPACES } from "../../inventory/platform";
import { Site } from "../../inventory/types";
import { chartObjects, createChartObjects } from "../k8s/chart-resources";
import { CILIUM_CHART, ciliumValues, HYBRID_NODE_LABEL, hybridActivations, nodeadmConfig } from "./compute";

export const HYBRID_NODES_TYPE = "aisc:cluster:HybridNodes";

export interface HybridNodesArgs {
  readonly site: Site;
  readonly provider: aws.Provider;
  /** The Kubernetes provider of the site's cluster, for the hybrid CNI. */
  readonly k8sProvider: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  /** KMS key that encrypts each pool's join configuration at rest in Parameter Store. */
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * Joins the site's on-premises GPU servers as EKS Hybrid Nodes: one IAM role they assume
 * through SSM, an access entry of type HYBRID_LINUX for it, and per pool an SSM activation
 * whose registration limit is the pool's node count, so no more servers can join a pool than
 * the inventory declares. Each pool's nodeadm configuration (holding the activation code) is
 * kept as an encrypted SecureString for provisioning to fetch, never written out in plain text.
 * Cilium, pinned, is the CNI on hybrid nodes, with IPAM over the on-premises pod ranges and,
 * when the site routes pods by BGP, its BGP control plane advertising each node's pod block.
 */
export class HybridNodes extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  /** Activation IDs by pool name. */
  public readonly activationIds: Record<string, pulumi.Output<string>>;
  /** Parameter Store names of each pool's nodeadm config, by pool name. */
  public readonly nodeConfigParameters: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: HybridNodesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(HYBRID_NODES_TYPE, name, {}, opts);
    const { site, provider } = args;
    const child = { parent: this, provider };

    const role = new aws.iam.Role(`${name}-role`, {
      description: `EKS Hybrid Nodes of ${site.name}, assumed through SSM`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }, child);
    const attachments = ["AmazonSSMManagedInstanceCore", "AmazonEC2ContainerRegistryPullOnly"].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-${policy}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }, child),
    );
    const describe = new aws.iam.RolePolicy(`${name}-describe-cluster`, {
      role: role.name,
      policy: pulumi.output(args.clusterArn).apply((arn) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "eks:DescribeCluster", Resource: arn }] }),
      ),
    }, child);
    new aws.eks.AccessEntry(`${name}-access`, { clusterName: args.clusterName, principalArn: role.arn, type: "HYBRID_LINUX" }, child);

    this.activationIds = {};
    this.nodeConfigParameters = {};
    for (const spec of hybridActivations(site)) {
      const activation = new aws.ssm.Activation(`${name}-${spec.pool}`, {
        name: pulumi.interpolate`${args.clusterName}-${spec.pool}`,
        description: spec.description,
        iamRole: role.name,
        registrationLimit: spec.registrationLimit,
        tags: spec.tags,
      }, { ...child, dependsOn: [...attachments, describe], additionalSecretOutputs: ["activationCode"] });
      const parameter = new aws.ssm.Parameter(`${name}-${spec.pool}-nodeconfig`, {
        name: pulumi.interpolate`/aisc/${site.name}/hybrid-nodes/${spec.pool}/nodeconfig`,
        description: `nodeadm NodeConfig for ${site.name} pool ${spec.pool}`,
        type: "SecureString",
        keyId: args.kmsKeyArn,
        value: pulumi.secret(
          pulumi
            .all([args.clusterName, activation.id, activation.activationCode])
            .apply(([cluster, id, code]) => nodeadmConfig(cluster, site.region, id, code, spec)),
        ),
        tags: spec.tags,
      }, child);
      this.activationIds[spec.pool] = activation.id;
      this.nodeConfigParameters[spec.pool] = parameter.name;
    }

    const cilium = new k8s.helm.v4.Chart(`${name}-cilium`, {
      chart: CILIUM_CHART.chart,
      version: CILIUM_CHART.version,
      repositoryOpts: { repo: CILIUM_CHART.repo },
      namespace: PLATFORM_NAMESPACES.cilium,
      values: ciliumValues(site),
    }, { parent: this, provider: args.k8sProvider });
    const routing = site.networks.podRouting;
    if (routing?.mode === "bgp") {
      // The Cilium operator registers the BGP CRDs when it starts, so these wait for the chart.
      const app = new App();
      createChartObjects(this, `${name}-bgp`, {
        objects: chartObjects(new CiliumBgpChart(app, "bgp", routing, HYBRID_NODE_LABEL)),
        provider: args.k8sProvider,
        dependsOn: [cilium],
      });
    }

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn, activationIds: this.activationIds, nodeConfigParameters: this.nodeConfigParameters });
  }
}
