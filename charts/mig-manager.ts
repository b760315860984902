import { Chart } from "cdk8s";
import { Construct } from "constructs";
import * as YAML from "yaml";
import { NODE_LABELS, NVIDIA_RUNTIME, PLATFORM_NAMESPACES } from "../inventory/platform";
import { Site } from "../inventory/types";
import { commonLabels, Container, fieldEnv, GPU_TOLERATION, object } from "./common";
import { IMAGES } from "./images";

/**
 * NVIDIA's MIG manager (k8s-mig-manager v0.13.1, as mig-parted's
 * `deployments/container/nvidia-mig-manager-example-hopper-blackwell.yaml` runs it beside a
 * host-installed driver): on every node labelled `nvidia.com/gpu.deploy.mig-manager=true` it
 * applies the mig-parted layout the node's `nvidia.com/mig.config` label names, pausing the GPU
 * agents while it does (see MIG_CLIENTS in inventory/platform). aisc labels each MIG pool's nodes with the pool's
 * `migLayout`, and the ConfigMap holds exactly the layouts the site's pools use.
 */

export const MIG_MANAGER = { name: "nvidia-mig-manager", configMap: "nvidia-mig-parted-config" } as const;

/** mig-parted's config: `all-disabled` and each pool's uniform layout. */
export function migPartedConfig(site: Site): string {
  const configs: Record<string, unknown> = { "all-disabled": [{ devices: "all", "mig-enabled": false }] };
  for (const pool of site.pools) {
    const layout = pool.sharing.migLayout;
    if (layout) configs[layout.name] = [{ devices: "all", "mig-enabled": true, "mig-devices": { [layout.profile]: layout.perGpu } }];
  }
  return YAML.stringify({ version: "v1", "mig-configs": configs });
}

export class MigManagerChart extends Chart {
  constructor(scope: Construct, id: string, props: { readonly site: Site }) {
    super(scope, id, { disableResourceNameHashes: true });
    const ns = PLATFORM_NAMESPACES.nvidia;
    const labels = commonLabels(MIG_MANAGER.name);
    const name = MIG_MANAGER.name;
    object(this, "config", "v1", "ConfigMap", { name: MIG_MANAGER.configMap, namespace: ns, labels }, { data: { "config.yaml": migPartedConfig(props.site) } });
    object(this, "sa", "v1", "ServiceAccount", { name, namespace: ns, labels });
    // Its node's labels (the layout, its state, the agents' deploy labels), and the agents' pods
    // in this namespace, which it waits to see gone; nothing else (the example grants * on *).
    object(
      this,
      "node-role",
      "rbac.authorization.k8s.io/v1",
      "ClusterRole",
      { name: `aisc-${name}`, labels },
      {
        rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "update", "patch"] }],
      },
    );
    object(
      this,
      "node-binding",
      "rbac.authorization.k8s.io/v1",
      "ClusterRoleBinding",
      { name: `aisc-${name}`, labels },
      {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `aisc-${name}` },
        subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
      },
    );
    object(
      this,
      "pod-role",
      "rbac.authorization.k8s.io/v1",
      "Role",
      { name, namespace: ns, labels },
      {
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "delete"] }],
      },
    );
    object(
      this,
      "pod-binding",
      "rbac.authorization.k8s.io/v1",
      "RoleBinding",
      { name, namespace: ns, labels },
      {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
      },
    );
    const manager: Container = {
      name,
      image: IMAGES.migManager,
      env: [
        fieldEnv("NODE_NAME", "spec.nodeName"),
        { name: "CONFIG_FILE", value: "/mig-parted-config/config.yaml" },
        { name: "HOST_ROOT_MOUNT", value: "/host" },
        { name: "HOST_NVIDIA_DIR", value: "/usr/local/nvidia" },
        { name: "HOST_MIG_MANAGER_STATE_FILE", value: "/etc/systemd/system/nvidia-mig-manager.service.d/override.conf" },
        { name: "DEFAULT_GPU_CLIENTS_NAMESPACE", value: ns },
        // A node whose GPUs need a reboot to change mode reports failure rather than rebooting itself.
        { name: "WITH_REBOOT", value: "false" },
      ],
      // Repartitioning the GPUs and stopping the host's GPU services need the host.
      securityContext: { privileged: true },
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      volumeMounts: [
        { name: "host-root", mountPath: "/host" },
        { name: "host-sys", mountPath: "/sys" },
        { name: "mig-parted-config", mountPath: "/mig-parted-config" },
      ],
    };
    object(
      this,
      "ds",
      "apps/v1",
      "DaemonSet",
      { name, namespace: ns, labels },
      {
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": name } },
          template: {
            metadata: { labels: { ...labels, app: name } },
            spec: {
              serviceAccountName: name,
              priorityClassName: "system-node-critical",
              runtimeClassName: NVIDIA_RUNTIME.name,
              hostPID: true,
              hostIPC: true,
              nodeSelector: { [NODE_LABELS.migManager]: "true" },
              tolerations: [GPU_TOLERATION],
              containers: [manager],
              volumes: [
                { name: "host-root", hostPath: { path: "/", type: "Directory" } },
                { name: "host-sys", hostPath: { path: "/sys", type: "Directory" } },
                { name: "mig-parted-config", configMap: { name: MIG_MANAGER.configMap } },
              ],
            },
          },
        },
      },
    );
  }
}

/** Whether the site needs the MIG manager: some pool has a MIG layout. */
export function needsMigManager(site: Site): boolean {
  return site.pools.some((p) => p.sharing.migLayout);
}
