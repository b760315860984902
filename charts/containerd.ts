import { EKS_REGISTRY_ACCOUNTS, NVIDIA_RUNTIME } from "../inventory/platform";

/**
 * The containerd configuration every GPU node joins with (nodeadm's `spec.containerd.config`).
 *
 * What it adds: NVIDIA's runtime under the handler `nvidia` (for the RuntimeClass the GPU agents
 * use) and CDI, through which the device plugin (`deviceListStrategy: cdi-cri`) hands each
 * container exactly the GPUs the kubelet allocated it. The default runtime stays `runc`, so a
 * pod that asked for no GPU gets none, whatever `NVIDIA_VISIBLE_DEVICES` its image or spec sets:
 * only NVIDIA's runtime reads that variable, and only the platform's agents run under it.
 *
 * Why it restates the rest of nodeadm's CRI section (aws/eks-hybrid
 * `internal/containerd/config.template.toml`): nodeadm writes this text as a drop-in that
 * containerd imports, and containerd versions that replace a plugin's section on import rather
 * than merge it would otherwise lose the runc runtime's systemd cgroups, the pause image, the
 * registry and CNI paths. Restated with nodeadm's own values, the result is the same under
 * either rule. The EKS GPU AMI's nodeadm (cloud pools) merges the same keys into its config,
 * where it also moves the default runtime back from `nvidia` to `runc`.
 */
export function gpuContainerdConfig(region: string): string {
  const account = EKS_REGISTRY_ACCOUNTS[region];
  if (!account) throw new RangeError(`no EKS image registry known for region ${region}`);
  return toml([
    [CRI, [`sandbox_image = "${account}.dkr.ecr.${region}.amazonaws.com/eks/pause:3.5"`, ...CDI]],
    [`${CRI}.containerd`, [`default_runtime_name = "runc"`, "discard_unpacked_layers = true"]],
    [`${CRI}.containerd.runtimes.runc`, [`runtime_type = "io.containerd.runc.v2"`]],
    [`${CRI}.containerd.runtimes.runc.options`, ["SystemdCgroup = true"]],
    ...NVIDIA,
    [`${CRI}.registry`, [`config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"`]],
    [`${CRI}.cni`, [`bin_dir = "/opt/cni/bin"`, `conf_dir = "/etc/cni/net.d"`]],
  ]);
}

/**
 * The same for a cloud GPU node group, whose EKS GPU AMI merges these keys into its own config
 * key by key (awslabs/amazon-eks-ami `nodeadm/internal/containerd/config.go`), so only what
 * changes is said: the default runtime back to `runc` (the AMI makes `nvidia` the default when
 * NVIDIA's runtime is installed), CDI on, and NVIDIA's runtime as the agents' handler.
 */
export function cloudGpuContainerdConfig(): string {
  return toml([[CRI, [...CDI]], [`${CRI}.containerd`, [`default_runtime_name = "runc"`]], ...NVIDIA]);
}

const CRI = `plugins."io.containerd.grpc.v1.cri"`;
const CDI = ["enable_cdi = true", `cdi_spec_dirs = ["/etc/cdi", "/var/run/cdi"]`];
const NVIDIA: [string, string[]][] = [
  [`${CRI}.containerd.runtimes.${NVIDIA_RUNTIME.name}`, [`runtime_type = "io.containerd.runc.v2"`]],
  [`${CRI}.containerd.runtimes.${NVIDIA_RUNTIME.name}.options`, [`BinaryName = "${NVIDIA_RUNTIME.binary}"`, "SystemdCgroup = true"]],
];

/** A version 2 containerd config from its tables, in order. */
function toml(tables: readonly [string, readonly string[]][]): string {
  return ["version = 2", ...tables.flatMap(([name, lines]) => ["", `[${name}]`, ...lines])].join("\n") + "\n";
}

/**
 * The user data of a managed node group's launch template: a MIME multi-part document whose
 * one part is a nodeadm NodeConfig (EKS merges it with the cluster's own for AL2023 nodes).
 */
export function nodeConfigUserData(containerdConfig: string): string {
  const nodeConfig = JSON.stringify({ apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: { containerd: { config: containerdConfig } } });
  const body = [
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="BOUNDARY"',
    "",
    "--BOUNDARY",
    "Content-Type: application/node.eks.aws",
    "",
    nodeConfig,
    "",
    "--BOUNDARY--",
    "",
  ].join("\n");
  return Buffer.from(body, "utf8").toString("base64");
}
