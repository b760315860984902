import { GpuModel } from "./catalog";

/**
 * EC2 GPU instance types for cloud burst pools, by GPU model. A cloud pool's GPUs per node must
 * match its instance type, since EKS schedules on what the instance really has. H800 is a
 * China export part that AWS does not offer, so a cloud H800 pool is an inventory error.
 * Regional availability (ap-east-1 offers fewer GPU families than us-east-1) is AWS's to
 * answer at `pulumi up`: this table says only which types carry which GPUs.
 */
export interface InstanceType {
  readonly name: string;
  readonly gpus: number;
  /** Whether the type has Elastic Fabric Adapter interfaces for GPU-to-GPU RDMA. */
  readonly efa: boolean;
}

export const CLOUD_INSTANCE_TYPES: Readonly<Record<GpuModel, readonly InstanceType[]>> = {
  A100: [
    { name: "p4de.24xlarge", gpus: 8, efa: true },
    { name: "p4d.24xlarge", gpus: 8, efa: true },
  ],
  H100: [{ name: "p5.48xlarge", gpus: 8, efa: true }],
  H200: [
    { name: "p5en.48xlarge", gpus: 8, efa: true },
    { name: "p5e.48xlarge", gpus: 8, efa: true },
  ],
  H800: [],
  B200: [{ name: "p6-b200.48xlarge", gpus: 8, efa: true }],
  GB200: [{ name: "p6e-gb200.36xlarge", gpus: 4, efa: true }],
  L40S: [
    { name: "g6e.48xlarge", gpus: 8, efa: true },
    { name: "g6e.24xlarge", gpus: 4, efa: true },
    { name: "g6e.12xlarge", gpus: 4, efa: true },
    { name: "g6e.xlarge", gpus: 1, efa: false },
  ],
};

/** The instance types that carry `gpus` GPUs of `model`, preferred first. */
export function instanceTypesFor(model: GpuModel, gpus: number): InstanceType[] {
  return CLOUD_INSTANCE_TYPES[model].filter((t) => t.gpus === gpus);
}

/** Looks an instance type up by name across the whole table. */
export function findInstanceType(name: string): { model: GpuModel; type: InstanceType } | undefined {
  for (const [model, types] of Object.entries(CLOUD_INSTANCE_TYPES)) {
    const type = types.find((t) => t.name === name);
    if (type) return { model: model as GpuModel, type };
  }
  return undefined;
}
