import * as assert from "assert";
import { GPU_CATALOG } from "../../inventory/catalog";
import { parsePool } from "../../inventory/parse-pools";
import { Reader } from "../../inventory/reader";
import { GpuPool } from "../../inventory/types";

/** One GPU pool parsed on its own: the pool it yields, or every issue at its key and no pool. */

function pool(value: unknown): [GpuPool | undefined, string[]] {
  const r = new Reader();
  const parsed = parsePool(r, "p", value);
  return [parsed, r.issues.map((i) => `${i.path}: ${i.message}`)];
}

const H100 = { name: "h100-a", gpu: "H100", gpusPerNode: 8, nodes: 4 };
const L40S_CLOUD = { name: "l40s-burst", gpu: "L40S", gpusPerNode: 4, nodes: 2, placement: "cloud" };
const RESOURCE_NAME_WHAT = "a resource name nvidia.com/<name> with a name of at most 63 letters, digits, '-', '_' or '.'";

/** Expects `value` to be rejected with exactly `issues`. */
function rejects(value: unknown, issues: string[]) {
  assert.deepStrictEqual(pool(value), [undefined, issues], JSON.stringify(value));
}

describe("parsePool", () => {
  it("fills an on-prem pool's defaults: placement, no sharing, the reference server's power", () => {
    assert.deepStrictEqual(pool(H100), [
      { name: "h100-a", gpu: GPU_CATALOG.H100, gpusPerNode: 8, nodes: 4, placement: "on-prem", sharing: { migStrategy: "none" }, nodeWatts: 10200 },
      [],
    ]);
  });

  it("keeps a date in service and a node power of its own", () => {
    const [parsed] = pool({ ...H100, inService: "2027-06-30", nodeWatts: 9000, placement: "on-prem" });
    assert.deepStrictEqual([parsed?.inService, parsed?.nodeWatts, parsed?.placement], ["2027-06-30", 9000, "on-prem"]);
  });

  it("rejects what is not a mapping", () =>
    rejects(8, ["p: expected a mapping with name, gpu, gpusPerNode, nodes; optional placement, sharing, inService, nodeWatts, cloud, got 8"]));

  it("rejects bad names, models, sizes, placements, dates and powers, each at its key", () => {
    rejects({ ...H100, name: "H100-A" }, [
      "p.name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), got \"H100-A\"",
    ]);
    rejects({ ...H100, name: "a".repeat(41) }, [
      "p.name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit) of at most 40 characters, got 41",
    ]);
    rejects({ ...H100, gpu: "X1" }, ['p.gpu: expected one of A100, H100, H200, H800, B200, GB200, L40S, got "X1"']);
    rejects({ ...H100, placement: "edge" }, ['p.placement: expected one of on-prem, cloud, got "edge"']);
    rejects({ ...H100, inService: "soon" }, ['p.inService: expected a date written YYYY-MM-DD, got "soon"']);
    rejects({ ...H100, nodeWatts: 0 }, ["p.nodeWatts: expected a number greater than 0 and at most 500000, got 0"]);
    rejects({ ...H100, gpusPerNode: 17 }, ["p.gpusPerNode: expected an integer from 1 to 16, got 17"]);
    assert.strictEqual(pool({ ...H100, name: "a".repeat(40) })[0]?.name, "a".repeat(40));
  });

  it("rejects cloud settings on an on-prem pool, but says nothing of them when the placement is wrong", () => {
    rejects({ ...H100, cloud: { capacityType: "spot" } }, ["p.cloud: expected no cloud settings on an on-prem pool (set placement: cloud for a burst pool)"]);
    rejects({ ...H100, placement: "burst", cloud: { capacityType: "spot" } }, ['p.placement: expected one of on-prem, cloud, got "burst"']);
  });

  describe("sharing", () => {
    it("fills time-slicing's shared resource name, and keeps MPS's own", () => {
      assert.deepStrictEqual(pool({ ...H100, sharing: { timeSlicing: { replicas: 4 } } })[0]?.sharing, {
        migStrategy: "none",
        timeSlicing: { replicas: 4, resourceName: "nvidia.com/gpu.shared" },
      });
      assert.deepStrictEqual(pool({ ...H100, sharing: { mps: { replicas: 2, resourceName: "nvidia.com/gpu-mps" } } })[0]?.sharing, {
        migStrategy: "none",
        mps: { replicas: 2, resourceName: "nvidia.com/gpu-mps" },
      });
      assert.deepStrictEqual(pool({ ...H100, sharing: { migStrategy: "mixed", migLayout: "all-3g.40gb" } })[0]?.sharing, {
        migStrategy: "mixed",
        migLayout: { name: "all-3g.40gb", profile: "3g.40gb", perGpu: 2 },
      });
      assert.deepStrictEqual(pool({ ...H100, sharing: {} })[0]?.sharing, { migStrategy: "none" });
    });

    it("accepts resource names the device plugin accepts, down to one character", () => {
      for (const name of ["nvidia.com/g", "nvidia.com/gpu.a_b-c"])
        assert.strictEqual(pool({ ...H100, sharing: { timeSlicing: { replicas: 2, resourceName: name } } })[0]?.sharing.timeSlicing?.resourceName, name);
    });

    it("rejects resource names the device plugin would not start with, once each", () => {
      for (const name of ["xnvidia.com/gpu", "nvidia.com/gpu!", "nvidia.com/-gpu", "nvidia.com/gpu-", "nvidia.com/", 5]) {
        rejects({ ...H100, sharing: { timeSlicing: { replicas: 2, resourceName: name } } }, [
          `p.sharing.timeSlicing.resourceName: expected ${RESOURCE_NAME_WHAT}, got ${JSON.stringify(name)}`,
        ]);
      }
    });

    it("rejects sharing or replicas that are not mappings, and unknown MIG strategies, once each", () => {
      rejects({ ...H100, sharing: "mig" }, ['p.sharing: expected a mapping of migStrategy, migLayout, timeSlicing, mps (all optional), got "mig"']);
      rejects({ ...H100, sharing: { mps: 4 } }, ["p.sharing.mps: expected a mapping with replicas; optional resourceName, got 4"]);
      rejects({ ...H100, sharing: { timeSlicing: { replicas: 1025 } } }, ["p.sharing.timeSlicing.replicas: expected an integer from 2 to 1024, got 1025"]);
      rejects({ ...H100, gpu: "L40S", sharing: { migStrategy: "bogus" } }, ['p.sharing.migStrategy: expected one of none, single, mixed, got "bogus"']);
      rejects({ ...H100, sharing: { migStrategy: "bogus", mps: { replicas: 2 } } }, [
        'p.sharing.migStrategy: expected one of none, single, mixed, got "bogus"',
      ]);
    });

    it("rejects MPS with time-slicing, and MPS or time-slicing on MIG", () => {
      rejects({ ...H100, sharing: { timeSlicing: { replicas: 2 }, mps: { replicas: 2 } } }, [
        "p.sharing.mps: expected either timeSlicing or mps, not both: the device plugin shares a GPU one way",
      ]);
      rejects({ ...H100, sharing: { migStrategy: "mixed", migLayout: "all-1g.10gb", mps: { replicas: 2 } } }, [
        "p.sharing.mps: expected no mps on a MIG pool (migStrategy mixed): the device plugin does not run MPS on MIG devices",
      ]);
      rejects({ ...H100, sharing: { migStrategy: "mixed", migLayout: "all-1g.10gb", timeSlicing: { replicas: 2 } } }, [
        "p.sharing.timeSlicing: expected no timeSlicing on a MIG pool (migStrategy mixed): its slices are already the unit tenants share",
      ]);
    });

    it("takes MIG as mixed with a layout of the model's own profiles, keyed otherwise", () => {
      const h100 = "all-<profile> with a H100 MIG profile (all-1g.10gb, all-1g.20gb, all-2g.20gb, all-3g.40gb, all-4g.40gb, all-7g.80gb)";
      rejects({ ...H100, sharing: { migStrategy: "mixed" } }, [
        `p.sharing.migLayout: expected the pool's MIG layout, ${h100}: without one no GPU is partitioned and the pool advertises nothing`,
      ]);
      rejects({ ...H100, sharing: { migStrategy: "mixed", migLayout: "all-1g.18gb" } }, [`p.sharing.migLayout: expected ${h100}, got "all-1g.18gb"`]);
      rejects({ ...H100, sharing: { migStrategy: "mixed", migLayout: "all-balanced" } }, [`p.sharing.migLayout: expected ${h100}, got "all-balanced"`]);
      rejects({ ...H100, sharing: { migLayout: "all-1g.10gb" } }, ["p.sharing.migLayout: expected no migLayout without migStrategy mixed"]);
      rejects({ ...H100, sharing: { migStrategy: "single" } }, [
        "p.sharing.migStrategy: expected none or mixed: with single, every MIG slice is advertised as nvidia.com/gpu, and tenants' whole-GPU quotas would count slices as GPUs",
      ]);
      assert.deepStrictEqual(pool({ ...H100, gpu: "H200", sharing: { migStrategy: "mixed", migLayout: "all-1g.18gb" } })[0]?.sharing.migLayout, {
        name: "all-1g.18gb",
        profile: "1g.18gb",
        perGpu: 7,
      });
    });
  });

  describe("cloud", () => {
    it("takes a cloud pool held for tenants, never a spot one", () => {
      assert.strictEqual(pool({ ...H100, placement: "cloud", cloud: { guaranteed: true } })[0]?.cloud?.guaranteed, true);
      assert.strictEqual(pool({ ...H100, placement: "cloud", cloud: { guaranteed: false } })[0]?.cloud?.guaranteed, undefined);
      rejects({ ...H100, placement: "cloud", cloud: { capacityType: "spot", guaranteed: true } }, [
        "p.cloud.guaranteed: expected false for spot capacity: EC2 takes spot instances back at two minutes' notice",
      ]);
      rejects({ ...H100, placement: "cloud", cloud: { guaranteed: "yes" } }, ['p.cloud.guaranteed: expected true or false, got "yes"']);
    });

    it("picks the first instance type with the pool's GPUs, on demand by default", () => {
      assert.deepStrictEqual(pool({ ...L40S_CLOUD, cloud: {} })[0]?.cloud, {
        capacityType: "on-demand",
        instanceType: { name: "g6e.24xlarge", gpus: 4, efa: true, networkCards: 2 },
      });
      assert.deepStrictEqual(pool({ ...H100, placement: "cloud", cloud: { capacityType: "spot" } })[0]?.cloud, {
        capacityType: "spot",
        instanceType: { name: "p5.48xlarge", gpus: 8, efa: true, networkCards: 32 },
      });
    });

    it("takes a named instance type that has the pool's GPUs", () => {
      assert.deepStrictEqual(pool({ ...L40S_CLOUD, cloud: { instanceType: "g6e.12xlarge" } })[0]?.cloud?.instanceType, {
        name: "g6e.12xlarge",
        gpus: 4,
        efa: true,
        networkCards: 1,
      });
    });

    it("keeps a capacity block's reservation, start and zone, and any pool's zone", () => {
      const cloud = {
        capacityType: "capacity-block",
        capacityReservationId: "cr-0123456789abcdef0",
        capacityBlockStart: "2027-01-10T11:30:00Z",
        availabilityZone: "ap-northeast-1c",
      };
      assert.deepStrictEqual(pool({ ...L40S_CLOUD, cloud })[0]?.cloud, {
        ...cloud,
        instanceType: { name: "g6e.24xlarge", gpus: 4, efa: true, networkCards: 2 },
      });
      assert.strictEqual(pool({ ...L40S_CLOUD, cloud: { availabilityZone: "ap-northeast-1a" } })[0]?.cloud?.availabilityZone, "ap-northeast-1a");
    });

    it("rejects malformed reservations, a reservation or start without a capacity block, and a block without its start or zone", () => {
      const what = "the ID of the purchased EC2 Capacity Block (cr- and 17 hex digits)";
      const block = { capacityType: "capacity-block", capacityBlockStart: "2027-01-10T11:30:00Z", availabilityZone: "ap-northeast-1c" };
      for (const id of ["xcr-0123456789abcdef0", "cr-0123456789abcdef0x", "cr-0", "cr-0123456789ABCDEF0", "cr-ghijklmnopqrstuvw"]) {
        rejects({ ...L40S_CLOUD, cloud: { ...block, capacityReservationId: id } }, [`p.cloud.capacityReservationId: expected ${what}, got "${id}"`]);
      }
      rejects({ ...L40S_CLOUD, cloud: { capacityType: "spot", capacityReservationId: "cr-0123456789abcdef0" } }, [
        'p.cloud.capacityReservationId: expected no reservation unless capacityType is capacity-block, got capacityType "spot"',
      ]);
      rejects({ ...L40S_CLOUD, cloud: { capacityReservationId: "cr-0123456789abcdef0" } }, [
        'p.cloud.capacityReservationId: expected no reservation unless capacityType is capacity-block, got capacityType "on-demand"',
      ]);
      rejects({ ...L40S_CLOUD, cloud: { capacityBlockStart: "2027-01-10T11:30:00Z" } }, [
        'p.cloud.capacityBlockStart: expected no start unless capacityType is capacity-block, got capacityType "on-demand"',
      ]);
      rejects({ ...L40S_CLOUD, cloud: { capacityType: "capacity-block", capacityReservationId: "cr-0123456789abcdef0" } }, [
        "p.cloud.capacityBlockStart: expected the Capacity Block's start in UTC, as EC2 states it, such as 2027-01-10T11:30:00Z, got nothing",
        "p.cloud.availabilityZone: expected the Capacity Block's zone: EKS takes only subnets in the reservation's zone",
      ]);
      rejects(
        { ...L40S_CLOUD, cloud: { ...block, capacityReservationId: "cr-0123456789abcdef0", capacityBlockStart: "2027-01-10 11:30", availabilityZone: "1c" } },
        [
          'p.cloud.capacityBlockStart: expected the Capacity Block\'s start in UTC, as EC2 states it, such as 2027-01-10T11:30:00Z, got "2027-01-10 11:30"',
          'p.cloud.availabilityZone: expected one of the site\'s networks.availabilityZones, such as ap-east-1a, got "1c"',
        ],
      );
    });

    it("refuses cloud pools of models AWS offers no instance of, saying why", () => {
      rejects({ ...H100, gpu: "H800", placement: "cloud", cloud: {} }, [
        "p.cloud: expected a GPU model with an EC2 instance type for a cloud pool; H800 has none (a China export part that AWS does not offer; use placement on-prem)",
      ]);
      rejects(
        {
          ...H100,
          gpu: "GB200",
          gpusPerNode: 4,
          nodes: 18,
          placement: "cloud",
          cloud: {
            capacityType: "capacity-block",
            capacityReservationId: "cr-0123456789abcdef0",
            capacityBlockStart: "2027-01-10T11:30:00Z",
            availabilityZone: "us-east-1a",
          },
        },
        [
          "p.cloud: expected a GPU model with an EC2 instance type for a cloud pool; GB200 has none (AWS sells it only as P6e-GB200 UltraServer Capacity Blocks in the Dallas Local Zone; use placement on-prem)",
        ],
      );
    });

    it("rejects instance types of another model or size, and sizes no instance type has", () => {
      rejects({ ...L40S_CLOUD, cloud: { instanceType: "m5.large" } }, [
        'p.cloud.instanceType: expected an instance type with L40S GPUs (g6e.48xlarge, g6e.24xlarge, g6e.12xlarge, g6e.xlarge), got "m5.large"',
      ]);
      rejects({ ...L40S_CLOUD, cloud: { instanceType: "p5.48xlarge" } }, [
        'p.cloud.instanceType: expected an instance type with L40S GPUs (g6e.48xlarge, g6e.24xlarge, g6e.12xlarge, g6e.xlarge), got "p5.48xlarge"',
      ]);
      rejects({ ...L40S_CLOUD, gpusPerNode: 8, cloud: { instanceType: "g6e.12xlarge" } }, [
        "p.cloud.instanceType: expected an instance type with 8 GPUs (the pool's gpusPerNode); g6e.12xlarge has 4",
      ]);
      rejects({ ...L40S_CLOUD, gpusPerNode: 2, cloud: {} }, [
        "p.cloud: expected gpusPerNode of 8 or 4 or 1 for a cloud L40S pool (no instance type has 2 L40S GPUs)",
      ]);
      rejects({ ...L40S_CLOUD, cloud: { instanceType: 5 } }, ["p.cloud.instanceType: expected a non-empty string, got 5"]);
    });

    it("rejects bad cloud settings once, without a second issue from a bad model or size", () => {
      rejects({ ...L40S_CLOUD, cloud: "spot" }, [
        'p.cloud: expected a mapping of capacityType, instanceType, capacityReservationId, capacityBlockStart, availabilityZone, guaranteed (all optional), got "spot"',
      ]);
      rejects({ ...L40S_CLOUD, cloud: { capacityType: "reserved" } }, [
        'p.cloud.capacityType: expected one of on-demand, spot, capacity-block, got "reserved"',
      ]);
      rejects({ ...L40S_CLOUD, gpu: "X1", cloud: {} }, ['p.gpu: expected one of A100, H100, H200, H800, B200, GB200, L40S, got "X1"']);
      rejects({ ...L40S_CLOUD, gpusPerNode: 0, cloud: {} }, ["p.gpusPerNode: expected an integer from 1 to 16, got 0"]);
    });
  });
});
