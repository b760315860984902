import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { siteSharedResources } from "../inventory/gpu-resources";
import { EVERY_GPU_POOL, MIG_CLIENTS, NVIDIA_RUNTIME, PLATFORM_NAMESPACES } from "../inventory/platform";
import { Site } from "../inventory/types";
import { commonLabels, Container, fieldEnv, GPU_TOLERATION, gpuAgentAffinity, hostPath, object, RESTRICTED_CONTAINER } from "./common";
import { IMAGES } from "./images";

/**
 * NVIDIA's DCGM exporter on every GPU node, with a counters file that turns on exactly what the
 * site's alerts and dashboards read. Metrics carry the pod and namespace using each GPU, read
 * from the kubelet's pod-resources socket, so GPU use is attributable to tenants: the device
 * plugin (v0.17.1) registers GPUs with the kubelet by UUID (MIG slices by their MIG UUID,
 * time-sliced replicas as `<UUID>::<n>`), which the exporter matches with its `uid` ID type;
 * it maps `nvidia.com/gpu` and `nvidia.com/mig-*` itself and the shared resource names only when
 * told them (`NVIDIA_RESOURCE_NAMES`). Flags and behaviour from dcgm-exporter 4.2.3-4.1.3's
 * `pkg/cmd/app.go` and `internal/pkg/transformation/kubernetes.go`.
 */

export const DCGM_EXPORTER = { name: "dcgm-exporter", configMap: "dcgm-exporter-counters", port: 9400 } as const;

/** One counter: the DCGM field, its Prometheus type, and why it is collected. */
export interface Counter {
  readonly field: string;
  readonly type: "gauge" | "counter";
  readonly help: string;
}

/** The counters, grouped by what needs them. */
export const DCGM_COUNTERS: readonly Counter[] = [
  // Health: what pages someone.
  { field: "DCGM_FI_DEV_XID_ERRORS", type: "gauge", help: "Value of the last XID error encountered." },
  // The exporter's own collector: each XID's count over its window (5 minutes), by `xid` code,
  // so hardware XIDs page and application ones (a job's own fault) do not.
  { field: "DCGM_EXP_XID_ERRORS_COUNT", type: "gauge", help: "Count of XID Errors within user-specified time window (see xid-count-window-size param)." },
  { field: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", type: "counter", help: "Total number of double-bit volatile ECC errors." },
  { field: "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", type: "counter", help: "Total number of single-bit volatile ECC errors." },
  { field: "DCGM_FI_DEV_ROW_REMAP_FAILURE", type: "gauge", help: "Whether remapping of rows has failed." },
  { field: "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", type: "counter", help: "Number of remapped rows for uncorrectable errors." },
  { field: "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", type: "counter", help: "Number of remapped rows for correctable errors." },
  { field: "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", type: "counter", help: "Total number of NVLink flow-control CRC errors." },
  { field: "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", type: "counter", help: "Total number of NVLink retries." },
  { field: "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", type: "counter", help: "Total number of NVLink recovery errors." },
  { field: "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", type: "counter", help: "Total number of PCIe retries." },
  // Thermal and power.
  { field: "DCGM_FI_DEV_GPU_TEMP", type: "gauge", help: "GPU temperature (in C)." },
  { field: "DCGM_FI_DEV_MEMORY_TEMP", type: "gauge", help: "Memory temperature (in C)." },
  { field: "DCGM_FI_DEV_POWER_USAGE", type: "gauge", help: "Power draw (in W)." },
  { field: "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", type: "counter", help: "Total energy consumption since boot (in mJ)." },
  // Utilisation: what the capacity dashboards and the idle-GPU alert read.
  { field: "DCGM_FI_DEV_GPU_UTIL", type: "gauge", help: "GPU utilization (in %)." },
  { field: "DCGM_FI_PROF_GR_ENGINE_ACTIVE", type: "gauge", help: "Ratio of time the graphics engine is active." },
  { field: "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", type: "gauge", help: "Ratio of cycles the tensor (HMMA) pipe is active." },
  { field: "DCGM_FI_PROF_DRAM_ACTIVE", type: "gauge", help: "Ratio of cycles the device memory interface is active." },
  { field: "DCGM_FI_DEV_FB_USED", type: "gauge", help: "Framebuffer memory used (in MiB)." },
  { field: "DCGM_FI_DEV_FB_FREE", type: "gauge", help: "Framebuffer memory free (in MiB)." },
];

/** The counters file in DCGM exporter's CSV format: `field, type, help`. */
export function countersCsv(counters: readonly Counter[] = DCGM_COUNTERS): string {
  return `${counters.map((c) => `${c.field}, ${c.type}, ${c.help}`).join("\n")}\n`;
}

export interface DcgmExporterProps {
  readonly site: Site;
}

/**
 * The exporter container's security context, as its image needs (4.2.3-4.1.3's
 * `docker/dcgm-exporter-entrypoint.sh`): the entrypoint runs `ldconfig` under `set -e`, which
 * rewrites /etc/ld.so.cache, so the root filesystem is writable; it runs as root, as upstream's
 * manifests do; profiling counters (`DCGM_FI_PROF_*`) need `SYS_ADMIN`, the only capability
 * added; `NO_SETCAP` skips the entrypoint's `setcap` on its own binary, which without
 * `CAP_SETFCAP` would only fail with a warning.
 */
export const DCGM_SECURITY_CONTEXT = {
  ...RESTRICTED_CONTAINER,
  readOnlyRootFilesystem: false,
  runAsNonRoot: false,
  runAsUser: 0,
  capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
};

/** The DCGM exporter DaemonSet, its counters ConfigMap and a headless Service for scraping. */
export class DcgmExporterChart extends Chart {
  constructor(scope: Construct, id: string, props: DcgmExporterProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const shared = siteSharedResources(props.site.pools);
    const ns = PLATFORM_NAMESPACES.nvidia;
    const labels = commonLabels(DCGM_EXPORTER.name);
    object(this, "counters", "v1", "ConfigMap", { name: DCGM_EXPORTER.configMap, namespace: ns, labels }, { data: { "counters.csv": countersCsv() } });
    object(this, "sa", "v1", "ServiceAccount", { name: DCGM_EXPORTER.name, namespace: ns, labels }, { automountServiceAccountToken: false });
    const exporter: Container = {
      name: DCGM_EXPORTER.name,
      image: IMAGES.dcgmExporter,
      args: ["-f", "/etc/dcgm-exporter/counters.csv"],
      env: [
        fieldEnv("NODE_NAME", "spec.nodeName"),
        { name: "DCGM_EXPORTER_LISTEN", value: `:${DCGM_EXPORTER.port}` },
        { name: "DCGM_EXPORTER_KUBERNETES", value: "true" },
        { name: "DCGM_EXPORTER_KUBERNETES_GPU_ID_TYPE", value: "uid" },
        ...(shared.length ? [{ name: "NVIDIA_RESOURCE_NAMES", value: shared.join(",") }] : []),
        { name: "NO_SETCAP", value: "true" },
        { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
      ],
      ports: [{ name: "metrics", containerPort: DCGM_EXPORTER.port, protocol: "TCP" }],
      securityContext: DCGM_SECURITY_CONTEXT,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
      readinessProbe: { httpGet: { path: "/health", port: DCGM_EXPORTER.port }, initialDelaySeconds: 30, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: "/health", port: DCGM_EXPORTER.port }, initialDelaySeconds: 60, periodSeconds: 30 },
      volumeMounts: [
        { name: "counters", mountPath: "/etc/dcgm-exporter", readOnly: true },
        { name: "pod-resources", mountPath: "/var/lib/kubelet/pod-resources", readOnly: true },
      ],
    };
    object(
      this,
      "ds",
      "apps/v1",
      "DaemonSet",
      { name: DCGM_EXPORTER.name, namespace: ns, labels, annotations: { [EVERY_GPU_POOL.key]: EVERY_GPU_POOL.value } },
      {
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": DCGM_EXPORTER.name } },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
          template: {
            metadata: { labels: { ...labels, app: MIG_CLIENTS.dcgmExporter.app } },
            spec: {
              serviceAccountName: DCGM_EXPORTER.name,
              priorityClassName: "system-node-critical",
              // It reads every GPU on the node without allocating one: NVIDIA's runtime, as the agents.
              runtimeClassName: NVIDIA_RUNTIME.name,
              affinity: gpuAgentAffinity(MIG_CLIENTS.dcgmExporter.deployLabel),
              tolerations: [GPU_TOLERATION],
              containers: [exporter],
              volumes: [
                { name: "counters", configMap: { name: DCGM_EXPORTER.configMap } },
                hostPath("pod-resources", "/var/lib/kubelet/pod-resources", "Directory"),
              ],
            },
          },
        },
      },
    );
    object(
      this,
      "svc",
      "v1",
      "Service",
      { name: DCGM_EXPORTER.name, namespace: ns, labels },
      {
        spec: {
          clusterIP: "None",
          selector: { "app.kubernetes.io/name": DCGM_EXPORTER.name },
          ports: [{ name: "metrics", port: DCGM_EXPORTER.port, targetPort: "metrics", protocol: "TCP" }],
        },
      },
    );
  }
}
