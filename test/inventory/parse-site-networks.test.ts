import * as assert from "assert";
import { parseSite } from "../../inventory/parse";
import { cloudSite, issuesOf, parsedMutation as parsed, rejectsMutation as rejects, withCloudPool } from "../helpers/fixtures";

/**
 * The parser's site-level networks, milestones and cloud pools (where AWS offers them), each
 * accepted value checked in the parsed site and each mistake by its exact keyed message.
 */

describe("parseSite: networks", () => {
  it("keeps two or three zones the inventory names", () => {
    assert.deepStrictEqual(parsed((s) => (s.networks.availabilityZones = ["ap-east-1a", "ap-east-1b", "ap-east-1c"])).networks.availabilityZones, [
      "ap-east-1a",
      "ap-east-1b",
      "ap-east-1c",
    ]);
  });

  it("rejects too few or too many zones, malformed or repeated ones", () => {
    const zones = (list: unknown) => (s: Record<string, any>) => (s.networks.availabilityZones = list);
    rejects(zones(["ap-east-1a"]), ["aisc:site.networks.availabilityZones: expected at least 2 items, got 1"]);
    rejects(zones(["ap-east-1a", "ap-east-1b", "ap-east-1c", "ap-east-1d"]), ["aisc:site.networks.availabilityZones: expected two or three zones, got 4"]);
    rejects(zones("ap-east-1a"), ['aisc:site.networks.availabilityZones: expected a list, got "ap-east-1a"']);
    for (const zone of ["xap-east-1a", "ap-east-1ab", 7])
      rejects(zones(["ap-east-1a", zone]), [
        `aisc:site.networks.availabilityZones[1]: expected a zone of ap-east-1 such as ap-east-1a, got ${JSON.stringify(zone)}`,
      ]);
    rejects(zones(["ap-east-1a", "ap-east-1a"]), ['aisc:site.networks.availabilityZones[1]: duplicate zone "ap-east-1a"; also at index 0']);
  });

  it("says 'the region' in a zone's message when the region itself is wrong, and judges no zone against it", () => {
    rejects(
      (s) => {
        s.region = "hk";
        s.networks.availabilityZones = ["ap-east-1a", "b"];
      },
      [
        'aisc:site.region: expected an AWS region such as ap-east-1, got "hk"',
        'aisc:site.networks.availabilityZones[1]: expected a zone of the region such as ap-east-1a, got "b"',
      ],
    );
  });

  it("needs no on-prem networks for a cloud-only site", () => {
    const site = parsed((s) => {
      withCloudPool(s);
      s.pools = [s.pools[2]];
      s.slurm.partitions = [s.slurm.partitions[1]];
      delete s.networks.onPremNodeCidrs;
      delete s.networks.onPremPodCidrs;
      delete s.networks.podRouting;
    });
    assert.deepStrictEqual(
      [site.networks.onPremNodeCidrs, site.networks.onPremPodCidrs, site.networks.vpcCidr, site.networks.podRouting],
      [[], [], "10.10.0.0/16", undefined],
    );
  });

  it("rejects on-prem pools with no pod network", () => {
    rejects(
      (s) => (s.networks.onPremPodCidrs = []),
      ["aisc:site.networks.onPremPodCidrs: expected at least one CIDR: pods on hybrid nodes take addresses from these networks"],
    );
  });

  it("rejects networks that are missing, not lists or not strings, at their keys", () => {
    rejects(
      (s) => delete s.networks,
      [
        "aisc:site.networks: expected a mapping with vpcCidr; optional availabilityZones, serviceCidr, onPremNodeCidrs, onPremPodCidrs, podRouting, got nothing",
      ],
    );
    rejects((s) => delete s.networks.vpcCidr, ["aisc:site.networks.vpcCidr: expected a non-empty string, got nothing"]);
    rejects((s) => (s.networks.onPremNodeCidrs = "10.20.0.0/16"), ['aisc:site.networks.onPremNodeCidrs: expected a list, got "10.20.0.0/16"']);
    rejects((s) => (s.networks.onPremPodCidrs = "10.32.0.0/12"), ['aisc:site.networks.onPremPodCidrs: expected a list, got "10.32.0.0/12"']);
    rejects((s) => (s.networks.onPremNodeCidrs = ["10.20.0.0/16", 5]), ["aisc:site.networks.onPremNodeCidrs[1]: expected a non-empty string, got 5"]);
    rejects((s) => (s.networks.serviceCidr = ""), ['aisc:site.networks.serviceCidr: expected a non-empty string, got ""']);
  });

  it("holds the service range to EKS's /12 to /24 and the VPC to /16 to /22", () => {
    for (const cidr of ["10.64.0.0/12", "10.64.0.0/24"]) assert.strictEqual(parsed((s) => (s.networks.serviceCidr = cidr)).networks.serviceCidr, cidr);
    for (const [cidr, prefix] of [
      ["10.64.0.0/11", 11],
      ["10.64.0.0/25", 25],
    ])
      rejects((s) => (s.networks.serviceCidr = cidr), [`aisc:site.networks.serviceCidr: expected a prefix from /12 to /24 (EKS's limits), got /${prefix}`]);
    assert.strictEqual(parsed((s) => (s.networks.vpcCidr = "10.10.0.0/22")).networks.vpcCidr, "10.10.0.0/22");
    for (const [cidr, prefix] of [
      ["10.10.0.0/15", 15],
      ["10.10.0.0/23", 23],
    ])
      rejects(
        (s) => (s.networks.vpcCidr = cidr),
        [`aisc:site.networks.vpcCidr: expected a prefix from /16 to /22 (room for subnets in two zones), got /${prefix}`],
      );
  });

  it("holds only the VPC to the VPC's limits, also when the VPC range is missing", () => {
    rejects(
      (s) => {
        delete s.networks.vpcCidr;
        s.networks.serviceCidr = "10.64.0.0/24";
      },
      ["aisc:site.networks.vpcCidr: expected a non-empty string, got nothing"],
    );
  });

  it("checks every pair of ranges for overlap, pods against nodes too", () => {
    rejects(
      (s) => (s.networks.onPremPodCidrs = ["10.32.0.0/12", "10.20.128.0/17"]),
      ["aisc:site.networks.onPremPodCidrs[1]: expected a range that does not overlap aisc:site.networks.onPremNodeCidrs[0] (10.20.0.0/16), got 10.20.128.0/17"],
    );
  });
});

describe("parseSite: milestones", () => {
  it("sorts milestones by date, keeping the order of those on one day", () => {
    const site = parsed((s) => {
      s.capacity.milestones = [
        { name: "C", date: "2027-01-01", pflops: 1 },
        { name: "A", date: "2026-01-01", pflops: 1 },
        { name: "B1", date: "2026-06-30", pflops: 1 },
        { name: "B2", date: "2026-06-30", pflops: 1 },
      ];
    });
    assert.deepStrictEqual(
      site.capacity.milestones.map((m) => m.name),
      ["A", "B1", "B2", "C"],
    );
  });

  it("allows a site with no milestones", () => {
    assert.deepStrictEqual(parsed((s) => delete s.capacity.milestones).capacity.milestones, []);
  });

  it("rejects milestones that are not a list, not mappings, incomplete or repeated", () => {
    rejects((s) => (s.capacity.milestones = "2026"), ['aisc:site.capacity.milestones: expected a list, got "2026"']);
    rejects(
      (s) => s.capacity.milestones.push(null, "x"),
      [
        "aisc:site.capacity.milestones[1]: expected a mapping with name, date, pflops, got null",
        'aisc:site.capacity.milestones[2]: expected a mapping with name, date, pflops, got "x"',
      ],
    );
    rejects((s) => (s.capacity.milestones[0].name = ""), ['aisc:site.capacity.milestones[0].name: expected a non-empty string, got ""']);
    rejects(
      (s) => (s.capacity.milestones[0].pflops = 0),
      ["aisc:site.capacity.milestones[0].pflops: expected a number greater than 0 and at most 1000000000, got 0"],
    );
    rejects(
      (s) =>
        s.capacity.milestones.push(
          { name: 7, date: "2027-01-01", pflops: 1 },
          { name: 7, date: "2027-01-01", pflops: 1 },
          { name: "Opening", date: "2028-01-01", pflops: 1 },
        ),
      [
        "aisc:site.capacity.milestones[1].name: expected a non-empty string, got 7",
        "aisc:site.capacity.milestones[2].name: expected a non-empty string, got 7",
        'aisc:site.capacity.milestones[3].name: duplicate milestone name "Opening"; also at index 0',
      ],
    );
  });
});

describe("parseSite: cloud pools where AWS offers them", () => {
  it("takes a cloud pool of a type its region offers, in one of the site's zones", () => {
    const site = parseSite({
      ...cloudSite(),
      pools: [
        ...cloudSite().pools.slice(0, 2),
        { name: "h100-cloud", gpu: "H100", gpusPerNode: 8, nodes: 1, placement: "cloud", cloud: { capacityType: "spot", availabilityZone: "ap-northeast-1b" } },
      ],
    });
    assert.strictEqual(site.pools[2].cloud?.availabilityZone, "ap-northeast-1b");
  });

  it("refuses, keyed, a cloud pool whose region does not offer its type (Hong Kong offers none of the catalog's), or that aisc has no record of", () => {
    const inHongKong = { ...cloudSite(), region: "ap-east-1" };
    assert.deepStrictEqual(issuesOf(inHongKong), [
      "aisc:site.pools[2].cloud.instanceType: expected an instance type ap-east-1 offers; it does not offer p5.48xlarge (offered in ap-northeast-1, us-east-1): use placement on-prem",
    ]);
    const b200 = cloudSite();
    b200.pools[2] = { name: "b200-cloud", gpu: "B200", gpusPerNode: 8, nodes: 1, placement: "cloud", cloud: { capacityType: "on-demand" } };
    b200.slurm.partitions[1].pools = ["b200-cloud"];
    assert.deepStrictEqual(issuesOf(b200), [
      "aisc:site.pools[2].cloud.instanceType: expected an instance type ap-northeast-1 offers; it does not offer p6-b200.48xlarge (offered in us-east-1): use placement on-prem",
    ]);
    assert.deepStrictEqual(issuesOf({ ...cloudSite(), region: "eu-west-1" }), [
      "aisc:site.pools[2].cloud.instanceType: expected a region aisc has a record of instance offerings for (ap-east-1, ap-northeast-1, us-east-1); it has none for eu-west-1, so p5.48xlarge cannot be checked: add the region to inventory/offerings.ts or use placement on-prem",
    ]);
  });

  it("refuses a pool's zone that is not one of the site's", () => {
    const s = cloudSite();
    s.pools[2].cloud.availabilityZone = "ap-northeast-1c";
    assert.deepStrictEqual(issuesOf(s), [
      'aisc:site.pools[2].cloud.availabilityZone: expected one of networks.availabilityZones (ap-northeast-1a, ap-northeast-1b), got "ap-northeast-1c"',
    ]);
  });
});
