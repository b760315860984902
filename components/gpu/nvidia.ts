import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { DcgmExporterChart } from "../../charts/dcgm-exporter";
import { NvidiaDevicePluginChart } from "../../charts/nvidia-device-plugin";
import { Site } from "../../inventory/types";
import { chartObjects, ChartResources } from "../k8s";

export const NVIDIA_GPU_TYPE = "aisc:gpu:NvidiaGpu";

export interface NvidiaGpuArgs {
  /** The validated site: its pools decide the device-plugin configs. */
  readonly site: Site;
  /** The site's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** What every object waits for: the platform namespaces. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * What makes a site's GPUs schedulable and observable: the NVIDIA device plugin with a config
 * per pool, GPU Feature Discovery and the DCGM exporter, rendered by cdk8s and created as typed
 * resources in the `nvidia-gpu` namespace.
 */
export class NvidiaGpu extends pulumi.ComponentResource {
  public readonly objects: ChartResources;

  constructor(name: string, args: NvidiaGpuArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NVIDIA_GPU_TYPE, name, {}, opts);
    const app = new App();
    const objects = chartObjects(new NvidiaDevicePluginChart(app, "nvidia-device-plugin", { site: args.site }), new DcgmExporterChart(app, "dcgm-exporter"));
    this.objects = new ChartResources(`${name}-objects`, { objects, provider: args.provider, ...(args.dependsOn ? { dependsOn: args.dependsOn } : {}) }, { parent: this });
    this.registerOutputs({});
  }
}
