import * as assert from "assert";
import { LIMITS } from "../../inventory/limits";
import { show } from "../../inventory/reader";
import { sharedAccountProblems } from "../../cli/plan";
import { parseSite } from "../../inventory/parse";
import { issuesOf, manyPools, manyTenants, mutated, smallSite, withCloudPool } from "../helpers/fixtures";

/**
 * The inventory's limits: each accepted at its value and refused one past it with a keyed
 * message (test/cli/limits.test.ts tries inputs far past them through the CLI).
 */

describe("the inventory's limits", () => {
  it("takes each list at its limit and refuses one item more, by its length alone", () => {
    const cases: [string, (s: Record<string, any>, n: number) => void, number, string][] = [
      ["aisc:site.tenants", (s, n) => (s.tenants = manyTenants(n)), LIMITS.tenants, "tenants"],
      [
        "aisc:site.pools",
        (s, n) => (
          (s.pools = manyPools(n)),
          (s.slurm.partitions = [{ name: "all", pools: (s.pools as { name: string }[]).slice(0, LIMITS.pools).map((p) => p.name) }])
        ),
        LIMITS.pools,
        "pools",
      ],
      [
        "aisc:site.slurm.partitions",
        (s, n) => (s.slurm.partitions = Array.from({ length: n }, (_, i) => ({ name: `p${i}`, pools: ["h100-a"] }))),
        LIMITS.partitions,
        "partitions",
      ],
      [
        "aisc:site.capacity.milestones",
        (s, n) => (s.capacity.milestones = Array.from({ length: n }, (_, i) => ({ name: `m${i}`, date: "2026-01-31", pflops: 1 }))),
        LIMITS.milestones,
        "milestones",
      ],
    ];
    for (const [key, set, limit, what] of cases) {
      assert.deepStrictEqual(issuesOf(mutated((s) => set(s, limit))), [], key);
      assert.deepStrictEqual(issuesOf(mutated((s) => set(s, limit + 1))), [`${key}: expected at most ${limit} ${what}, got ${limit + 1}`]);
    }
  });

  it("takes at most 15 on-premises node and pod CIDRs each, EKS's fixed quota", () => {
    const cidrs = (n: number, second: number) => Array.from({ length: n }, (_, i) => `10.${second}.${i}.0/24`);
    assert.deepStrictEqual(issuesOf(mutated((s) => ((s.networks.onPremNodeCidrs = cidrs(15, 20)), (s.networks.onPremPodCidrs = cidrs(15, 32))))), []);
    const what = "CIDRs (EKS takes at most 15 remote node and 15 remote pod CIDRs per cluster)";
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.networks.onPremPodCidrs = Array(3000).fill("10.32.0.0/12")))), [
      `aisc:site.networks.onPremPodCidrs: expected at most 15 ${what}, got 3000`,
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.networks.onPremNodeCidrs = cidrs(16, 20)))), [
      `aisc:site.networks.onPremNodeCidrs: expected at most 15 ${what}, got 16`,
    ]);
  });

  it("bounds nodes per pool by SSM's registration limit on premises and a node group's size in the cloud, per EKS site by SSM's standard tier, and per site by Kubernetes'", () => {
    const hybrid = (n: number) =>
      `aisc:site.pools: expected at most 1000 on-premises nodes (SSM's standard tier registers at most 1000 hybrid nodes per account and region), got ${n}`;
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[0].nodes = 998))), []);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[0].nodes = 999))), [hybrid(1001)]);
    assert.deepStrictEqual(issuesOf(mutated((s) => ((s.pools[0].nodes = 994), (s.system = { placement: "on-prem", nodes: 5, storageClass: "ceph-rbd" })))), [
      hybrid(1001),
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[0].nodes = 1001))), ["aisc:site.pools[0].nodes: expected an integer from 1 to 1000, got 1001"]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (withCloudPool(s), (s.pools[2].nodes = 451)))), [
      "aisc:site.pools[2].nodes: expected an integer from 1 to 450, got 451",
    ]);
    // An existing cluster's on-premises nodes are its own, not SSM's: only Kubernetes' limit holds.
    const many = (nodes: number) =>
      mutated((s) => {
        s.cluster = { kind: "existing" };
        s.system = { placement: "existing", storageClass: "ceph-rbd" };
        s.pools = [
          ...manyPools(4).map((p) => ({ ...p, nodes: 1000 })),
          { name: "big", gpu: "H100", gpusPerNode: 8, nodes: 999 },
          { name: "extra", gpu: "H100", gpusPerNode: 8, nodes },
        ];
        s.slurm.partitions = [{ name: "all", pools: (s.pools as { name: string }[]).map((p) => p.name) }];
      });
    assert.deepStrictEqual(issuesOf(many(1)), []);
    assert.deepStrictEqual(issuesOf(many(2)), [
      "aisc:site.pools: expected at most 5000 nodes across the pools (Kubernetes' tested limit for one cluster), got 5001",
    ]);
  });

  it("bounds every free-text string at 256 characters, and tenant names at Slurm's 42", () => {
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.displayName = "x".repeat(256)))), []);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.displayName = "x".repeat(50 * 1024 * 1024)))), [
      `aisc:site.displayName: expected a non-empty string of at most 256 characters, got ${50 * 1024 * 1024}`,
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.tenants[0].displayName = "y".repeat(257)))), [
      `aisc:site.tenants[0].displayName: expected a name of letters, digits, spaces and & ( ) - . , / + (it is written into Slurm's account records, where # : ' and " break the line) of at most 256 characters, got 257`,
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.tenants[0].name = "a".repeat(42)))), []);
    assert.match(
      issuesOf(mutated((s) => (s.tenants[0].name = "a".repeat(43))))[0],
      /^aisc:site\.tenants\[0\]\.name: expected a DNS label .* of at most 42 characters, got 43$/,
    );
  });

  it("keeps a cloud pool's EKS node group name, aisc-<site>-<pool>, within EKS's 63 characters", () => {
    const named = (site: string, pool: string) =>
      mutated((s) => {
        withCloudPool(s);
        s.name = site;
        s.pools[2].name = pool;
        s.slurm.partitions[1].pools = [pool];
      });
    assert.deepStrictEqual(issuesOf(named("x".repeat(24), "c".repeat(33))), []);
    assert.deepStrictEqual(issuesOf(named("x".repeat(24), "c".repeat(34))), [
      `aisc:site.pools[2].name: expected at most 33 characters for a cloud pool of site ${"x".repeat(24)}: its EKS node group aisc-${"x".repeat(24)}-${"c".repeat(34)} would be 64 characters, over EKS's 63`,
    ]);
    // On-premises pools make no node group: their names may use all 40 characters.
    assert.deepStrictEqual(
      issuesOf(mutated((s) => ((s.name = "x".repeat(24)), (s.pools[0].name = "a".repeat(40)), (s.slurm.partitions[0].pools = ["a".repeat(40)])))),
      [],
    );
  });

  it("shows a huge value in a message without serialising it whole", () => {
    assert.strictEqual(show("x".repeat(10_000_000)), `"${"x".repeat(56)}...`);
    assert.strictEqual(show(Array(1_000_000).fill(7)), `[${"7,".repeat(28)}...`);
    assert.strictEqual(issuesOf({ ...smallSite(), tenants: "z".repeat(1e6) }).length, 1);
  });
});

describe("sites that share an AWS account", () => {
  const site = (name: string, account: string | undefined, region: string, nodes: number) => {
    const s = smallSite();
    s.name = name;
    s.region = region;
    s.pools = [{ name: "h100-a", gpu: "H100", gpusPerNode: 8, nodes }];
    s.slurm.partitions = [{ name: "train", pools: ["h100-a"] }];
    if (account) s.cluster.awsAccountId = account;
    return { file: `Pulumi.${name}.yaml`, site: parseSite(s) };
  };

  it("holds the sites of one account and region to SSM's 1,000 hybrid nodes together, and no others", () => {
    assert.deepStrictEqual(sharedAccountProblems([site("a", "111122223333", "ap-east-1", 600), site("b", "111122223333", "ap-east-1", 400)]), []);
    assert.deepStrictEqual(sharedAccountProblems([site("a", "111122223333", "ap-east-1", 600), site("b", "111122223333", "ap-east-1", 401)]), [
      "Pulumi.a.yaml, Pulumi.b.yaml: aisc:site.cluster.awsAccountId: expected at most 1000 on-premises nodes across the sites of account 111122223333 in ap-east-1 (SSM's standard tier), got 1001 (600 + 401)",
    ]);
    assert.deepStrictEqual(
      sharedAccountProblems([site("a", "111122223333", "ap-east-1", 600), site("b", "444455556666", "ap-east-1", 600), site("c", undefined, "ap-east-1", 600)]),
      [],
    );
    assert.deepStrictEqual(sharedAccountProblems([site("a", "111122223333", "ap-east-1", 600), site("b", "111122223333", "ap-northeast-1", 600)]), []);
  });
});
