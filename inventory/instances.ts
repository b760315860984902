import { GpuModel } from "./catalog";

/**
 * EC2 GPU instance types for cloud burst pools, by GPU model. A cloud pool's GPUs per node must
 * match its instance type, since EKS schedules on what the instance really has. Regional
 * availability (ap-east-1 offers fewer GPU families than us-east-1) is AWS's to answer at
 * `pulumi up`: this table says only which types carry which GPUs.
 *
 * Network cards are EC2's `NetworkInfo.MaximumNetworkCards` for each type, as recorded in
 * aws/karpenter-provider-aws's generated `pkg/providers/instancetype/zz_generated.vpclimits.go`
 * (generated 2026-08-06, commit 1d927085): an EFA pool's launch template attaches one EFA
 * interface per card, since each card carries its own share of the instance's RDMA bandwidth
 * (a p5.48xlarge with one interface reaches 100 of its 3,200 Gbps).
 */
export interface InstanceType {
  readonly name: string;
  readonly gpus: number;
  /** Whether the type has Elastic Fabric Adapter interfaces for GPU-to-GPU RDMA. */
  readonly efa: boolean;
  /** The instance's network cards; with EFA, one interface goes on each. */
  readonly networkCards: number;
}

/**
 * Why a GPU model has no cloud instance type, for the inventory's error. GB200 is sold only as
 * P6e-GB200 UltraServer Capacity Blocks, which need the Dallas Local Zone (EC2 user guide,
 * "Launch instances using Capacity Blocks") and pair EFA and EFA-only interfaces on alternate
 * cards, a layout no public table gives per card.
 */
export const NOT_IN_THE_CLOUD: Readonly<Partial<Record<GpuModel, string>>> = {
  H800: "a China export part that AWS does not offer",
  GB200: "AWS sells it only as P6e-GB200 UltraServer Capacity Blocks in the Dallas Local Zone",
};

export const CLOUD_INSTANCE_TYPES: Readonly<Record<GpuModel, readonly InstanceType[]>> = {
  A100: [
    { name: "p4de.24xlarge", gpus: 8, efa: true, networkCards: 4 },
    { name: "p4d.24xlarge", gpus: 8, efa: true, networkCards: 4 },
  ],
  H100: [{ name: "p5.48xlarge", gpus: 8, efa: true, networkCards: 32 }],
  H200: [
    { name: "p5en.48xlarge", gpus: 8, efa: true, networkCards: 16 },
    { name: "p5e.48xlarge", gpus: 8, efa: true, networkCards: 32 },
  ],
  H800: [],
  B200: [{ name: "p6-b200.48xlarge", gpus: 8, efa: true, networkCards: 8 }],
  GB200: [],
  L40S: [
    { name: "g6e.48xlarge", gpus: 8, efa: true, networkCards: 4 },
    { name: "g6e.24xlarge", gpus: 4, efa: true, networkCards: 2 },
    { name: "g6e.12xlarge", gpus: 4, efa: true, networkCards: 1 },
    { name: "g6e.xlarge", gpus: 1, efa: false, networkCards: 1 },
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
