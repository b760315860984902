import * as assert from "assert";
import { parseTenant } from "../../inventory/parse-tenants";
import { Reader } from "../../inventory/reader";
import { Tenant } from "../../inventory/types";
import { parseSite } from "../../inventory/parse";
import { issuesOf, mutated, withCloudPool } from "../helpers/fixtures";

/** One tenant parsed on its own: the tenant it yields, or every issue at its key and no tenant. */

function tenant(value: unknown): [Tenant | undefined, string[]] {
  const r = new Reader();
  const parsed = parseTenant(r, "t", value);
  return [parsed, r.issues.map((i) => `${i.path}: ${i.message}`)];
}

const UNI = { name: "uni-a", kind: "university", gpus: 8, adminGroup: "uni-a-admins", directoryGroup: "uni-a-users" };

function rejects(value: unknown, issues: string[]) {
  assert.deepStrictEqual(tenant(value), [undefined, issues], JSON.stringify(value));
}

describe("parseTenant", () => {
  it("fills the display name, a fair share of its GPUs, no subsidy and no exemption", () => {
    assert.deepStrictEqual(tenant(UNI), [
      {
        name: "uni-a",
        displayName: "uni-a",
        kind: "university",
        gpus: 8,
        fairShare: 8,
        adminGroup: "uni-a-admins",
        directoryGroup: "uni-a-users",
        maxShareExempt: false,
        migSlices: {},
        sharedGpus: {},
      },
      [],
    ]);
  });

  it("gives a tenant with no GPUs a fair share of 1", () => {
    assert.strictEqual(tenant({ ...UNI, gpus: 0 })[0]?.fairShare, 1);
  });

  it("keeps everything the inventory sets", () => {
    const value = {
      ...UNI,
      displayName: "University A",
      fairShare: 3,
      subsidy: { scheme: "ai-subsidy-scheme", share: 0.5 },
      maxShareExempt: true,
      migSlices: { "1g.10gb": 7, "3g.40gb": 0 },
      sharedGpus: { "nvidia.com/gpu.shared": 16 },
    };
    assert.deepStrictEqual(tenant(value), [value, []]);
  });

  it("rejects what is not a mapping", () =>
    rejects("uni-a", [
      't: expected a mapping with name, kind, gpus, adminGroup, directoryGroup; optional displayName, fairShare, subsidy, alertReceiver, maxShareExempt, migSlices, sharedGpus, got "uni-a"',
    ]));

  it("rejects each bad field at its key", () => {
    rejects({ ...UNI, name: "u".repeat(43) }, [
      "t.name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), usable as a namespace name of at most 42 characters, got 43",
    ]);
    rejects({ ...UNI, name: "kube-public" }, [
      't.name: expected a name that is not a platform namespace (default, kube-*, nvidia-gpu, slinky, slurm, monitoring, cert-manager), got "kube-public"',
    ]);
    rejects({ ...UNI, displayName: "" }, [
      `t.displayName: expected a name of letters, digits, spaces and & ( ) - . , / + (it is written into Slurm's account records, where # : ' and " break the line), got ""`,
    ]);
    rejects({ ...UNI, gpus: -1 }, ["t.gpus: expected a non-negative integer, got -1"]);
    rejects({ ...UNI, fairShare: 0 }, ["t.fairShare: expected an integer from 1 to 1000000, got 0"]);
    rejects({ ...UNI, maxShareExempt: "yes" }, ['t.maxShareExempt: expected true or false, got "yes"']);
    rejects({ ...UNI, kind: undefined }, ["t.kind: expected one of university, research-centre, startup, government, enterprise, got nothing"]);
    assert.strictEqual(tenant({ ...UNI, name: "u".repeat(42) })[0]?.name, "u".repeat(42));
  });

  it("refuses a Kubernetes system: group as a tenant's administrators", () => {
    const expected = (group: string) => [
      `t.adminGroup: expected the tenant's own directory group, never a Kubernetes system: group (system:authenticated is every user, system:masters is cluster-admin), got "${group}"`,
    ];
    for (const group of ["system:authenticated", "system:masters", "system:serviceaccounts:slurm"]) rejects({ ...UNI, adminGroup: group }, expected(group));
    // Only the prefix is Kubernetes': a group that merely mentions it is the directory's own.
    assert.strictEqual(tenant({ ...UNI, adminGroup: "lab-system:admins" })[0]?.adminGroup, "lab-system:admins");
  });

  it("refuses the names Slurm and aisc already use for an account or QoS", () => {
    rejects({ ...UNI, name: "root" }, ['t.name: expected a name Slurm does not already use (root, normal, scavenger); "root" is Slurm\'s root account']);
    rejects({ ...UNI, name: "normal" }, ['t.name: expected a name Slurm does not already use (root, normal, scavenger); "normal" is Slurm\'s default QoS']);
    rejects({ ...UNI, name: "scavenger" }, [
      't.name: expected a name Slurm does not already use (root, normal, scavenger); "scavenger" is the site\'s scavenger QoS',
    ]);
  });

  it("takes a display name only in characters a sacctmgr file carries as written", () => {
    const what = "a name of letters, digits, spaces and & ( ) - . , / + (it is written into Slurm's account records, where # : ' and \" break the line)";
    for (const name of ["Lab #1", "A: B", "King's College", 'The "Lab"', " Lead", "Tab\there", "Line\nbreak"]) {
      rejects({ ...UNI, displayName: name }, [`t.displayName: expected ${what}, got ${JSON.stringify(name)}`]);
    }
    for (const name of ["Hong Kong Generative AI R&D Centre (HKGAI)", "HKUST (Guangzhou)", "香港大學", "A/B-C, D. E+F", "9 Labs"])
      assert.strictEqual(tenant({ ...UNI, displayName: name })[0]?.displayName, name);
  });

  it("requires the directory group whose members are its Slurm users, in characters an LDAP filter takes as written", () => {
    const what = "the cn of the directory group whose members are the tenant's Slurm users (letters, digits, '_', '.' and '-', at most 64)";
    rejects({ ...UNI, directoryGroup: undefined }, [`t.directoryGroup: expected ${what}, got nothing`]);
    for (const group of ["uni a", "cn=uni,ou=groups", "uni*", "(uni)", "-uni", "g".repeat(50) + "~"])
      rejects({ ...UNI, directoryGroup: group }, [`t.directoryGroup: expected ${what}, got ${JSON.stringify(group)}`]);
    assert.deepStrictEqual(
      tenant({ ...UNI, directoryGroup: "g".repeat(65) })[1].map((i) => i.split(", got")[0]),
      [`t.directoryGroup: expected ${what}`],
    );
    for (const group of ["u", "UNI_a.users-2", "g".repeat(64)]) assert.strictEqual(tenant({ ...UNI, directoryGroup: group })[0]?.directoryGroup, group);
  });

  it("rejects an administrators' group with spaces at either end, or too long", () => {
    const what = "a group name with no leading or trailing spaces";
    for (const group of [" uni-a-admins", "uni-a-admins ", " "]) rejects({ ...UNI, adminGroup: group }, [`t.adminGroup: expected ${what}, got "${group}"`]);
    rejects({ ...UNI, adminGroup: "g".repeat(257) }, [`t.adminGroup: expected ${what} of at most 256 characters, got 257`]);
    for (const group of ["g", "CN=AISC Admins,OU=Groups", "g".repeat(256)]) assert.strictEqual(tenant({ ...UNI, adminGroup: group })[0]?.adminGroup, group);
  });

  it("rejects a subsidy that is not a mapping, of an unknown scheme, or with a share out of range", () => {
    rejects({ ...UNI, subsidy: "ai-subsidy-scheme" }, ['t.subsidy: expected a mapping with scheme; optional share, got "ai-subsidy-scheme"']);
    rejects({ ...UNI, subsidy: { scheme: "innohk", share: 0.5 } }, ['t.subsidy.scheme: expected one of ai-subsidy-scheme, got "innohk"']);
    rejects({ ...UNI, subsidy: { scheme: "ai-subsidy-scheme", share: 0 } }, ["t.subsidy.share: expected a number greater than 0 and at most 1, got 0"]);
    rejects({ ...UNI, subsidy: { share: 0.5 } }, ["t.subsidy.scheme: expected one of ai-subsidy-scheme, got nothing"]);
  });
});

describe("tenants' MIG slices and shared GPUs", () => {
  it("refuses counts that are not mappings of well-formed names to whole numbers, keyed", () => {
    assert.deepStrictEqual(tenant({ ...UNI, migSlices: [7] })[1], ["t.migSlices: expected a mapping of MIG profile to slices, such as {1g.10gb: 14}, got [7]"]);
    assert.deepStrictEqual(tenant({ ...UNI, migSlices: { "1g": 7, "1g.10gb": -1 } })[1], [
      "t.migSlices.1g: expected a MIG profile such as 1g.10gb as the key",
      "t.migSlices.1g.10gb: expected a non-negative integer, got -1",
    ]);
    assert.deepStrictEqual(tenant({ ...UNI, sharedGpus: { "gpu.shared": 4 } })[1], [
      "t.sharedGpus.gpu.shared: expected a shared GPU resource name such as nvidia.com/gpu.shared as the key",
    ]);
  });
});

describe("tenants' MIG slices and shared GPUs against the site's pools", () => {
  it("takes resources a pool advertises and refuses the others, keyed", () => {
    const mig = (tenant: Record<string, unknown>) =>
      mutated((s) => {
        withCloudPool(s);
        s.pools[0].sharing = { migStrategy: "mixed", migLayout: "all-1g.10gb" };
        s.slurm.partitions = [s.slurm.partitions[1]];
        Object.assign(s.tenants[0], tenant);
      });
    assert.deepStrictEqual(parseSite(mig({ migSlices: { "1g.10gb": 7 }, sharedGpus: { "nvidia.com/gpu.shared": 4 } })).tenants[0].migSlices, { "1g.10gb": 7 });
    assert.deepStrictEqual(issuesOf(mig({ migSlices: { "3g.40gb": 1 }, sharedGpus: { "nvidia.com/gpu.mps": 2 } })), [
      'aisc:site.tenants[0].migSlices.3g.40gb: expected a MIG profile the site\'s pools advertise (1g.10gb), got "3g.40gb"',
      'aisc:site.tenants[0].sharedGpus.nvidia.com/gpu.mps: expected a shared GPU resource the site\'s pools advertise (nvidia.com/gpu.shared), got "nvidia.com/gpu.mps"',
    ]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.tenants[0].migSlices = { "1g.10gb": 1 }))), [
      'aisc:site.tenants[0].migSlices.1g.10gb: expected a MIG profile the site\'s pools advertise (none: no pool has a migLayout), got "1g.10gb"',
    ]);
  });
});
