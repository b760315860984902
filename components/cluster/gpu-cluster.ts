import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Site } from "../../inventory/types";
import { CloudGpuPools } from "./cloud-pools";
import { clusterName as clusterNameOf, CONTROL_PLANE_LOGS, eksKubeconfig, hybridActivations, LOG_RETENTION_DAYS, nodeGroups as nodeGroupSpecs, VPC_CNI_CONFIGURATION } from "./compute";
import { HybridNodes } from "./hybrid-nodes";
import { Network } from "./network";
import { Storage } from "./storage";

export const GPU_CLUSTER_TYPE = "aisc:cluster:GpuCluster";

export interface GpuClusterArgs {
  /** The validated site inventory. */
  readonly site: Site;
  /** The site's AWS provider; required when `site.cluster.kind` is `eks`. */
  readonly provider?: aws.Provider;
  /**
   * Kubeconfig of an existing cluster; required when `site.cluster.kind` is `existing`, and
   * given as a secret (`pulumi config set --secret aisc:kubeconfig`).
   */
  readonly kubeconfig?: pulumi.Input<string>;
}

/**
 * A site's GPU Kubernetes cluster and the one Kubernetes provider every workload is deployed
 * through. With `cluster.kind: eks` (the default) it is an EKS control plane in the site's
 * region: private endpoint unless the inventory opens it, Secrets envelope-encrypted with a
 * rotating KMS key, api/audit/authenticator logs kept a year, API-only authentication, and the
 * on-premises node and pod networks declared as remote networks so on-premises GPU servers
 * join as hybrid nodes; cloud burst pools become managed node groups. With `existing` it
 * creates no AWS resource and only wraps the given kubeconfig. The key, the log group and the
 * cluster are protected: deleting any of them loses data no `pulumi up` can bring back.
 *
 * @example
 *   const cluster = new GpuCluster("cyberport-cluster", { site, provider: awsProvider });
 *   new k8s.core.v1.Namespace("ns", {}, { provider: cluster.k8sProvider });
 */
export class GpuCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  /** The API endpoint; undefined for an existing cluster, whose endpoint is in its kubeconfig. */
  public readonly endpoint?: pulumi.Output<string>;
  /** Kubeconfig of the cluster, as a secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly k8sProvider: k8s.Provider;
  public readonly kmsKeyArn?: pulumi.Output<string>;

  constructor(name: string, args: GpuClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(GPU_CLUSTER_TYPE, name, {}, opts);
    const { site } = args;
    const render = site.cluster.renderYamlToDirectory ? { renderYamlToDirectory: site.cluster.renderYamlToDirectory } : {};

    if (site.cluster.kind === "existing") {
      if (args.kubeconfig === undefined) throw new pulumi.RunError("aisc:kubeconfig: expected the existing cluster's kubeconfig as a secret (pulumi config set --secret aisc:kubeconfig < kubeconfig)");
      this.clusterName = pulumi.output(site.name);
      this.kubeconfig = pulumi.secret(args.kubeconfig);
      this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, ...render }, { parent: this });
      this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
      return;
    }
    if (!args.provider) throw new Error("GpuCluster: an AWS provider is required for an EKS cluster");
    const provider = args.provider;
    const child = { parent: this, provider };
    const eksName = clusterNameOf(site);

    const key = new aws.kms.Key(`${name}-secrets-key`, {
      description: `Envelope encryption of Kubernetes Secrets in ${eksName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, { ...child, protect: true });
    new aws.kms.Alias(`${name}-secrets-key`, { name: `alias/${eksName}-secrets`, targetKeyId: key.keyId }, child);
    const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      name: `/aws/eks/${eksName}/cluster`,
      retentionInDays: LOG_RETENTION_DAYS,
    }, { ...child, protect: true, retainOnDelete: true });
    const role = new aws.iam.Role(`${name}-role`, {
      description: `EKS control plane of ${eksName}`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
      }),
    }, child);
    const policy = new aws.iam.RolePolicyAttachment(`${name}-role-policy`, {
      role: role.name,
      policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
    }, child);
    const network = new Network(`${name}-network`, { site, provider, clusterName: eksName }, { parent: this });
    // Hybrid nodes: any on-premises GPU pool, or on-premises system nodes.
    const onPrem = hybridActivations(site).length > 0;

    const cluster = new aws.eks.Cluster(`${name}-eks`, {
      name: eksName,
      version: site.cluster.kubernetesVersion,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: network.privateSubnetIds,
        securityGroupIds: [network.clusterSecurityGroupId],
        endpointPrivateAccess: true,
        endpointPublicAccess: site.cluster.endpointPublicAccess,
      },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOGS],
      kubernetesNetworkConfig: { serviceIpv4Cidr: site.networks.serviceCidr },
      ...(onPrem
        ? {
            remoteNetworkConfig: {
              remoteNodeNetworks: { cidrs: [...site.networks.onPremNodeCidrs] },
              remotePodNetworks: { cidrs: [...site.networks.onPremPodCidrs] },
            },
          }
        : {}),
      deletionProtection: true,
      upgradePolicy: { supportType: "STANDARD" },
      tags: { "aisc.hk/site": site.name },
    }, { ...child, protect: true, dependsOn: [logs, policy] });

    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.kmsKeyArn = key.arn;
    this.kubeconfig = pulumi.secret(
      pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority]).apply(([n, endpoint, ca]) => eksKubeconfig(n, endpoint, ca.data ?? "", site.region)),
    );
    this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, ...render }, { parent: this });

    if (onPrem) {
      new HybridNodes(`${name}-hybrid`, {
        site,
        provider,
        k8sProvider: this.k8sProvider,
        clusterName: cluster.name,
        clusterArn: cluster.arn,
        kmsKeyArn: key.arn,
      }, { parent: this });
    }
    // EKS installs the VPC CNI itself; the managed add-on takes it over to turn on NetworkPolicy.
    const vpcCni = nodeGroupSpecs(site).length > 0
      ? [new aws.eks.Addon(`${name}-vpc-cni`, {
          clusterName: cluster.name,
          addonName: "vpc-cni",
          resolveConflictsOnCreate: "OVERWRITE",
          configurationValues: VPC_CNI_CONFIGURATION,
        }, child)]
      : [];
    const nodeGroups = new CloudGpuPools(`${name}-cloud`, {
      site,
      provider,
      clusterName: cluster.name,
      clusterSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
      privateSubnetIds: network.privateSubnetIds,
    }, { parent: this, dependsOn: vpcCni });
    if (site.system.placement === "cloud") {
      new Storage(`${name}-storage`, { site, provider, k8sProvider: this.k8sProvider, clusterName: cluster.name, dependsOn: [nodeGroups] }, { parent: this });
    }
    this.registerOutputs({ clusterName: this.clusterName, endpoint: this.endpoint, kubeconfig: this.kubeconfig, kmsKeyArn: this.kmsKeyArn });
  }
}
