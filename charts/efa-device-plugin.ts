import * as k8s from "@pulumi/kubernetes";
import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { EKS_REGISTRY_ACCOUNTS } from "../inventory/platform";
import { Site } from "../inventory/types";
import { commonLabels, GPU_TOLERATION, gpuNodeAffinity, hostPath, object } from "./common";

/**
 * AWS's EFA device plugin on the nodes of every cloud pool whose instances have EFA, so that a
 * pod can ask for `vpc.amazonaws.com/efa` and get the node's EFA interfaces for GPU-to-GPU RDMA
 * (NCCL over libfabric); without it the launch template's EFA interfaces sit unused. Rendered as
 * aws/eks-charts' aws-efa-k8s-device-plugin v0.5.30 (app v0.5.20) renders its DaemonSet
 * (vendored under charts/imports/templates/aws-efa-k8s-device-plugin-v0.5.30), with two
 * changes: it selects the site's EFA pools by their `aisc.hk/pool` label rather than the chart's
 * list of instance types, and it tolerates the GPU taint those nodes carry (the chart tolerates
 * only CriticalAddonsOnly). Its image is pulled from the EKS registry of the site's region.
 */

export const EFA_DEVICE_PLUGIN = { name: "aws-efa-k8s-device-plugin", version: "v0.5.20", namespace: "kube-system" } as const;

/** The cloud pools whose instance type has EFA. */
export function efaPools(site: Site): string[] {
  return site.pools.filter((p) => p.cloud?.instanceType.efa).map((p) => p.name);
}

/** The plugin's image in the EKS registry of `region` (EKS user guide, "Amazon container image registries"). */
export function efaPluginImage(region: string): string {
  return `${EKS_REGISTRY_ACCOUNTS[region] ?? "602401143452"}.dkr.ecr.${region}.amazonaws.com/eks/${EFA_DEVICE_PLUGIN.name}:${EFA_DEVICE_PLUGIN.version}`;
}

export class EfaDevicePluginChart extends Chart {
  constructor(scope: Construct, id: string, props: { readonly site: Site }) {
    super(scope, id, { disableResourceNameHashes: true });
    const { name, namespace } = EFA_DEVICE_PLUGIN;
    const labels = commonLabels(name);
    const pod: k8s.types.input.core.v1.PodSpec = {
      automountServiceAccountToken: false,
      tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, GPU_TOLERATION],
      priorityClassName: "system-node-critical",
      affinity: gpuNodeAffinity(efaPools(props.site)),
      hostNetwork: true,
      containers: [
        {
          name,
          image: efaPluginImage(props.site.region),
          // The chart's securityContext: the plugin opens /dev/infiniband and registers with the kubelet as root.
          securityContext: { allowPrivilegeEscalation: true, privileged: true, runAsNonRoot: false, runAsUser: 0 },
          resources: { requests: { cpu: "10m", memory: "20Mi" } },
          volumeMounts: [
            { name: "device-plugin", mountPath: "/var/lib/kubelet/device-plugins" },
            { name: "infiniband-volume", mountPath: "/dev/infiniband/" },
            { name: "neuron-tools", mountPath: "/opt/aws/neuron/" },
          ],
        },
      ],
      volumes: [
        { name: "device-plugin", hostPath: { path: "/var/lib/kubelet/device-plugins" } },
        { name: "infiniband-volume", hostPath: { path: "/dev/infiniband/" } },
        hostPath("neuron-tools", "/opt/aws/neuron/", "DirectoryOrCreate"),
      ],
    };
    object(
      this,
      "daemonset",
      "apps/v1",
      "DaemonSet",
      { name, namespace, labels },
      {
        spec: {
          selector: { matchLabels: { name } },
          updateStrategy: { type: "RollingUpdate" },
          template: { metadata: { labels: { ...labels, name } }, spec: pod },
        } satisfies k8s.types.input.apps.v1.DaemonSetSpec,
      },
    );
  }
}
