import * as assert from "assert";
import { parseSite } from "../../inventory/parse";
import { cloudSite, issuesOf, mutated, realSite, withCloudPool } from "../helpers/fixtures";

describe("parseSite", () => {
  describe("the real stacks", () => {
    it("parses cyberport with at least 3,000 PFLOPS and 20 tenants of every kind", () => {
      const site = parseSite(realSite("cyberport"));
      assert.strictEqual(site.name, "cyberport");
      assert.strictEqual(site.region, "ap-east-1");
      assert.ok(site.capacity.pflops >= 3000, `${site.capacity.pflops} PFLOPS`);
      assert.ok(site.tenants.length >= 20);
      assert.deepStrictEqual(new Set(site.tenants.map((t) => t.kind)), new Set(["university", "research-centre", "startup", "government", "enterprise"]));
      assert.ok(site.tenants.some((t) => t.subsidy?.scheme === "ai-subsidy-scheme"));
      assert.ok(site.capacity.milestones.every((m) => m.met));
    });

    it("parses sandy-ridge with milestones through 2030 that its phased pools meet", () => {
      const site = parseSite(realSite("sandy-ridge"));
      assert.deepStrictEqual(
        site.capacity.milestones.map((m) => [m.date, m.pflops, m.met]),
        [
          ["2027-12-31", 5000, true],
          ["2030-12-31", 12000, true],
        ],
      );
      assert.ok(site.pools.every((p) => p.inService !== undefined));
    });

    it("sizes both sites to the city's 15,000 PFLOPS target for 2030", () => {
      const total = ["cyberport", "sandy-ridge"].map((s) => parseSite(realSite(s)).capacity.milestones.at(-1)!.pflops).reduce((a, b) => a + b);
      assert.strictEqual(total, 15000);
    });
  });

  describe("defaults", () => {
    it("fills region, cluster settings, service CIDR, zones, sharing and fair share", () => {
      const site = parseSite(
        mutated((s) => {
          delete s.region;
          delete s.cluster.kind;
          delete s.cluster.kubernetesVersion;
        }),
      );
      assert.strictEqual(site.region, "ap-east-1");
      assert.deepStrictEqual(
        [site.cluster.kind, site.cluster.kubernetesVersion, site.cluster.supportType, site.cluster.endpointPublicAccess],
        ["eks", "1.36", "standard", false],
      );
      assert.strictEqual(site.networks.serviceCidr, "172.20.0.0/16");
      assert.deepStrictEqual(site.networks.availabilityZones, ["ap-east-1a", "ap-east-1b"]);
      assert.deepStrictEqual(site.pools[0].sharing, { migStrategy: "none" });
      assert.deepStrictEqual(site.pools[1].sharing, { migStrategy: "none", timeSlicing: { replicas: 4, resourceName: "nvidia.com/gpu.shared" } });
      assert.strictEqual(site.tenants[1].fairShare, 16);
      assert.strictEqual(site.pools[0].nodeWatts, 10200);
      assert.strictEqual(parseSite(cloudSite()).pools[2].cloud?.instanceType.name, "p5.48xlarge");
    });

    it("accepts a shared resource name of exactly 63 characters after nvidia.com/", () => {
      const name = `nvidia.com/${"g".repeat(63)}`;
      const site = parseSite(mutated((s) => (s.pools[1].sharing.timeSlicing.resourceName = name)));
      assert.strictEqual(site.pools[1].sharing.timeSlicing?.resourceName, name);
    });

    it("takes the AI Subsidy Scheme's 70% share when a tenant names the scheme alone", () => {
      const site = parseSite(mutated((s) => (s.tenants[0].subsidy = { scheme: "ai-subsidy-scheme" })));
      assert.deepStrictEqual(site.tenants[0].subsidy, { scheme: "ai-subsidy-scheme", share: 0.7 });
    });
  });

  describe("rejects", () => {
    const cases: [string, (s: Record<string, any>) => void, string[]][] = [
      [
        "a negative gpusPerNode",
        (s) => (withCloudPool(s), (s.pools[2].gpusPerNode = -8)),
        ["aisc:site.pools[2].gpusPerNode: expected an integer from 1 to 16, got -8"],
      ],
      [
        "a pool named like the device plugin's fallback config",
        (s) => (s.pools[0].name = "aisc-default"),
        [
          "aisc:site.pools[0].name: expected a name other than aisc-default, the device plugin's fallback config",
          'aisc:site.slurm.partitions[0].pools[0]: expected the name of a pool in aisc:site.pools (aisc-default, l40s-ts), got "h100-a"',
        ],
      ],
      ["a pool with zero nodes", (s) => (s.pools[0].nodes = 0), ["aisc:site.pools[0].nodes: expected an integer from 1 to 1000, got 0"]],
      [
        "a GPU model not in the catalog",
        (s) => (s.pools[0].gpu = "H20"),
        ['aisc:site.pools[0].gpu: expected one of A100, H100, H200, H800, B200, GB200, L40S, got "H20"'],
      ],
      [
        "a misspelled key",
        (s) => (s.pools[0].gpuPerNode = 8),
        ["aisc:site.pools[0].gpuPerNode: unknown key; expected one of name, gpu, gpusPerNode, nodes, placement, sharing, inService, nodeWatts, cloud"],
      ],
      ["a missing power block", (s) => delete s.power, ["aisc:site.power: expected a mapping with envelopeMW, pue, got nothing"]],
      ["a PUE below 1", (s) => (s.power.pue = 0.9), ["aisc:site.power.pue: expected a number at least 1 and at most 3, got 0.9"]],
      [
        "an unknown precision",
        (s) => (s.capacity.precision = "fp4"),
        ['aisc:site.capacity.precision: expected one of bf16-dense, bf16-sparse, fp8-dense, fp8-sparse, got "fp4"'],
      ],
      [
        "an impossible milestone date",
        (s) => (s.capacity.milestones[0].date = "2026-02-30"),
        ['aisc:site.capacity.milestones[0].date: expected a date written YYYY-MM-DD, got "2026-02-30"'],
      ],
      ["duplicate pool names", (s) => (s.pools[1].name = "h100-a"), ['aisc:site.pools[1].name: duplicate name "h100-a"; also at index 0']],
      [
        "an unknown tenant kind",
        (s) => (s.tenants[2].kind = "ngo"),
        ['aisc:site.tenants[2].kind: expected one of university, research-centre, startup, government, enterprise, got "ngo"'],
      ],
      [
        "a tenant name that is not a namespace name",
        (s) => (s.tenants[0].name = "Uni_A"),
        [
          "aisc:site.tenants[0].name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), usable as a namespace name, got \"Uni_A\"",
        ],
      ],
      [
        "a tenant named after a platform namespace",
        (s) => (s.tenants[0].name = "monitoring"),
        [
          'aisc:site.tenants[0].name: expected a name that is not a platform namespace (default, kube-*, nvidia-gpu, slinky, slurm, monitoring, cert-manager), got "monitoring"',
        ],
      ],
      [
        "an unknown subsidy scheme",
        (s) => (s.tenants[0].subsidy.scheme = "innohk"),
        ['aisc:site.tenants[0].subsidy.scheme: expected one of ai-subsidy-scheme, got "innohk"'],
      ],
      [
        "a subsidy share above 1",
        (s) => (s.tenants[0].subsidy.share = 1.5),
        ["aisc:site.tenants[0].subsidy.share: expected a number greater than 0 and at most 1, got 1.5"],
      ],
      [
        "a partition naming a missing pool",
        (s) => (withCloudPool(s), (s.slurm.partitions[1].pools = ["h100-cloud", "a100"])),
        ['aisc:site.slurm.partitions[1].pools[1]: expected the name of a pool in aisc:site.pools (h100-a, l40s-ts, h100-cloud), got "a100"'],
      ],
      [
        "a whole-GPU pool in no partition",
        (s) => (withCloudPool(s), (s.slurm.partitions[1].pools = ["h100-a"])),
        ['aisc:site.slurm.partitions: expected every whole-GPU pool in some partition; pool "h100-cloud" is in none'],
      ],
      [
        "a time-sliced pool in a partition",
        (s) => (withCloudPool(s), s.slurm.partitions[1].pools.push("l40s-ts")),
        [
          "aisc:site.slurm.partitions[1].pools[1]: expected a whole-GPU pool; l40s-ts shares its GPUs (MIG, time-slicing or MPS) with Kubernetes pods, and Slurm allocates whole GPUs",
        ],
      ],
      [
        "two default partitions",
        (s) => (withCloudPool(s), (s.slurm.partitions[1].default = true)),
        ["aisc:site.slurm.partitions: expected at most one default partition, got 2 (train, burst)"],
      ],
      [
        "login over plain LDAP",
        (s) => (s.slurm.login.ldapUri = "ldap://ldap.test.example"),
        ['aisc:site.slurm.login.ldapUri: expected an ldaps:// URI (login nodes look users up over TLS only), got "ldap://ldap.test.example"'],
      ],
      [
        "a missing login block",
        (s) => delete s.slurm.login,
        ["aisc:site.slurm.login: expected a mapping with ldapUri, searchBase; optional replicas, got nothing"],
      ],
      [
        "a malformed CIDR",
        (s) => (s.networks.vpcCidr = "10.10.0.1/16"),
        ['aisc:site.networks.vpcCidr: expected an IPv4 CIDR such as 10.0.0.0/16 with no host bits set, got "10.10.0.1/16"'],
      ],
      [
        "overlapping VPC and pod CIDRs",
        (s) => (s.networks.onPremPodCidrs = ["10.0.0.0/12"]),
        ["aisc:site.networks.onPremPodCidrs[0]: expected a range that does not overlap aisc:site.networks.vpcCidr (10.10.0.0/16), got 10.0.0.0/12"],
      ],
      [
        "a service CIDR overlapping on-prem nodes",
        (s) => (s.networks.serviceCidr = "10.20.0.0/16"),
        ["aisc:site.networks.onPremNodeCidrs[0]: expected a range that does not overlap aisc:site.networks.serviceCidr (10.20.0.0/16), got 10.20.0.0/16"],
      ],
      [
        "a public range",
        (s) => (s.networks.onPremNodeCidrs = ["8.8.0.0/16"]),
        ['aisc:site.networks.onPremNodeCidrs[0]: expected a private (RFC 1918) range, got "8.8.0.0/16"'],
      ],
      [
        "on-prem pools with no on-prem node network",
        (s) => (s.networks.onPremNodeCidrs = []),
        ["aisc:site.networks.onPremNodeCidrs: expected at least one CIDR: on-prem pools join as hybrid nodes from these networks"],
      ],
      [
        "a cloud pool of a GPU with no instance type",
        (s) => (withCloudPool(s), (s.pools[2].gpu = "H800")),
        [
          "aisc:site.pools[2].cloud: expected a GPU model with an EC2 instance type for a cloud pool; H800 has none (a China export part that AWS does not offer; use placement on-prem)",
        ],
      ],
      [
        "a cloud pool whose GPUs per node no instance has",
        (s) => (withCloudPool(s), (s.pools[2].gpusPerNode = 4)),
        ["aisc:site.pools[2].cloud: expected gpusPerNode of 8 for a cloud H100 pool (no instance type has 4 H100 GPUs)"],
      ],
      [
        "an instance type of another GPU",
        (s) => (withCloudPool(s), (s.pools[2].cloud.instanceType = "p4d.24xlarge")),
        ['aisc:site.pools[2].cloud.instanceType: expected an instance type with H100 GPUs (p5.48xlarge), got "p4d.24xlarge"'],
      ],
      [
        "a cloud pool without cloud settings",
        (s) => (withCloudPool(s), delete s.pools[2].cloud),
        ["aisc:site.pools[2].cloud: expected a mapping with capacityType (and optionally instanceType) for a cloud pool, got nothing"],
      ],
      [
        "a capacity block without its reservation",
        (s) => (withCloudPool(s), (s.pools[2].cloud.capacityType = "capacity-block")),
        [
          "aisc:site.pools[2].cloud.capacityReservationId: expected the ID of the purchased EC2 Capacity Block (cr- and 17 hex digits), got nothing",
          "aisc:site.pools[2].cloud.capacityBlockStart: expected the Capacity Block's start in UTC, as EC2 states it, such as 2027-01-10T11:30:00Z, got nothing",
          "aisc:site.pools[2].cloud.availabilityZone: expected the Capacity Block's zone: EKS takes only subnets in the reservation's zone",
        ],
      ],
      [
        "time-slicing with one replica",
        (s) => (s.pools[1].sharing.timeSlicing.replicas = 1),
        ["aisc:site.pools[1].sharing.timeSlicing.replicas: expected an integer from 2 to 1024, got 1"],
      ],
      [
        "time-slicing and MPS together",
        (s) => (s.pools[1].sharing.mps = { replicas: 2 }),
        ["aisc:site.pools[1].sharing.mps: expected either timeSlicing or mps, not both: the device plugin shares a GPU one way"],
      ],
      [
        "MPS on a MIG pool",
        (s) => (s.pools[0].sharing = { migStrategy: "mixed", migLayout: "all-1g.10gb", mps: { replicas: 2 } }),
        ["aisc:site.pools[0].sharing.mps: expected no mps on a MIG pool (migStrategy mixed): the device plugin does not run MPS on MIG devices"],
      ],
      [
        "MIG on a GPU without MIG",
        (s) => (s.pools[1].sharing = { migStrategy: "mixed" }),
        ['aisc:site.pools[1].sharing.migStrategy: expected none: L40S does not support MIG, got "mixed"'],
      ],
      [
        "a shared resource name over 63 characters",
        (s) => (s.pools[1].sharing.timeSlicing.resourceName = `nvidia.com/${"g".repeat(64)}`),
        [
          `aisc:site.pools[1].sharing.timeSlicing.resourceName: expected a resource name nvidia.com/<name> with a name of at most 63 letters, digits, '-', '_' or '.', got "nvidia.com/${"g".repeat(45)}...`,
        ],
      ],
      [
        "a resource name outside nvidia.com",
        (s) => (s.pools[1].sharing.timeSlicing.resourceName = "example.com/gpu"),
        [
          "aisc:site.pools[1].sharing.timeSlicing.resourceName: expected a resource name nvidia.com/<name> with a name of at most 63 letters, digits, '-', '_' or '.', got \"example.com/gpu\"",
        ],
      ],
      [
        "an existing cluster with cloud pools",
        (s) => (withCloudPool(s), (s.cluster = { kind: "existing" }), (s.system = { storageClass: "local-nvme" })),
        ["aisc:site.cluster.kind: expected eks: cloud pools are EKS managed node groups, and an existing cluster gets no AWS resources"],
      ],
      [
        "an unquoted Kubernetes version",
        (s) => (s.cluster.kubernetesVersion = 1.3),
        ['aisc:site.cluster.kubernetesVersion: expected a Kubernetes minor version such as "1.36" (quoted), got 1.3'],
      ],
      [
        "a zone outside the region",
        (s) => (s.networks.availabilityZones = ["ap-east-1a", "us-east-1b"]),
        ['aisc:site.networks.availabilityZones[1]: expected a zone of ap-east-1, got "us-east-1b"'],
      ],
    ];
    for (const [what, change, expected] of cases) {
      it(`rejects ${what}`, () => assert.deepStrictEqual(issuesOf(mutated(change)), expected));
    }

    it("reports every problem together, each at its key", () => {
      const issues = issuesOf(
        mutated((s) => {
          s.pools[0].nodes = -1;
          s.tenants[1].gpus = "lots";
          s.power.envelopeMW = 0;
        }),
      );
      assert.deepStrictEqual(issues, [
        "aisc:site.power.envelopeMW: expected a number greater than 0 and at most 10000, got 0",
        "aisc:site.pools[0].nodes: expected an integer from 1 to 1000, got -1",
        'aisc:site.tenants[1].gpus: expected a non-negative integer, got "lots"',
      ]);
    });

    it("rejects a site that is not a mapping", () => {
      assert.deepStrictEqual(issuesOf("cyberport"), [
        'aisc:site: expected a mapping with name, power, capacity, cluster, networks, pools, tenants, slurm; optional displayName, region, system, monitoring, got "cyberport"',
      ]);
      assert.deepStrictEqual(issuesOf(undefined), [
        "aisc:site: expected a mapping with name, power, capacity, cluster, networks, pools, tenants, slurm; optional displayName, region, system, monitoring, got nothing",
      ]);
    });
  });
});
