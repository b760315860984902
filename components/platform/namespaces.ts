import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { PlatformNamespacesChart } from "../../charts/platform-namespaces";
import { SiteFactsChart } from "../../charts/site-facts";
import { SchemeTerms } from "../../inventory/subsidy";
import { Site } from "../../inventory/types";
import { chartObjects, ChartResources, K8sObject } from "../k8s";

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

/** What a {@link PlatformNamespaces} records as its inputs (see {@link platformNamespacesInputs}). */
export interface PlatformNamespacesInputs {
  /** The platform's namespaces, sorted. */
  readonly namespaces: readonly string[];
  /** The subsidy schemes whose terms the site's facts record, sorted. */
  readonly subsidySchemes: readonly string[];
}

/**
 * The namespaces every domain component lives in, and the schemes the site's facts carry:
 * a namespace added or renamed, or a scheme's terms appearing or going from `aisc:city`, shows
 * on this component in a preview. The facts' figures are the ConfigMaps' own inputs.
 */
export function platformNamespacesInputs(objects: readonly K8sObject[], subsidy: readonly SchemeTerms[]): PlatformNamespacesInputs {
  return {
    namespaces: objects
      .filter((o) => o.kind === "Namespace")
      .map((o) => o.metadata.name)
      .sort(),
    subsidySchemes: subsidy.map((t) => t.scheme).sort(),
  };
}

/**
 * The platform's namespaces (nvidia-gpu, slinky, slurm, monitoring), created once, first, so
 * that every domain component and every tenant's Slurm account can depend on them; and the
 * site's declared shape as ConfigMaps in kube-system, which the capacity policies read.
 */
export class PlatformNamespaces extends pulumi.ComponentResource {
  public readonly objects: ChartResources;
  /** The platform's namespaces, sorted: where each domain component's objects are. */
  public readonly namespaces: readonly string[];

  constructor(name: string, args: PlatformNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    const app = new App();
    const subsidy = args.subsidy ?? [];
    const objects = chartObjects(new PlatformNamespacesChart(app, "platform-namespaces"), new SiteFactsChart(app, "site-facts", { site: args.site, subsidy }));
    const inputs = platformNamespacesInputs(objects, subsidy);
    super(PLATFORM_NAMESPACES_TYPE, name, inputs, opts);
    this.namespaces = inputs.namespaces;
    this.objects = new ChartResources(
      `${name}-objects`,
      { objects, provider: args.provider, ...(args.dependsOn?.length ? { dependsOn: args.dependsOn } : {}) },
      { parent: this },
    );
    this.registerOutputs({ namespaces: this.namespaces });
  }
}
