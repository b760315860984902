/**
 * The accelerator catalog: the public per-GPU figures that every capacity, power and placement
 * decision is derived from. Sites name a model; they never restate its figures.
 *
 * Figures are NVIDIA's peak dense tensor throughput per GPU (sparse is twice dense). Public
 * "PFLOPS" claims rarely name their precision, so a site declares the precision it counts and
 * the model reports every precision side by side.
 */

/** Numeric formats the capacity model counts. */
export const NUMBER_FORMATS = ["bf16", "fp8"] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

/** A precision a site counts its PFLOPS at: a number format, dense or with 2:4 sparsity. */
export const PRECISIONS = ["bf16-dense", "bf16-sparse", "fp8-dense", "fp8-sparse"] as const;
export type Precision = (typeof PRECISIONS)[number];

export const GPU_MODELS = ["A100", "H100", "H200", "H800", "B200", "GB200", "L40S"] as const;
export type GpuModel = (typeof GPU_MODELS)[number];

/** One accelerator's public figures. */
export interface GpuSpec {
  readonly model: GpuModel;
  /** The full product name, for reports and node labels' documentation. */
  readonly product: string;
  /** Memory per GPU in GB. */
  readonly memoryGB: number;
  /** The GPU's own maximum board power in watts (the figure NVIDIA publishes). */
  readonly tdpWatts: number;
  /**
   * Whole-server maximum power divided by its GPUs, in watts: the GPUs plus CPUs, NICs, fans
   * and switches. Facility power is sized on this, not on the GPUs alone, because an 8-GPU
   * H100 server draws 10.2 kW at full load while its GPUs account for 5.6 kW. Taken from the
   * vendor's reference system (DGX or NVL72 rack) where one exists; a pool may override it.
   */
  readonly serverWattsPerGpu: number;
  /** Peak dense tensor TFLOPS per number format; a format the GPU lacks is absent. */
  readonly denseTflops: Readonly<Partial<Record<NumberFormat, number>>>;
  /** Whether the GPU can be partitioned with Multi-Instance GPU. */
  readonly migCapable: boolean;
  /**
   * MIG profiles and how many instances of each one GPU holds when partitioned into that
   * profile alone (mig-parted's `all-<profile>` layouts in the GPU Operator's default config,
   * v25.10.1, checked against it by a test); empty for a GPU without MIG.
   */
  readonly migProfiles: Readonly<Record<string, number>>;
  /** The PCI device ID mig-parted's configs filter by (`0x<device><vendor>`), for the same test. */
  readonly pciDeviceId: string;
  /** The host CPU architecture of the model's servers: GB200's Grace is ARM. */
  readonly cpuArch: "x86_64" | "arm64";
  /** CPU cores of the reference server per GPU, for Slurm node definitions and quotas. */
  readonly cpusPerGpu: number;
  /** System memory of the reference server per GPU, in GB. */
  readonly memoryGBPerGpu: number;
  /**
   * GPUs in one NVLink domain that spans servers (an NVL72 rack: 72 GPUs on 18 compute trays),
   * which Slurm schedules as one block; absent where NVLink stays inside a server.
   */
  readonly nvlinkDomainGpus?: number;
}

/**
 * The catalog. H800 is the export variant of H100 with the same tensor throughput and a
 * narrower NVLink; A100 has no FP8 tensor cores, so it counts zero at FP8 precisions.
 * L40S server power is an assumption (an 8-GPU 4U server of about 4.5 kW). CPUs and memory
 * per GPU are the reference systems' (DGX A100: 128 cores, 1 TB; DGX H100/H200/B200: 112
 * cores, 2 TB; a GB200 compute tray: 144 Grace cores, 960 GB for 4 GPUs; an L40S server
 * taken as 64 cores, 1 TB).
 */
export const GPU_CATALOG: Readonly<Record<GpuModel, GpuSpec>> = {
  A100: {
    model: "A100",
    product: "NVIDIA A100 SXM4 80 GB",
    memoryGB: 80,
    tdpWatts: 400,
    serverWattsPerGpu: 812.5,
    denseTflops: { bf16: 312 },
    migCapable: true,
    migProfiles: { "1g.10gb": 7, "1g.20gb": 4, "2g.20gb": 3, "3g.40gb": 2, "4g.40gb": 1, "7g.80gb": 1 },
    pciDeviceId: "0x20B210DE",
    cpuArch: "x86_64",
    cpusPerGpu: 16,
    memoryGBPerGpu: 128,
  },
  H100: {
    model: "H100",
    product: "NVIDIA H100 SXM5 80 GB",
    memoryGB: 80,
    tdpWatts: 700,
    serverWattsPerGpu: 1275,
    denseTflops: { bf16: 989, fp8: 1979 },
    migCapable: true,
    migProfiles: { "1g.10gb": 7, "1g.20gb": 4, "2g.20gb": 3, "3g.40gb": 2, "4g.40gb": 1, "7g.80gb": 1 },
    pciDeviceId: "0x233010DE",
    cpuArch: "x86_64",
    cpusPerGpu: 14,
    memoryGBPerGpu: 256,
  },
  H200: {
    model: "H200",
    product: "NVIDIA H200 SXM 141 GB",
    memoryGB: 141,
    tdpWatts: 700,
    serverWattsPerGpu: 1275,
    denseTflops: { bf16: 989, fp8: 1979 },
    migCapable: true,
    migProfiles: { "1g.18gb": 7, "1g.35gb": 4, "2g.35gb": 3, "3g.71gb": 2, "4g.71gb": 1, "7g.141gb": 1 },
    pciDeviceId: "0x233510DE",
    cpuArch: "x86_64",
    cpusPerGpu: 14,
    memoryGBPerGpu: 256,
  },
  H800: {
    model: "H800",
    product: "NVIDIA H800 SXM5 80 GB",
    memoryGB: 80,
    tdpWatts: 700,
    serverWattsPerGpu: 1275,
    denseTflops: { bf16: 989, fp8: 1979 },
    migCapable: true,
    migProfiles: { "1g.10gb": 7, "1g.20gb": 4, "2g.20gb": 3, "3g.40gb": 2, "4g.40gb": 1, "7g.80gb": 1 },
    pciDeviceId: "0x232410DE",
    cpuArch: "x86_64",
    cpusPerGpu: 14,
    memoryGBPerGpu: 256,
  },
  B200: {
    model: "B200",
    product: "NVIDIA B200 SXM 180 GB",
    memoryGB: 180,
    tdpWatts: 1000,
    serverWattsPerGpu: 1787.5,
    denseTflops: { bf16: 2250, fp8: 4500 },
    migCapable: true,
    migProfiles: { "1g.23gb": 7, "1g.45gb": 4, "2g.45gb": 3, "3g.90gb": 2, "4g.90gb": 1, "7g.180gb": 1 },
    pciDeviceId: "0x290110DE",
    cpuArch: "x86_64",
    cpusPerGpu: 14,
    memoryGBPerGpu: 256,
  },
  GB200: {
    model: "GB200",
    product: "NVIDIA GB200 NVL72 (per Blackwell GPU)",
    memoryGB: 186,
    tdpWatts: 1200,
    serverWattsPerGpu: 1833,
    denseTflops: { bf16: 2500, fp8: 5000 },
    migCapable: true,
    migProfiles: { "1g.23gb": 7, "1g.47gb": 4, "2g.47gb": 3, "3g.93gb": 2, "4g.93gb": 1, "7g.186gb": 1 },
    pciDeviceId: "0x294110DE",
    cpuArch: "arm64",
    cpusPerGpu: 36,
    memoryGBPerGpu: 240,
    nvlinkDomainGpus: 72,
  },
  L40S: {
    model: "L40S",
    product: "NVIDIA L40S 48 GB",
    memoryGB: 48,
    tdpWatts: 350,
    serverWattsPerGpu: 560,
    denseTflops: { bf16: 362, fp8: 733 },
    migCapable: false,
    migProfiles: {},
    pciDeviceId: "0x26B910DE",
    cpuArch: "x86_64",
    cpusPerGpu: 8,
    memoryGBPerGpu: 128,
  },
};

/**
 * Peak TFLOPS of one GPU at a precision, or 0 where the GPU lacks the number format: a site
 * that counts FP8 gains nothing from its A100s, and the report shows that rather than hiding it.
 */
export function gpuTflops(spec: GpuSpec, precision: Precision): number {
  const [format, sparsity] = precision.split("-") as [NumberFormat, "dense" | "sparse"];
  const dense = spec.denseTflops[format] ?? 0;
  return sparsity === "sparse" ? dense * 2 : dense;
}

/** Known subsidy schemes and the share of computing cost each pays by default. */
export const SUBSIDY_SCHEMES = {
  /** The HK$3 billion AI Subsidy Scheme run by Cyberport: about 70% of approved users' cost. */
  "ai-subsidy-scheme": { title: "AI Subsidy Scheme (HK$3 billion, Cyberport)", defaultShare: 0.7 },
} as const;
export type SubsidyScheme = keyof typeof SUBSIDY_SCHEMES;
