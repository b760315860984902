import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EBS_STORAGE_CLASS, SYSTEM_NODE_SELECTOR } from "../../inventory/platform";
import { Site } from "../../inventory/types";
import { ebsCsiVersion } from "./addons";

export const STORAGE_TYPE = "aisc:cluster:Storage";

/** The EBS CSI driver's controller service account, which the add-on's Pod Identity association names. */
const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";

/**
 * The EBS CSI add-on's configuration: its controller and its node plugin on the system nodes,
 * the only nodes that hold platform volumes (hybrid nodes cannot attach EBS, and GPU nodes
 * keep no platform state). Keys of the add-on's configuration schema (`controller`, `node`).
 */
export function ebsCsiConfiguration(): string {
  return JSON.stringify({ controller: { nodeSelector: SYSTEM_NODE_SELECTOR }, node: { nodeSelector: SYSTEM_NODE_SELECTOR } });
}

/** The StorageClass of the platform's volumes on EBS: gp3, encrypted, expandable, kept when its claim goes. */
export function ebsStorageClass(): k8s.types.input.storage.v1.StorageClass {
  return {
    metadata: { name: EBS_STORAGE_CLASS, labels: { "app.kubernetes.io/part-of": "aisc" } },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true" },
    reclaimPolicy: "Retain",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  };
}

export interface StorageArgs {
  readonly site: Site;
  readonly provider: aws.Provider;
  readonly k8sProvider: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  /** What the add-on waits for: the system nodes its pods run on and the Pod Identity agent its controller's role comes through. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** What a {@link Storage} records as its inputs: the driver's pinned build and the class it makes. */
export interface StorageInputs {
  readonly ebsCsiVersion: string;
  readonly storageClass: string;
}

/**
 * The EBS CSI driver's build follows the cluster's Kubernetes version, so an upgrade shows here
 * as well as on the add-on; the class's name is what every platform volume claims.
 */
export function storageInputs(site: Site): StorageInputs {
  return { ebsCsiVersion: ebsCsiVersion(site), storageClass: EBS_STORAGE_CLASS };
}

/**
 * Block storage for the platform's volumes when the system nodes are in the cloud: the EBS CSI
 * driver as an EKS add-on, at the build pinned for the cluster's version (./addons), whose
 * controller gets a role of its own through EKS Pod Identity (the agent is the cluster's)
 * (AWS's managed AmazonEBSCSIDriverPolicy, nothing else; no node role widened), and an
 * encrypted gp3 StorageClass with the Retain policy. Sites whose system nodes are on premises
 * name their own class in the inventory and get none of this.
 *
 * @example
 *   new Storage("cyberport-storage", { site, provider, k8sProvider, clusterName, dependsOn: [nodeGroups] });
 */
export class Storage extends pulumi.ComponentResource {
  public readonly storageClassName: string;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(STORAGE_TYPE, name, storageInputs(args.site), opts);
    const child = { parent: this, provider: args.provider };
    const deps = [...(args.dependsOn ?? [])];
    const role = new aws.iam.Role(
      `${name}-ebs-csi-role`,
      {
        description: `EBS CSI controller of ${args.site.name}, through EKS Pod Identity`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
        }),
      },
      child,
    );
    const policy = new aws.iam.RolePolicyAttachment(
      `${name}-ebs-csi-policy`,
      {
        role: role.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
      },
      child,
    );
    new aws.eks.Addon(
      `${name}-ebs-csi`,
      {
        clusterName: args.clusterName,
        addonName: "aws-ebs-csi-driver",
        addonVersion: ebsCsiVersion(args.site),
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        configurationValues: ebsCsiConfiguration(),
        podIdentityAssociations: [{ roleArn: role.arn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT }],
      },
      { ...child, dependsOn: [...deps, policy] },
    );
    new k8s.storage.v1.StorageClass(`${name}-gp3`, ebsStorageClass(), { parent: this, provider: args.k8sProvider });
    this.storageClassName = EBS_STORAGE_CLASS;
    this.registerOutputs({ storageClassName: this.storageClassName });
  }
}
