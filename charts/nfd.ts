import { GPU_TOLERATION, gpuNodeAffinity } from "./common";
import { SYSTEM_NODE_SELECTOR } from "../inventory/platform";

/**
 * node-feature-discovery, pinned to the release the GPU Operator v25.10.1 installs beside the
 * device plugin (its Chart.yaml: node-feature-discovery v0.18.2). GPU Feature Discovery writes
 * its labels (`nvidia.com/gpu.product`, `nvidia.com/mig.capable`, ...) as a file in
 * `features.d`, and only NFD's worker turns that file into node labels, so without NFD they
 * never appear.
 */
export const NFD_CHART = {
  chart: "node-feature-discovery",
  version: "0.18.2",
  repo: "https://kubernetes-sigs.github.io/node-feature-discovery/charts",
} as const;

/**
 * The chart's values at v0.18.2: the worker on every GPU node (tolerating the GPU taint; it
 * reads the host's `features.d`, its default), the master and garbage collector on the system
 * nodes. Other nodes need no NFD labels: nothing aisc runs selects them.
 */
export function nfdValues(): Record<string, unknown> {
  return {
    master: { nodeSelector: { ...SYSTEM_NODE_SELECTOR } },
    gc: { nodeSelector: { ...SYSTEM_NODE_SELECTOR } },
    worker: { tolerations: [GPU_TOLERATION], affinity: gpuNodeAffinity() },
  };
}
