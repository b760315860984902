import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EksAddon, EKS_ADDON_VERSIONS } from "../../inventory/eks-versions";
import { SYSTEM_NODE_SELECTOR } from "../../inventory/platform";
import { Site } from "../../inventory/types";
import { hasHybridNodes } from "./hybrid-spec";

/**
 * The EKS managed add-ons of a site, each pinned to the build inventory/eks-versions gives for
 * the cluster's Kubernetes version. EKS bootstraps vpc-cni, kube-proxy and CoreDNS itself as
 * unmanaged deployments that nobody upgrades; as managed add-ons they are versioned here, and
 * `OVERWRITE` lets the add-on take over the bootstrapped objects.
 */

/** CoreDNS's Kubernetes label, which its anti-affinity selects on. */
const KUBE_DNS = { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] };

/**
 * CoreDNS with the anti-affinity AWS gives for hybrid nodes (EKS user guide, "Configure add-ons
 * for hybrid nodes"): replicas spread over hosts (weight 100) and zones (weight 50). AWS also
 * suggests a replica on each side of the link in a cluster with both cloud and hybrid nodes;
 * here CoreDNS runs on the system nodes only (wherever the inventory puts them), since every
 * hybrid node of a site with cloud system nodes is a GPU server, which takes only GPU work.
 */
export function coreDnsConfiguration(): Record<string, unknown> {
  return {
    replicaCount: 2,
    nodeSelector: { ...SYSTEM_NODE_SELECTOR },
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: KUBE_DNS, topologyKey: "kubernetes.io/hostname" } },
          { weight: 50, podAffinityTerm: { labelSelector: KUBE_DNS, topologyKey: "topology.kubernetes.io/zone" } },
        ],
      },
    },
  };
}

/**
 * The Pod Identity agent: on hybrid nodes it runs as a second DaemonSet (add-on v1.3.3 and
 * later), which reads the credentials file nodeadm writes when the NodeConfig asks for it
 * (`hybrid.enableCredentialsFile`, ./hybrid-spec), so tenant pods on GPU servers can assume
 * IAM roles through Pod Identity as pods on cloud nodes do.
 */
export function podIdentityConfiguration(site: Site): Record<string, unknown> | undefined {
  return hasHybridNodes(site) ? { daemonsets: { hybrid: { create: true } } } : undefined;
}

export interface AddonSpec {
  readonly addon: EksAddon;
  readonly version: string;
  readonly configuration?: Record<string, unknown>;
  /**
   * `cluster`: created with the cluster, before any node (node agents and the CNI that cloud
   * nodes need to become Ready). `nodes`: its pods need a Ready node of the platform to run on,
   * so it comes with the platform stage, after the hybrid CNI (see ./stages).
   */
  readonly stage: "cluster" | "nodes";
}

/**
 * The add-ons every EKS site gets, in creation order: the VPC CNI (with its NetworkPolicy agent:
 * cloud nodes enforce tenants' policies as Cilium does on hybrid nodes; it keeps off hybrid
 * nodes by its own anti-affinity), kube-proxy, the Pod Identity agent and CoreDNS; and the EBS
 * CSI driver where the platform's volumes are on EBS (system nodes in the cloud; hybrid nodes
 * cannot attach EBS). The EBS CSI add-on is built by ./storage, which gives it its role.
 */
export function addonSpecs(site: Site): AddonSpec[] {
  const versions = EKS_ADDON_VERSIONS[site.cluster.kubernetesVersion];
  const podIdentity = podIdentityConfiguration(site);
  return [
    { addon: "vpc-cni", version: versions["vpc-cni"], configuration: { enableNetworkPolicy: "true" }, stage: "cluster" },
    { addon: "kube-proxy", version: versions["kube-proxy"], stage: "cluster" },
    { addon: "eks-pod-identity-agent", version: versions["eks-pod-identity-agent"], ...(podIdentity ? { configuration: podIdentity } : {}), stage: "cluster" },
    { addon: "coredns", version: versions.coredns, configuration: coreDnsConfiguration(), stage: "nodes" },
  ];
}

/** The EBS CSI driver's build for the site's version. */
export function ebsCsiVersion(site: Site): string {
  return EKS_ADDON_VERSIONS[site.cluster.kubernetesVersion]["aws-ebs-csi-driver"];
}

/** An EKS add-on from its spec; `dependsOn` what its pods need first. */
export function createAddon(name: string, clusterName: pulumi.Input<string>, spec: AddonSpec, opts: pulumi.CustomResourceOptions): aws.eks.Addon {
  return new aws.eks.Addon(
    name,
    {
      clusterName,
      addonName: spec.addon,
      addonVersion: spec.version,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      ...(spec.configuration ? { configurationValues: JSON.stringify(spec.configuration) } : {}),
    },
    opts,
  );
}
