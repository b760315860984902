import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { EfaDevicePluginChart, efaPools } from "../../charts/efa-device-plugin";
import { DcgmExporterChart } from "../../charts/dcgm-exporter";
import { MigManagerChart, needsMigManager } from "../../charts/mig-manager";
import { NFD_CHART, nfdValues } from "../../charts/nfd";
import { PLATFORM_NAMESPACES } from "../../inventory/platform";
import { NvidiaDevicePluginChart } from "../../charts/nvidia-device-plugin";
import { IMAGES } from "../../charts/images";
import { Site } from "../../inventory/types";
import { chartObjects, ChartResources, SiteWorkloadArgs } from "../k8s";

export const NVIDIA_GPU_TYPE = "aisc:gpu:NvidiaGpu";

/** The site's pools decide the device-plugin configs. */
export type NvidiaGpuArgs = SiteWorkloadArgs;

/** What a {@link NvidiaGpu} records as its inputs (see {@link nvidiaGpuInputs}). */
export interface NvidiaGpuInputs {
  /** The pools the device plugin has a config for, sorted. */
  readonly pools: readonly string[];
  /** The device plugin's release (its image's tag), which GPU Feature Discovery shares. */
  readonly devicePluginVersion: string;
  /** node-feature-discovery's chart version. */
  readonly nfdVersion: string;
}

/**
 * The pools that get a device-plugin config and the two pinned releases: a pool added or gone,
 * or an upgrade of the plugin or NFD, shows on this component in a preview. How each pool is
 * shared is its config's, in the ConfigMap's inputs, not repeated here.
 */
export function nvidiaGpuInputs(site: Site): NvidiaGpuInputs {
  return {
    pools: site.pools.map((p) => p.name).sort(),
    devicePluginVersion: IMAGES.devicePlugin.slice(IMAGES.devicePlugin.lastIndexOf(":") + 1),
    nfdVersion: NFD_CHART.version,
  };
}

/**
 * What makes a site's GPUs schedulable and observable: the NVIDIA device plugin with a config
 * per pool, GPU Feature Discovery with node-feature-discovery to publish its labels, the DCGM
 * exporter and, for MIG pools, the MIG manager, rendered by cdk8s and created as typed
 * resources in the `nvidia-gpu` namespace.
 */
export class NvidiaGpu extends pulumi.ComponentResource {
  public readonly objects: ChartResources;
  /** The namespace of the GPU agents (EFA's plugin, not NVIDIA's, is in kube-system). */
  public readonly namespace: string;
  /** The agents' DaemonSets as `namespace/name`, sorted: what to look at when a node's GPUs do not show. */
  public readonly daemonSets: readonly string[];

  constructor(name: string, args: NvidiaGpuArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NVIDIA_GPU_TYPE, name, nvidiaGpuInputs(args.site), opts);
    const app = new App();
    const charts = [
      new NvidiaDevicePluginChart(app, "nvidia-device-plugin", { site: args.site }),
      new DcgmExporterChart(app, "dcgm-exporter", { site: args.site }),
    ];
    if (needsMigManager(args.site)) charts.push(new MigManagerChart(app, "mig-manager", { site: args.site }));
    // EFA is AWS's fabric, not NVIDIA's; its device plugin sits with the GPU's because NCCL uses both.
    if (efaPools(args.site).length > 0) charts.push(new EfaDevicePluginChart(app, "efa-device-plugin", { site: args.site }));
    const objects = chartObjects(...charts);
    this.objects = new ChartResources(
      `${name}-objects`,
      { objects, provider: args.provider, ...(args.dependsOn ? { dependsOn: args.dependsOn } : {}) },
      { parent: this },
    );
    new k8s.helm.v4.Chart(
      `${name}-nfd`,
      {
        chart: NFD_CHART.chart,
        version: NFD_CHART.version,
        repositoryOpts: { repo: NFD_CHART.repo },
        namespace: PLATFORM_NAMESPACES.nvidia,
        values: nfdValues(),
      },
      { parent: this, provider: args.provider, dependsOn: [...(args.dependsOn ?? [])] },
    );
    this.namespace = PLATFORM_NAMESPACES.nvidia;
    this.daemonSets = objects
      .filter((o) => o.kind === "DaemonSet")
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
      .sort();
    this.registerOutputs({ namespace: this.namespace, daemonSets: this.daemonSets });
  }
}
