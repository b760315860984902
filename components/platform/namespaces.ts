import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { PlatformNamespacesChart } from "../../charts/platform-namespaces";
import { SiteFactsChart } from "../../charts/site-facts";
import { SchemeTerms } from "../../inventory/subsidy";
import { Site } from "../../inventory/types";
import { chartObjects, ChartResources } from "../k8s";

export const PLATFORM_NAMESPACES_TYPE = "aisc:platform:Namespaces";

export interface PlatformNamespacesArgs {
  /** The site, whose declared shape is recorded beside the namespaces (see charts/site-facts). */
  readonly site: Site;
  /** The site's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** What the namespaces wait for: the nodes and add-ons the platform's pods need (GpuCluster.ready). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** The subsidy schemes' terms, recorded in the site's facts (none when the city configures none). */
  readonly subsidy?: readonly SchemeTerms[];
}

/**
 * The platform's namespaces (nvidia-gpu, slinky, slurm, monitoring), created once, first, so
 * that every domain component and every tenant's Slurm account can depend on them; and the
 * site's declared shape as ConfigMaps in kube-system, which the capacity policies read.
 */
export class PlatformNamespaces extends pulumi.ComponentResource {
  public readonly objects: ChartResources;

  constructor(name: string, args: PlatformNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PLATFORM_NAMESPACES_TYPE, name, {}, opts);
    const app = new App();
    const objects = chartObjects(
      new PlatformNamespacesChart(app, "platform-namespaces"),
      new SiteFactsChart(app, "site-facts", { site: args.site, subsidy: args.subsidy ?? [] }),
    );
    this.objects = new ChartResources(
      `${name}-objects`,
      { objects, provider: args.provider, ...(args.dependsOn?.length ? { dependsOn: args.dependsOn } : {}) },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
