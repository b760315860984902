import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { PlatformNamespacesChart } from "../../charts/platform-namespaces";
import { chartObjects, ChartResources } from "../k8s";

export const PLATFORM_NAMESPACES_TYPE = "aisc:platform:Namespaces";

export interface PlatformNamespacesArgs {
  /** The site's Kubernetes provider. */
  readonly provider: k8s.Provider;
}

/**
 * The platform's namespaces (nvidia-gpu, slinky, slurm, monitoring), created once, first, so
 * that every domain component and every tenant's Slurm account can depend on them.
 */
export class PlatformNamespaces extends pulumi.ComponentResource {
  public readonly objects: ChartResources;

  constructor(name: string, args: PlatformNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PLATFORM_NAMESPACES_TYPE, name, {}, opts);
    this.objects = new ChartResources(`${name}-objects`, { objects: chartObjects(new PlatformNamespacesChart(new App(), "platform-namespaces")), provider: args.provider }, { parent: this });
    this.registerOutputs({});
  }
}
