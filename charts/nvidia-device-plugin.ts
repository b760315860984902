import { Chart } from "cdk8s";
import { Construct } from "constructs";
import * as YAML from "yaml";
import { WHOLE_GPU } from "../inventory/gpu-resources";
import { EVERY_GPU_POOL, RESERVED_POOL_NAME, MIG_CLIENTS, NODE_LABELS, NVIDIA_RUNTIME, PLATFORM_NAMESPACES } from "../inventory/platform";
import { GpuPool, SharedReplicas, Site } from "../inventory/types";
import {
  commonLabels,
  Container,
  fieldEnv,
  GPU_TOLERATION,
  gpuAgentAffinity,
  gpuNodeAffinity,
  hostPath,
  object,
  PodSpec,
  RESTRICTED_CONTAINER,
  SecurityContext,
  Volume,
} from "./common";
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

/**
 * Flags every pool's config carries. `cdi-cri`: the plugin answers each allocation with CDI
 * device names, which the kubelet passes to containerd, so a container gets exactly its GPUs
 * under the default runc runtime; the environment variable strategy would let any container
 * run under NVIDIA's runtime pick GPUs by `NVIDIA_VISIBLE_DEVICES`. The host's driver is at
 * `/`, mounted read-only at the plugin's default `/driver-root` so the CDI specs it writes
 * name host paths.
 */
const COMMON_FLAGS = { failOnInitError: true, nvidiaDriverRoot: "/", plugin: { deviceListStrategy: ["cdi-cri"], deviceIDStrategy: "uuid" } } as const;

function sharedResource(shared: SharedReplicas) {
  return {
    name: WHOLE_GPU,
    ...(shared.resourceName === WHOLE_GPU ? {} : { rename: shared.resourceName }),
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
    flags: { migStrategy, ...COMMON_FLAGS },
    ...(sharing ? { sharing } : {}),
  };
}

/**
 * The ConfigMap's data: one YAML document per pool, keyed by pool name, and a safe default for
 * a GPU node whose label names no pool (whole GPUs, nothing shared).
 */
export function devicePluginConfigs(site: Site): Record<string, string> {
  const data: Record<string, string> = { [DEVICE_PLUGIN.defaultConfig]: YAML.stringify({ version: "v1", flags: { migStrategy: "none", ...COMMON_FLAGS } }) };
  for (const pool of [...site.pools].sort((a, b) => (a.name < b.name ? -1 : 1))) data[pool.name] = YAML.stringify(devicePluginConfig(pool));
  return data;
}

/**
 * Whether any pool's config uses MIG: the upstream chart (v0.17.1 `_helpers.tpl`,
 * `allPossibleMigStrategiesAreNone`) then sets `NVIDIA_MIG_MONITOR_DEVICES=all` on the agents
 * and gives the device plugin `SYS_ADMIN`, which NVIDIA's runtime requires of a container that
 * monitors MIG devices; otherwise neither.
 */
export function anyMig(site: Site): boolean {
  return site.pools.some((p) => p.sharing.migStrategy !== "none");
}

/** The device plugin's security context as the upstream chart's `nvidia-device-plugin.securityContext` gives it. */
export function pluginSecurityContext(site: Site): SecurityContext {
  return anyMig(site) ? { capabilities: { add: ["SYS_ADMIN"] } } : { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
}

/** The config-manager: writes the node's named config and signals `process` when it changes. */
function configManager(name: string, oneshot: boolean, defaultConfig: string, process: string, securityContext?: SecurityContext): Container {
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
    // The sidecar signals its agent in the shared PID namespace with the agent's own context
    // (as upstream); the one-shot init container needs no privilege at all.
    securityContext: securityContext ?? { ...RESTRICTED_CONTAINER, runAsNonRoot: false, runAsUser: 0 },
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    volumeMounts: [
      { name: "available-configs", mountPath: "/available-configs", readOnly: true },
      { name: "config", mountPath: "/config" },
    ],
  };
}

/**
 * Pod spec shared by the agents: GPU nodes only, node-critical, under NVIDIA's runtime (they
 * enumerate every GPU through NVML), the node's config selected. `sidecar` is the config
 * sidecar's security context where upstream gives it the agent's own, and `signal` the process
 * name the sidecar signals, as upstream's templates name them.
 */
function agentPod(
  serviceAccount: string,
  defaultConfig: string,
  signal: string,
  main: Container,
  volumes: Volume[],
  sidecar?: SecurityContext,
  deployLabel?: string,
): PodSpec {
  const process = main.name as string;
  return {
    serviceAccountName: serviceAccount,
    priorityClassName: "system-node-critical",
    runtimeClassName: NVIDIA_RUNTIME.name,
    affinity: deployLabel ? gpuAgentAffinity(deployLabel) : gpuNodeAffinity(),
    tolerations: [GPU_TOLERATION],
    shareProcessNamespace: true,
    initContainers: [configManager(`${process}-init`, true, defaultConfig, signal)],
    containers: [configManager(`${process}-config`, false, defaultConfig, signal, sidecar), main],
    volumes: [{ name: "available-configs", configMap: { name: DEVICE_PLUGIN.configMap } }, { name: "config", emptyDir: {} }, ...volumes],
  };
}

/** A DaemonSet of the agents; `app` is the pod label the MIG manager waits on, where it pauses the agent. */
function daemonSet(scope: Construct, name: string, pod: PodSpec, app?: string): void {
  const labels = commonLabels(name);
  // The agents paused by the MIG manager are those every GPU node runs.
  const annotations = app ? { [EVERY_GPU_POOL.key]: EVERY_GPU_POOL.value } : undefined;
  object(
    scope,
    `ds-${name}`,
    "apps/v1",
    "DaemonSet",
    { name, namespace: PLATFORM_NAMESPACES.nvidia, labels, ...(annotations ? { annotations } : {}) },
    {
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
        template: { metadata: { labels: { ...labels, ...(app ? { app } : {}) } }, spec: pod },
      },
    },
  );
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
    const mig = anyMig(site);

    object(
      this,
      "configs",
      "v1",
      "ConfigMap",
      { name: DEVICE_PLUGIN.configMap, namespace: ns, labels: commonLabels(DEVICE_PLUGIN.name) },
      { data: devicePluginConfigs(site) },
    );
    object(
      this,
      "sa",
      "v1",
      "ServiceAccount",
      { name: DEVICE_PLUGIN.serviceAccount, namespace: ns, labels: commonLabels(DEVICE_PLUGIN.name) },
      { automountServiceAccountToken: true },
    );
    // The config-manager reads its node's labels; nothing else is granted.
    object(
      this,
      "role",
      "rbac.authorization.k8s.io/v1",
      "ClusterRole",
      { name: "aisc-nvidia-node-reader", labels: commonLabels(DEVICE_PLUGIN.name) },
      {
        rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
      },
    );
    object(
      this,
      "binding",
      "rbac.authorization.k8s.io/v1",
      "ClusterRoleBinding",
      { name: "aisc-nvidia-node-reader", labels: commonLabels(DEVICE_PLUGIN.name) },
      {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "aisc-nvidia-node-reader" },
        subjects: [{ kind: "ServiceAccount", name: DEVICE_PLUGIN.serviceAccount, namespace: ns }],
      },
    );

    const plugin: Container = {
      name: DEVICE_PLUGIN.name,
      image: IMAGES.devicePlugin,
      command: ["nvidia-device-plugin"],
      // The upstream template's environment (daemonset-device-plugin.yml at v0.17.1), with the
      // driver root set as its `nvidiaDriverRoot` value sets it.
      env: [
        { name: "MPS_ROOT", value: DEVICE_PLUGIN.mpsRoot },
        { name: "NVIDIA_DRIVER_ROOT", value: COMMON_FLAGS.nvidiaDriverRoot },
        { name: "CONFIG_FILE", value: "/config/config.yaml" },
        ...(mig ? [{ name: "NVIDIA_MIG_MONITOR_DEVICES", value: "all" }] : []),
        { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
        { name: "NVIDIA_DRIVER_CAPABILITIES", value: "compute,utility" },
      ],
      securityContext: pluginSecurityContext(site),
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      volumeMounts: [
        { name: "device-plugin", mountPath: "/var/lib/kubelet/device-plugins" },
        { name: "driver-root", mountPath: "/driver-root", readOnly: true },
        { name: "mps-shm", mountPath: "/dev/shm" },
        { name: "mps-root", mountPath: "/mps" },
        { name: "cdi-root", mountPath: "/var/run/cdi" },
        { name: "available-configs", mountPath: "/available-configs", readOnly: true },
        { name: "config", mountPath: "/config", readOnly: true },
      ],
    };
    daemonSet(
      this,
      DEVICE_PLUGIN.name,
      agentPod(
        DEVICE_PLUGIN.serviceAccount,
        defaultConfig,
        "nvidia-device-plugin",
        plugin,
        [
          { name: "device-plugin", hostPath: { path: "/var/lib/kubelet/device-plugins" } },
          { name: "driver-root", hostPath: { path: COMMON_FLAGS.nvidiaDriverRoot } },
          hostPath("mps-root", DEVICE_PLUGIN.mpsRoot, "DirectoryOrCreate"),
          { name: "mps-shm", hostPath: { path: `${DEVICE_PLUGIN.mpsRoot}/shm` } },
          hostPath("cdi-root", "/var/run/cdi", "DirectoryOrCreate"),
        ],
        plugin.securityContext as SecurityContext,
        MIG_CLIENTS.devicePlugin.deployLabel,
      ),
      MIG_CLIENTS.devicePlugin.app,
    );

    const gfd: Container = {
      name: DEVICE_PLUGIN.gfd,
      image: IMAGES.devicePlugin,
      command: ["gpu-feature-discovery"],
      // The upstream template's environment (daemonset-gfd.yml at v0.17.1); the image itself
      // sets NVIDIA_VISIBLE_DEVICES=all for NVIDIA's runtime.
      env: [
        fieldEnv("NODE_NAME", "spec.nodeName"),
        fieldEnv("NAMESPACE", "metadata.namespace"),
        { name: "GFD_SLEEP_INTERVAL", value: "60s" },
        { name: "CONFIG_FILE", value: "/config/config.yaml" },
        ...(mig ? [{ name: "NVIDIA_MIG_MONITOR_DEVICES", value: "all" }] : []),
      ],
      // The chart's default `gfd.securityContext`: GFD reads vGPU and PCI details from the host.
      securityContext: { privileged: true },
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
      volumeMounts: [
        { name: "output-dir", mountPath: "/etc/kubernetes/node-feature-discovery/features.d" },
        { name: "host-sys", mountPath: "/sys", readOnly: true },
        { name: "available-configs", mountPath: "/available-configs", readOnly: true },
        { name: "config", mountPath: "/config", readOnly: true },
      ],
    };
    daemonSet(
      this,
      DEVICE_PLUGIN.gfd,
      agentPod(
        DEVICE_PLUGIN.serviceAccount,
        defaultConfig,
        "gpu-feature-discovery",
        gfd,
        [
          { name: "output-dir", hostPath: { path: "/etc/kubernetes/node-feature-discovery/features.d" } },
          { name: "host-sys", hostPath: { path: "/sys" } },
        ],
        gfd.securityContext as SecurityContext,
        MIG_CLIENTS.gfd.deployLabel,
      ),
      MIG_CLIENTS.gfd.app,
    );

    object(
      this,
      "runtime-class",
      "node.k8s.io/v1",
      "RuntimeClass",
      { name: NVIDIA_RUNTIME.name, labels: commonLabels(DEVICE_PLUGIN.name) },
      { handler: NVIDIA_RUNTIME.name },
    );

    const mpsPools = site.pools
      .filter((p) => p.sharing.mps)
      .map((p) => p.name)
      .sort();
    if (mpsPools.length > 0) this.mpsControlDaemon(mpsPools, mig);
  }

  /**
   * The MPS control daemon runs `nvidia-cuda-mps-control` for the GPUs of MPS pools only, as
   * upstream's daemonset-mps-control-daemon.yml (v0.17.1) runs it: a privileged init container
   * mounts the shared memory the daemon and the clients' containers meet in, with bidirectional
   * propagation so the host sees it; the daemon manages the GPUs' compute mode, privileged too.
   */
  private mpsControlDaemon(pools: string[], mig: boolean): void {
    const daemon: Container = {
      name: "mps-control-daemon",
      image: IMAGES.devicePlugin,
      command: ["mps-control-daemon"],
      env: [
        fieldEnv("NODE_NAME", "spec.nodeName"),
        { name: "CONFIG_FILE", value: "/config/config.yaml" },
        ...(mig ? [{ name: "NVIDIA_MIG_MONITOR_DEVICES", value: "all" }] : []),
        { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
        { name: "NVIDIA_DRIVER_CAPABILITIES", value: "compute,utility" },
      ],
      securityContext: { privileged: true },
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      volumeMounts: [
        { name: "mps-root", mountPath: "/mps" },
        { name: "mps-shm", mountPath: "/dev/shm" },
        { name: "config", mountPath: "/config", readOnly: true },
      ],
    };
    const pod = agentPod(DEVICE_PLUGIN.serviceAccount, pools[0], "/usr/bin/mps-control-daemon", daemon, [
      hostPath("mps-root", DEVICE_PLUGIN.mpsRoot, "DirectoryOrCreate"),
      { name: "mps-shm", hostPath: { path: `${DEVICE_PLUGIN.mpsRoot}/shm` } },
    ]);
    const mounts: Container = {
      name: "mps-control-daemon-mounts",
      image: IMAGES.devicePlugin,
      command: ["mps-control-daemon", "mount-shm"],
      securityContext: { privileged: true },
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
      volumeMounts: [{ name: "mps-root", mountPath: "/mps", mountPropagation: "Bidirectional" }],
    };
    const initContainers = [mounts, ...(pod.initContainers as Container[])];
    daemonSet(this, DEVICE_PLUGIN.mps, { ...pod, initContainers, affinity: gpuNodeAffinity(pools) });
  }
}
