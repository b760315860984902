import { Chart } from "cdk8s";
import { Construct } from "constructs";
import * as YAML from "yaml";
import { RESERVED_POOL_NAME } from "../inventory/parse-pools";
import { NODE_LABELS, PLATFORM_NAMESPACES } from "../inventory/platform";
import { GpuPool, SharedReplicas, Site } from "../inventory/types";
import { commonLabels, Container, Volume, fieldEnv, GPU_TOLERATION, gpuNodeAffinity, hostPath, object, PodSpec, RESTRICTED_CONTAINER } from "./common";
import { IMAGES } from "./images";

/**
 * The NVIDIA k8s-device-plugin with GPU Feature Discovery, configured per pool. Every pool has
 * a named config in one ConfigMap; each node picks its own through the
 * `nvidia.com/device-plugin.config` label, which the cluster sets to the pool's name, and the
 * plugin's config-manager sidecar follows that label. A MIG or time-sliced pool therefore
 * differs from an exclusive one only by its config, never by another DaemonSet.
 */

export const DEVICE_PLUGIN = {
  name: "nvidia-device-plugin",
  configMap: "nvidia-device-plugin-configs",
  serviceAccount: "nvidia-device-plugin",
  gfd: "gpu-feature-discovery",
  mps: "nvidia-device-plugin-mps-control-daemon",
  /** The config of a GPU node whose label names no pool: whole GPUs, no MIG, no sharing. */
  defaultConfig: RESERVED_POOL_NAME,
  /** Where the node's MPS control daemon keeps its pipes and logs. */
  mpsRoot: "/run/nvidia/mps",
} as const;

const GPU_RESOURCE = "nvidia.com/gpu";

function sharedResource(shared: SharedReplicas) {
  return {
    name: GPU_RESOURCE,
    ...(shared.resourceName === GPU_RESOURCE ? {} : { rename: shared.resourceName }),
    replicas: shared.replicas,
  };
}

/**
 * The device plugin's config file for one pool (`version: v1`). Shared GPUs are advertised
 * under their own resource name (`nvidia.com/gpu.shared` by default) and a request for more
 * than one replica fails, so that `nvidia.com/gpu` always counts whole GPUs and a tenant's GPU
 * quota means what it says.
 */
export function devicePluginConfig(pool: GpuPool): Record<string, unknown> {
  const { migStrategy, timeSlicing, mps } = pool.sharing;
  const sharing = timeSlicing
    ? { timeSlicing: { failRequestsGreaterThanOne: true, resources: [sharedResource(timeSlicing)] } }
    : mps
      ? { mps: { failRequestsGreaterThanOne: true, resources: [sharedResource(mps)] } }
      : undefined;
  return {
    version: "v1",
    flags: { migStrategy, failOnInitError: true },
    ...(sharing ? { sharing } : {}),
  };
}

/**
 * The ConfigMap's data: one YAML document per pool, keyed by pool name, and a safe default for
 * a GPU node whose label names no pool (whole GPUs, nothing shared).
 */
export function devicePluginConfigs(site: Site): Record<string, string> {
  const data: Record<string, string> = { [DEVICE_PLUGIN.defaultConfig]: YAML.stringify({ version: "v1", flags: { migStrategy: "none", failOnInitError: true } }) };
  for (const pool of [...site.pools].sort((a, b) => (a.name < b.name ? -1 : 1))) data[pool.name] = YAML.stringify(devicePluginConfig(pool));
  return data;
}

/** The config-manager: writes the node's named config and signals `process` when it changes. */
function configManager(name: string, oneshot: boolean, defaultConfig: string, process: string): Container {
  return {
    name,
    image: IMAGES.devicePlugin,
    command: ["config-manager"],
    env: [
      { name: "ONESHOT", value: String(oneshot) },
      { name: "KUBECONFIG", value: "" },
      fieldEnv("NODE_NAME", "spec.nodeName"),
      { name: "NODE_LABEL", value: NODE_LABELS.devicePluginConfig },
      { name: "CONFIG_FILE_SRCDIR", value: "/available-configs" },
      { name: "CONFIG_FILE_DST", value: "/config/config.yaml" },
      { name: "DEFAULT_CONFIG", value: defaultConfig },
      { name: "FALLBACK_STRATEGIES", value: "named,single" },
      { name: "SEND_SIGNAL", value: String(!oneshot) },
      { name: "SIGNAL", value: oneshot ? "" : "1" },
      { name: "PROCESS_TO_SIGNAL", value: oneshot ? "" : process },
    ],
    // The config-manager signals the plugin in a shared PID namespace, as the same user.
    securityContext: { ...RESTRICTED_CONTAINER, runAsNonRoot: false, runAsUser: 0 },
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    volumeMounts: [
      { name: "available-configs", mountPath: "/available-configs", readOnly: true },
      { name: "config", mountPath: "/config" },
    ],
  };
}

/** Pod spec shared by the agents: GPU nodes only, node-critical, the node's config selected. */
function agentPod(serviceAccount: string, defaultConfig: string, process: string, main: Container, volumes: Volume[]): PodSpec {
  return {
    serviceAccountName: serviceAccount,
    priorityClassName: "system-node-critical",
    affinity: gpuNodeAffinity(),
    tolerations: [GPU_TOLERATION],
    shareProcessNamespace: true,
    initContainers: [configManager(`${process}-init`, true, defaultConfig, process)],
    containers: [configManager(`${process}-config`, false, defaultConfig, process), main],
    volumes: [
      { name: "available-configs", configMap: { name: DEVICE_PLUGIN.configMap } },
      { name: "config", emptyDir: {} },
      ...volumes,
    ],
  };
}

function daemonSet(scope: Construct, name: string, pod: PodSpec): void {
  const labels = commonLabels(name);
  object(scope, `ds-${name}`, "apps/v1", "DaemonSet", { name, namespace: PLATFORM_NAMESPACES.nvidia, labels }, {
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: { metadata: { labels }, spec: pod },
    },
  });
}

export interface NvidiaDevicePluginProps {
  readonly site: Site;
}

/**
 * Device plugin, GPU Feature Discovery and (when a pool uses MPS) the MPS control daemon, in
 * the `nvidia-gpu` namespace (see ./platform-namespaces). GFD writes its labels through node-feature-discovery's
 * `features.d` directory, so NFD's worker must run on GPU nodes for the labels to appear.
 *
 * @example
 *   const chart = new NvidiaDevicePluginChart(new App(), "nvidia", { site });
 *   chart.toJson(); // the objects, ready for the bridge
 */
export class NvidiaDevicePluginChart extends Chart {
  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { site } = props;
    const ns = PLATFORM_NAMESPACES.nvidia;
    const defaultConfig = DEVICE_PLUGIN.defaultConfig;

    object(this, "configs", "v1", "ConfigMap", { name: DEVICE_PLUGIN.configMap, namespace: ns, labels: commonLabels(DEVICE_PLUGIN.name) }, { data: devicePluginConfigs(site) });
    object(this, "sa", "v1", "ServiceAccount", { name: DEVICE_PLUGIN.serviceAccount, namespace: ns, labels: commonLabels(DEVICE_PLUGIN.name) }, { automountServiceAccountToken: true });
    // The config-manager reads its node's labels; nothing else is granted.
    object(this, "role", "rbac.authorization.k8s.io/v1", "ClusterRole", { name: "aisc-nvidia-node-reader", labels: commonLabels(DEVICE_PLUGIN.name) }, {
      rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
    });
    object(this, "binding", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", { name: "aisc-nvidia-node-reader", labels: commonLabels(DEVICE_PLUGIN.name) }, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "aisc-nvidia-node-reader" },
      subjects: [{ kind: "ServiceAccount", name: DEVICE_PLUGIN.serviceAccount, namespace: ns }],
    });

    const plugin: Container = {
      name: DEVICE_PLUGIN.name,
      image: IMAGES.devicePlugin,
      command: ["nvidia-device-plugin"],
      env: [
        { name: "CONFIG_FILE", value: "/config/config.yaml" },
        { name: "MPS_ROOT", value: DEVICE_PLUGIN.mpsRoot },
        { name: "NVIDIA_MIG_MONITOR_DEVICES", value: "all" },
        { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
        { name: "NVIDIA_DRIVER_CAPABILITIES", value: "compute,utility" },
      ],
      // Registers with the kubelet over a socket in a host directory: root, but no privilege.
      securityContext: { ...RESTRICTED_CONTAINER, runAsNonRoot: false, runAsUser: 0 },
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      volumeMounts: [
        { name: "device-plugins", mountPath: "/var/lib/kubelet/device-plugins" },
        { name: "mps-root", mountPath: "/mps" },
        { name: "mps-shm", mountPath: "/dev/shm" },
        { name: "config", mountPath: "/config", readOnly: true },
      ],
    };
    daemonSet(this, DEVICE_PLUGIN.name, agentPod(DEVICE_PLUGIN.serviceAccount, defaultConfig, "nvidia-device-plugin", plugin, [
      hostPath("device-plugins", "/var/lib/kubelet/device-plugins", "Directory"),
      hostPath("mps-root", DEVICE_PLUGIN.mpsRoot, "DirectoryOrCreate"),
      hostPath("mps-shm", `${DEVICE_PLUGIN.mpsRoot}/shm`, "DirectoryOrCreate"),
    ]));

    const gfd: Container = {
      name: DEVICE_PLUGIN.gfd,
      image: IMAGES.devicePlugin,
      command: ["gpu-feature-discovery"],
      env: [
        fieldEnv("NODE_NAME", "spec.nodeName"),
        fieldEnv("NAMESPACE", "metadata.namespace"),
        { name: "CONFIG_FILE", value: "/config/config.yaml" },
        { name: "GFD_SLEEP_INTERVAL", value: "60s" },
        { name: "NVIDIA_MIG_MONITOR_DEVICES", value: "all" },
        { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
      ],
      securityContext: { ...RESTRICTED_CONTAINER, runAsNonRoot: false, runAsUser: 0 },
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
      volumeMounts: [
        { name: "features", mountPath: "/etc/kubernetes/node-feature-discovery/features.d" },
        { name: "host-sys", mountPath: "/sys", readOnly: true },
        { name: "config", mountPath: "/config", readOnly: true },
      ],
    };
    daemonSet(this, DEVICE_PLUGIN.gfd, agentPod(DEVICE_PLUGIN.serviceAccount, defaultConfig, "gpu-feature-discovery", gfd, [
      hostPath("features", "/etc/kubernetes/node-feature-discovery/features.d", "DirectoryOrCreate"),
      hostPath("host-sys", "/sys", "Directory"),
    ]));

    const mpsPools = site.pools.filter((p) => p.sharing.mps).map((p) => p.name).sort();
    if (mpsPools.length > 0) this.mpsControlDaemon(mpsPools);
  }

  /** The MPS control daemon runs `nvidia-cuda-mps-control` for the GPUs of MPS pools only. */
  private mpsControlDaemon(pools: string[]): void {
    const daemon: Container = {
      name: "mps-control-daemon",
      image: IMAGES.devicePlugin,
      command: ["mps-control-daemon"],
      env: [fieldEnv("NODE_NAME", "spec.nodeName"), { name: "CONFIG_FILE", value: "/config/config.yaml" }, { name: "NVIDIA_VISIBLE_DEVICES", value: "all" }],
      // MPS needs to manage the GPUs' compute mode: the one privileged container here.
      securityContext: { privileged: true },
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      volumeMounts: [
        { name: "mps-root", mountPath: "/mps" },
        { name: "mps-shm", mountPath: "/dev/shm" },
        { name: "config", mountPath: "/config", readOnly: true },
      ],
    };
    const pod = agentPod(DEVICE_PLUGIN.serviceAccount, pools[0], "mps-control-daemon", daemon, [
      hostPath("mps-root", DEVICE_PLUGIN.mpsRoot, "DirectoryOrCreate"),
      hostPath("mps-shm", `${DEVICE_PLUGIN.mpsRoot}/shm`, "DirectoryOrCreate"),
    ]);
    daemonSet(this, DEVICE_PLUGIN.mps, { ...pod, affinity: gpuNodeAffinity(pools), hostPID: true });
  }
}
