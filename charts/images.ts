/**
 * Every container image aisc deploys, pinned to a release tag in one place, so that upgrades
 * are one reviewed diff and the security policy can check that nothing floats on `latest`.
 */
export const IMAGES = {
  /** Device plugin, GPU Feature Discovery, config-manager and MPS control daemon ship as one image. */
  devicePlugin: "nvcr.io/nvidia/k8s-device-plugin:v0.17.1",
  // The MIG manager the GPU Operator v25.10.1 pins (deployments/gpu-operator/values.yaml).
  migManager: "nvcr.io/nvidia/cloud-native/k8s-mig-manager:v0.13.1",
  dcgmExporter: "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04",
} as const;
