import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { CiliumBgpChart } from "../../charts/cilium-bgp";
import { PLATFORM_NAMESPACES } from "../../inventory/platform";
import { Site } from "../../inventory/types";
import { chartObjects, createChartObjects } from "../k8s/chart-resources";
import { CILIUM_CHART, ciliumValues, HYBRID_NODE_LABEL } from "./cilium";
import { AwsIdentity } from "./control-plane";
import { HybridActivationSpec, hybridActivations, nodeadmConfig } from "./hybrid-spec";

export const HYBRID_NODES_TYPE = "aisc:cluster:HybridNodes";

export interface HybridNodesArgs {
  readonly site: Site;
  readonly provider: aws.Provider;
  /** The Kubernetes provider of the site's cluster, for the hybrid CNI; absent in the cluster stage. */
  readonly k8sProvider?: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  /** The account and partition, for the role's trust conditions and permissions. */
  readonly identity: pulumi.Input<AwsIdentity>;
  /** The date (YYYY-MM-DD) the plan is made for: it picks the activations' rotation period. */
  readonly asOf: string;
}

/** The tag every activation carries, and that `nodeadm uninstall` may deregister by (EKS user guide, hybrid nodes credentials). */
export const CLUSTER_ARN_TAG = "EKSClusterARN";

/**
 * The hybrid nodes' role may be assumed by SSM for this account only (the confused-deputy
 * conditions the EKS user guide gives for the Hybrid Nodes IAM role).
 */
export function hybridTrustPolicy(id: AwsIdentity, region: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "ssm.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": id.accountId },
          ArnEquals: { "aws:SourceArn": `arn:${id.partition}:ssm:${region}:${id.accountId}:*` },
        },
      },
    ],
  });
}

/**
 * What a hybrid node does with its role beyond SSM's and ECR's managed policies: read its
 * cluster (nodeadm init), deregister itself from SSM, only if it joined this cluster's
 * activations (nodeadm uninstall), and get Pod Identity credentials for its pods.
 */
export function hybridNodePolicy(id: AwsIdentity, region: string, clusterArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "eks:DescribeCluster", Resource: clusterArn },
      { Effect: "Allow", Action: "ssm:DescribeInstanceInformation", Resource: "*" },
      {
        Effect: "Allow",
        Action: "ssm:DeregisterManagedInstance",
        Resource: `arn:${id.partition}:ssm:${region}:${id.accountId}:managed-instance/*`,
        Condition: { StringEquals: { [`ssm:resourceTag/${CLUSTER_ARN_TAG}`]: clusterArn } },
      },
      { Effect: "Allow", Action: "eks-auth:AssumeRoleForPodIdentity", Resource: "*" },
    ],
  });
}

/** What a {@link HybridNodes} records as its inputs (see {@link hybridNodesInputs}). */
export interface HybridNodesInputs {
  /** The servers each pool's activation admits, by pool (the system nodes' `system` among them when on premises). */
  readonly nodes: Readonly<Record<string, number>>;
  /** Days each activation is issued for. */
  readonly activationRotationDays: number;
  /** Cilium's pinned version. */
  readonly ciliumVersion: string;
  /** How the site's routers reach pods on hybrid nodes; absent when the inventory says nothing. */
  readonly podRouting?: "bgp" | "static";
}

/**
 * The on-premises servers that may join and how their pods are networked. Each activation's
 * expiry and rotation period follow the plan's date, so they are left out: inputs that
 * changed every day would put this component in every preview. A new activation code shows
 * as the activations' own replacement.
 */
export function hybridNodesInputs(site: Site, specs: readonly HybridActivationSpec[]): HybridNodesInputs {
  const nodes: Record<string, number> = {};
  for (const spec of [...specs].sort((a, b) => (a.pool < b.pool ? -1 : 1))) nodes[spec.pool] = spec.nodes;
  return {
    nodes,
    activationRotationDays: site.cluster.activationRotationDays,
    ciliumVersion: CILIUM_CHART.version,
    ...(site.networks.podRouting ? { podRouting: site.networks.podRouting.mode } : {}),
  };
}

/**
 * Joins the site's on-premises GPU servers as EKS Hybrid Nodes: one IAM role they assume
 * through SSM, an access entry of type HYBRID_LINUX for it, and per pool an SSM activation
 * issued for the rotation period of the plan's date (replaced, with a new code, by the first
 * `pulumi up` of each period; see ./hybrid-spec) whose registration limit is the pool's nodes
 * with headroom for re-imaged servers. Each pool's nodeadm configuration (holding the current
 * code) is kept, protected, as an encrypted SecureString at a stable name for provisioning to
 * fetch, never written out in plain text.
 * Cilium, pinned, is the CNI on hybrid nodes, with IPAM over the on-premises pod ranges and,
 * when the site routes pods by BGP, its BGP control plane advertising each node's pod block.
 */
export class HybridNodes extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  /** Activation IDs by pool name. */
  public readonly activationIds: Record<string, pulumi.Output<string>>;
  /** Parameter Store names of each pool's nodeadm config, by pool name. */
  public readonly nodeConfigParameters: Record<string, pulumi.Output<string>>;
  /** The hybrid nodes' CNI (Cilium), which pods on them need first; absent in the cluster stage. */
  public readonly cni?: pulumi.Resource;

  constructor(name: string, args: HybridNodesArgs, opts?: pulumi.ComponentResourceOptions) {
    const activations = hybridActivations(args.site, args.asOf);
    super(HYBRID_NODES_TYPE, name, hybridNodesInputs(args.site, activations), opts);
    const { site, provider } = args;
    const child = { parent: this, provider };

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `EKS Hybrid Nodes of ${site.name}, assumed through SSM`,
        assumeRolePolicy: pulumi.output(args.identity).apply((id) => hybridTrustPolicy(id, site.region)),
      },
      child,
    );
    const attachments = ["AmazonSSMManagedInstanceCore", "AmazonEC2ContainerRegistryPullOnly"].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-${policy}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }, child),
    );
    // Named as before this policy grew past DescribeCluster, so that it is updated, not replaced.
    const describe = new aws.iam.RolePolicy(
      `${name}-describe-cluster`,
      {
        role: role.name,
        policy: pulumi.all([args.identity, args.clusterArn]).apply(([id, arn]) => hybridNodePolicy(id, site.region, arn)),
      },
      child,
    );
    // Each pool's join configuration is encrypted with a key of its own, apart from the cluster's
    // Secrets key: a grant on one never reaches the other.
    const parametersKey = new aws.kms.Key(
      `${name}-parameters-key`,
      {
        description: `Encryption of ${site.name}'s hybrid-node join configurations in Parameter Store`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { ...child, protect: true },
    );
    new aws.eks.AccessEntry(`${name}-access`, { clusterName: args.clusterName, principalArn: role.arn, type: "HYBRID_LINUX" }, child);

    this.activationIds = {};
    this.nodeConfigParameters = {};
    for (const spec of activations) {
      const activation = new aws.ssm.Activation(
        `${name}-${spec.pool}`,
        {
          name: pulumi.interpolate`${args.clusterName}-${spec.pool}`,
          description: spec.description,
          iamRole: role.name,
          registrationLimit: spec.registrationLimit,
          expirationDate: spec.expirationDate,
          tags: { ...spec.tags, [CLUSTER_ARN_TAG]: args.clusterArn },
        },
        { ...child, dependsOn: [...attachments, describe], additionalSecretOutputs: ["activationCode"] },
      );
      const parameter = new aws.ssm.Parameter(
        `${name}-${spec.pool}-nodeconfig`,
        {
          name: pulumi.interpolate`/aisc/${site.name}/hybrid-nodes/${spec.pool}/nodeconfig`,
          description: `nodeadm NodeConfig for ${site.name} pool ${spec.pool}`,
          type: "SecureString",
          keyId: parametersKey.arn,
          value: pulumi.secret(
            pulumi
              .all([args.clusterName, activation.id, activation.activationCode])
              .apply(([cluster, id, code]) => nodeadmConfig(cluster, site.region, id, code, spec)),
          ),
          tags: spec.tags,
        },
        { ...child, protect: true },
      );
      this.activationIds[spec.pool] = activation.id;
      this.nodeConfigParameters[spec.pool] = parameter.name;
    }

    if (args.k8sProvider) {
      const cilium = new k8s.helm.v4.Chart(
        `${name}-cilium`,
        {
          chart: CILIUM_CHART.chart,
          version: CILIUM_CHART.version,
          repositoryOpts: { repo: CILIUM_CHART.repo },
          namespace: PLATFORM_NAMESPACES.cilium,
          values: ciliumValues(site),
        },
        { parent: this, provider: args.k8sProvider },
      );
      this.cni = cilium;
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
    }

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn, activationIds: this.activationIds, nodeConfigParameters: this.nodeConfigParameters });
  }
}
