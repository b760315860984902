import { gpuContainerdConfig } from "../../charts/containerd";
import { GPU_TAINT, SYSTEM_NODE_LABEL, SYSTEM_NODE_SELECTOR, SYSTEM_POOL } from "../../inventory/platform";
import { LIMITS } from "../../inventory/limits";
import { Site } from "../../inventory/types";
import { gpuNodeLabels } from "./node-groups";

/**
 * Pure decisions about the site's EKS Hybrid Nodes: one SSM activation per on-premises pool,
 * its lifetime and headroom, and the nodeadm configuration a server boots with. The component
 * (./hybrid-nodes) only wires these to AWS.
 */

const DAY_MS = 86_400_000;

/** A date (YYYY-MM-DD) `days` after the Unix epoch. */
function epochDay(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** When the activations issued on `asOf` were issued and when they expire. */
export interface ActivationWindow {
  /** The first day (YYYY-MM-DD) of the rotation period `asOf` falls in. */
  readonly period: string;
  /** RFC 3339, as SSM takes it: two periods after the period's first day. */
  readonly expirationDate: string;
}

/**
 * The activation window of the rotation period holding `asOf`. Periods of `rotationDays` are
 * counted from the Unix epoch, so every stack and every run on the same day agree. An
 * activation created during a period (never before its first day) expires two periods after
 * that day: at most 30 days after its creation when `rotationDays` is at most 15, as SSM
 * requires, and at least one period after it. The first `pulumi up` of each period therefore
 * replaces every activation (its expiration date changed) and writes the new code into the
 * pool's parameter, while a server still being provisioned with the previous code has the rest
 * of the old activation's life to register. Servers already registered are not affected:
 * deleting an activation does not deregister its managed instances.
 */
export function activationWindow(asOf: string, rotationDays: number): ActivationWindow {
  const day = Math.floor(Date.parse(`${asOf}T00:00:00Z`) / DAY_MS);
  const start = Math.floor(day / rotationDays) * rotationDays;
  return { period: epochDay(start), expirationDate: `${epochDay(start + 2 * rotationDays)}T00:00:00Z` };
}

/**
 * How many servers a pool's activation registers: the pool's nodes plus a tenth (at least two)
 * for servers re-imaged during the period, since a re-imaged server registers again as a new
 * managed instance and would otherwise find the activation used up. Capped at SSM's maximum, 1,000 (the largest on-premises pool the inventory accepts).
 */
export function registrationLimit(nodes: number): number {
  return Math.min(LIMITS.nodesPerOnPremPool, nodes + Math.max(2, Math.ceil(nodes / 10)));
}

/** A kubelet taint, as a node registers with it. */
export interface NodeTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
}

export interface HybridActivationSpec {
  readonly pool: string;
  /** The servers the inventory declares for the pool. */
  readonly nodes: number;
  readonly registrationLimit: number;
  readonly expirationDate: string;
  readonly description: string;
  readonly tags: Record<string, string>;
  /** What each server registers with: hybrid nodes are in no node group, so they declare these themselves. */
  readonly labels: Record<string, string>;
  readonly taints: readonly NodeTaint[];
  /** GPU pools only: the containerd drop-in that registers NVIDIA's runtime and CDI (see charts/containerd). */
  readonly containerdConfig?: string;
}

/** Whether the site has on-premises servers (GPU pools or system nodes) that join as hybrid nodes. */
export function hasHybridNodes(site: Site): boolean {
  return site.pools.some((p) => p.placement === "on-prem") || (site.system.placement === "on-prem" && (site.system.nodes ?? 0) > 0);
}

/**
 * One SSM activation per on-premises pool: each GPU pool's, and the system nodes' when they are
 * on premises (untainted, labelled for the platform); valid for the window of `asOf`
 * ({@link activationWindow}), tagged with the site, the pool, its nodes and the period it was issued for.
 */
export function hybridActivations(site: Site, asOf: string): HybridActivationSpec[] {
  const window = activationWindow(asOf, site.cluster.activationRotationDays);
  const common = (pool: string, nodes: number) => ({
    pool,
    nodes,
    registrationLimit: registrationLimit(nodes),
    expirationDate: window.expirationDate,
  });
  const tags = (pool: string, nodes: number, extra: Record<string, string>) => ({
    "aisc.hk/site": site.name,
    "aisc.hk/pool": pool,
    "aisc.hk/nodes": String(nodes),
    ...extra,
    "aisc.hk/activation-period": window.period,
  });
  const gpuPools = site.pools
    .filter((p) => p.placement === "on-prem")
    .map((p) => ({
      ...common(p.name, p.nodes),
      description: `EKS Hybrid Nodes for ${site.name} pool ${p.name}: ${p.nodes} x ${p.gpusPerNode} ${p.gpu.model}`,
      tags: tags(p.name, p.nodes, { "aisc.hk/gpu-model": p.gpu.model, "aisc.hk/gpus-per-node": String(p.gpusPerNode) }),
      labels: gpuNodeLabels(p),
      taints: [GPU_TAINT],
      containerdConfig: gpuContainerdConfig(site.region),
    }));
  const { system } = site;
  if (system.placement !== "on-prem" || !system.nodes) return gpuPools;
  return [
    {
      ...common(SYSTEM_POOL, system.nodes),
      description: `EKS Hybrid Nodes for ${site.name} system nodes: ${system.nodes} servers for the platform's own pods`,
      tags: tags(SYSTEM_POOL, system.nodes, { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value }),
      labels: { ...SYSTEM_NODE_SELECTOR },
      taints: [],
    },
    ...gpuPools,
  ];
}

/**
 * The nodeadm `NodeConfig` an on-premises server of `pool` boots with to join as a hybrid node:
 * the cluster, the pool's SSM activation, the pool's labels and GPU taint as kubelet flags
 * (hybrid nodes are not in a node group, so the node itself must declare them), the credentials
 * file for Pod Identity (aws/eks-hybrid api/v1alpha1 `HybridOptions.EnableCredentialsFile`) and,
 * for GPU pools, the containerd config that gives the node NVIDIA's runtime and CDI.
 */
export function nodeadmConfig(
  cluster: string,
  region: string,
  activationId: string,
  activationCode: string,
  spec: Pick<HybridActivationSpec, "labels" | "taints" | "containerdConfig">,
): string {
  const labels = Object.entries(spec.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const taints = spec.taints.map((t) => `${t.key}=${t.value}:${t.effect}`).join(",");
  return JSON.stringify({
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: {
      cluster: { name: cluster, region },
      // The credentials file lets the Pod Identity agent's hybrid DaemonSet (./addons) serve pods here.
      hybrid: { ssm: { activationId, activationCode }, enableCredentialsFile: true },
      kubelet: { flags: [`--node-labels=${labels}`, ...(taints ? [`--register-with-taints=${taints}`] : [])] },
      ...(spec.containerdConfig ? { containerd: { config: spec.containerdConfig } } : {}),
    },
  });
}
