import * as assert from "assert";
import { GPU_CATALOG, gpuTflops } from "../../inventory/catalog";
import { capacityOf, milestoneStatus } from "../../inventory/capacity";
import { parseSite } from "../../inventory/parse";
import { GpuPool } from "../../inventory/types";
import { gpuResourceRows } from "../../inventory/summary";
import { cloudSite, mutated, withCloudPool } from "../helpers/fixtures";

function pool(over: Partial<GpuPool> & Pick<GpuPool, "gpu" | "gpusPerNode" | "nodes">): GpuPool {
  return {
    name: "p",
    placement: "on-prem",
    sharing: { migStrategy: "none" },
    nodeWatts: over.gpu.serverWattsPerGpu * over.gpusPerNode,
    ...over,
  };
}

describe("capacity maths", () => {
  it("counts sparse as twice dense and a missing format as zero", () => {
    assert.strictEqual(gpuTflops(GPU_CATALOG.H100, "fp8-dense"), 1979);
    assert.strictEqual(gpuTflops(GPU_CATALOG.H100, "fp8-sparse"), 3958);
    assert.strictEqual(gpuTflops(GPU_CATALOG.B200, "bf16-dense"), 2250);
    assert.strictEqual(gpuTflops(GPU_CATALOG.A100, "bf16-sparse"), 624);
    assert.strictEqual(gpuTflops(GPU_CATALOG.A100, "fp8-dense"), 0);
  });

  it("adds up 64 H100 nodes and 10 L40S nodes by hand", () => {
    // 512 H100: 512 x 1,979 = 1,013,248 TF FP8; 80 L40S: 80 x 733 = 58,640 TF. Total 1,071.888 PF.
    // BF16: 512 x 989 + 80 x 362 = 506,368 + 28,960 = 535.328 PF.
    // GPU power: 512 x 700 + 80 x 350 = 386,400 W. IT: 64 x 10,200 + 10 x 4,480 = 697,600 W.
    const c = capacityOf(
      [pool({ gpu: GPU_CATALOG.H100, gpusPerNode: 8, nodes: 64 }), pool({ gpu: GPU_CATALOG.L40S, gpusPerNode: 8, nodes: 10 })],
      "fp8-dense",
      1.3,
    );
    assert.deepStrictEqual(c, {
      nodes: 74,
      gpus: 592,
      gpusByModel: { H100: 512, L40S: 80 },
      pflops: 1071.888,
      pflopsByPrecision: { "bf16-dense": 535.328, "bf16-sparse": 1070.656, "fp8-dense": 1071.888, "fp8-sparse": 2143.776 },
      gpuPowerMW: 0.386,
      itPowerMW: 0.698,
      facilityPowerMW: 0.907,
    });
  });

  it("counts cloud pools' GPUs and PFLOPS but not their power", () => {
    const c = capacityOf([pool({ gpu: GPU_CATALOG.H200, gpusPerNode: 8, nodes: 2, placement: "cloud" })], "bf16-dense", 1.5);
    assert.strictEqual(c.gpus, 16);
    assert.strictEqual(c.pflops, 15.824);
    assert.strictEqual(c.itPowerMW, 0);
    assert.strictEqual(c.facilityPowerMW, 0);
  });

  it("counts GB200 at 5,000 TF FP8 per GPU and its rack's power per GPU", () => {
    // One NVL72 rack: 18 trays of 4 GPUs = 72 GPUs; 72 x 5,000 = 360 PF; 72 x 1,833 W = 131,976 W.
    const c = capacityOf([pool({ gpu: GPU_CATALOG.GB200, gpusPerNode: 4, nodes: 18 })], "fp8-dense", 1);
    assert.strictEqual(c.pflops, 360);
    assert.strictEqual(c.itPowerMW, 0.132);
  });

  it("meets a milestone only with on-prem pools in service by its date", () => {
    const pools = [
      pool({ name: "now", gpu: GPU_CATALOG.H100, gpusPerNode: 8, nodes: 10 }),
      pool({ name: "later", gpu: GPU_CATALOG.B200, gpusPerNode: 8, nodes: 10, inService: "2027-06-30" }),
      pool({ name: "burst", gpu: GPU_CATALOG.H100, gpusPerNode: 8, nodes: 100, placement: "cloud" }),
    ];
    // 80 x 1,979 = 158.32 PF now; with 80 B200 x 4,500 = 360 PF more from mid-2027.
    const status = milestoneStatus(
      pools,
      [
        { name: "a", date: "2027-06-29", pflops: 200 },
        { name: "b", date: "2027-06-30", pflops: 500 },
      ],
      "fp8-dense",
    );
    assert.deepStrictEqual(
      status.map((m) => [m.plannedPflops, m.met]),
      [
        [158.32, false],
        [518.32, true],
      ],
    );
  });

  it("derives the entitlement total and a site's figures from its inventory", () => {
    const site = parseSite(cloudSite());
    assert.strictEqual(site.capacity.entitledGpus, 28);
    // 32 + 8 H100 = 40 x 1,979 = 79,160 TF; 8 L40S x 733 = 5,864 TF: 85.024 PF.
    assert.strictEqual(site.capacity.pflops, 85.024);
    assert.deepStrictEqual(site.capacity.gpusByModel, { H100: 40, L40S: 8 });
    // The opening milestone (2026-01-31) sees the 4 H100 nodes only: 32 x 1,979 = 63.328 PF.
    assert.deepStrictEqual(site.capacity.milestones, [{ name: "Opening", date: "2026-01-31", pflops: 60, plannedPflops: 63.328, met: true }]);
  });
});

describe("GPU resources by class", () => {
  it("splits each resource the pools advertise into on-premises and cloud, beside what tenants are entitled to", () => {
    const site = parseSite(
      mutated((s) => {
        withCloudPool(s);
        s.pools[0].sharing = { migStrategy: "mixed", migLayout: "all-1g.10gb" };
        s.slurm.partitions = [s.slurm.partitions[1]];
        s.tenants[0].migSlices = { "1g.10gb": 14 };
        s.tenants[1].sharedGpus = { "nvidia.com/gpu.shared": 8 };
      }),
    );
    assert.deepStrictEqual(gpuResourceRows(site), [
      { resource: "nvidia.com/gpu", class: "whole", onPrem: 0, cloud: 8, entitled: site.tenants.reduce((n, t) => n + t.gpus, 0) },
      { resource: "nvidia.com/gpu.shared", class: "shared", onPrem: 2 * 4 * 4, cloud: 0, entitled: 8 },
      { resource: "nvidia.com/mig-1g.10gb", class: "mig", onPrem: 4 * 8 * 7, cloud: 0, entitled: 14 },
    ]);
  });
});
