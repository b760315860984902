import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Site } from "../../inventory/types";
import { GpuCluster } from "../cluster";
import { NvidiaGpu } from "../gpu";

export const SITE_TYPE = "aisc:platform:Site";

export interface SitePlatformArgs {
  /** The validated site inventory every child is derived from. */
  readonly site: Site;
  /** Kubeconfig of an existing cluster (secret); used only when `cluster.kind` is `existing`. */
  readonly kubeconfig?: pulumi.Input<string>;
}

/**
 * Everything a site runs, as one component: the top of the resource tree under the stack, so
 * that `pulumi preview` and `aisc plan` group every resource under its site and domain. The
 * site's AWS provider is explicit, in the inventory's region, so no resource can land in
 * another region through an ambient default (the stacks also disable default providers).
 */
export class SitePlatform extends pulumi.ComponentResource {
  public readonly cluster: GpuCluster;
  public readonly gpu: NvidiaGpu;

  constructor(name: string, args: SitePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SITE_TYPE, name, {}, opts);
    const { site } = args;
    const provider =
      site.cluster.kind === "eks"
        ? new aws.Provider(`${name}-aws`, {
            region: site.region as aws.Region,
            defaultTags: { tags: { "aisc.hk/site": site.name, "aisc.hk/managed-by": "pulumi-aisc" } },
          }, { parent: this })
        : undefined;
    this.cluster = new GpuCluster(`${name}-cluster`, {
      site,
      ...(provider ? { provider } : {}),
      ...(args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : {}),
    }, { parent: this });
    const k8sProvider = this.cluster.k8sProvider;
    this.gpu = new NvidiaGpu(`${name}-nvidia`, { site, provider: k8sProvider }, { parent: this });
    this.registerOutputs({ clusterName: this.cluster.clusterName });
  }
}
