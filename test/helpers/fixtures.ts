import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseSite } from "../../inventory/parse";
import { InventoryError } from "../../inventory/reader";
import { AS_OF_ENV } from "../../inventory/dates";
import { Site } from "../../inventory/types";

/**
 * The date every test plans as of (unless a test sets its own): activations' expiry and the
 * version-support policy depend on it, and the suite must give the same results on any day.
 * Set here, in the helpers every test loads, so that `aisc` processes the tests start inherit it.
 */
export const TEST_AS_OF = "2026-12-02";
process.env[AS_OF_ENV] ??= TEST_AS_OF;

/**
 * A small, valid site inventory to mutate in tests: two on-prem pools (one time-sliced, so
 * Kubernetes-only), three tenants, one partition, in Hong Kong, which offers none of the
 * catalog's GPU instance types (inventory/offerings), so it has no cloud pool: {@link cloudSite}
 * has one. Each call returns a fresh copy.
 */
export function smallSite(): Record<string, any> {
  return {
    name: "testsite",
    displayName: "Test site",
    region: "ap-east-1",
    power: { envelopeMW: 2, pue: 1.25 },
    capacity: { precision: "fp8-dense", milestones: [{ name: "Opening", date: "2026-01-31", pflops: 60 }] },
    cluster: {
      kind: "eks",
      kubernetesVersion: "1.36",
      identity: { issuerUrl: "https://sso.testsite.example/realms/aisc", clientId: "kubernetes" },
      access: [{ principalArn: "arn:aws:iam::111122223333:role/aisc-testsite-deploy", policy: "cluster-admin" }],
    },
    networks: {
      vpcCidr: "10.10.0.0/16",
      onPremNodeCidrs: ["10.20.0.0/16"],
      onPremPodCidrs: ["10.32.0.0/12"],
      podRouting: { mode: "bgp", localAsn: 65010, peers: [{ address: "10.20.0.1", asn: 65000 }] },
    },
    pools: [
      { name: "h100-a", gpu: "H100", gpusPerNode: 8, nodes: 4 },
      { name: "l40s-ts", gpu: "L40S", gpusPerNode: 4, nodes: 2, sharing: { timeSlicing: { replicas: 4 } }, inService: "2027-01-01" },
    ],
    tenants: [
      {
        name: "uni-a",
        kind: "university",
        gpus: 8,
        subsidy: { scheme: "ai-subsidy-scheme", share: 0.7 },
        adminGroup: "uni-a-admins",
        directoryGroup: "uni-a-users",
      },
      { name: "lab-b", kind: "research-centre", gpus: 16, adminGroup: "lab-b-admins", directoryGroup: "lab-b-users", maxShareExempt: true },
      { name: "gov-c", kind: "government", gpus: 4, adminGroup: "gov-c-admins", directoryGroup: "gov-c-users" },
    ],
    slurm: {
      partitions: [{ name: "train", pools: ["h100-a"], default: true }],
      login: { ldapUri: "ldaps://ldap.test.example", searchBase: "dc=test,dc=example" },
    },
  };
}

/**
 * {@link smallSite} in Tokyo (ap-northeast-1), which offers p5.48xlarge, with a spot H100 cloud
 * pool `h100-cloud` in a `burst` partition. Plans of it break the data-residency policy unless
 * their policy config allows the region.
 */
export function cloudSite(): Record<string, any> {
  return withCloudPool(smallSite());
}

/** A `--policy-config` file that lets a plan of {@link cloudSite} keep its AWS resources in Tokyo. */
export function cloudPolicyConfig(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "aisc-policy-")), "policy-config.json");
  fs.writeFileSync(file, JSON.stringify({ "security-aws-region-hong-kong": { allowedRegions: ["ap-northeast-1"] } }));
  return file;
}

/** Makes a {@link smallSite} (or a mutation of it) the {@link cloudSite}, in place; returns it. */
export function withCloudPool(s: Record<string, any>): Record<string, any> {
  s.region = "ap-northeast-1";
  s.pools.push({ name: "h100-cloud", gpu: "H100", gpusPerNode: 8, nodes: 1, placement: "cloud", cloud: { capacityType: "spot" } });
  s.slurm.partitions.push({ name: "burst", pools: ["h100-cloud"], maxTimeHours: 24 });
  return s;
}

/** {@link smallSite} with `change` made to it. */
export function mutated(change: (s: Record<string, any>) => void): Record<string, any> {
  const s = smallSite();
  change(s);
  return s;
}

/** {@link smallSite} with `change` made to it, parsed. */
export function parsedMutation(change: (s: Record<string, any>) => void): Site {
  return parseSite(mutated(change));
}

/** Asserts that {@link smallSite} with `change` made to it is refused with exactly `expected` (`path: message` lines). */
export function rejectsMutation(change: (s: Record<string, any>) => void, expected: string[]): void {
  assert.deepStrictEqual(issuesOf(mutated(change)), expected);
}

/** The issues parsing `site` reports, as `path: message` lines (none when it parses). */
export function issuesOf(site: unknown): string[] {
  try {
    parseSite(site);
  } catch (err) {
    if (err instanceof InventoryError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

/**
 * The project's city facts (Pulumi.yaml) with the subsidy scheme's rates for the models of
 * {@link smallSite} (H100 HK$25 and L40S HK$8 a GPU-hour: figures for tests, the real list price
 * is not public), so a test site's ledger is costed in full. A stack file's own `aisc:city` wins
 * over the project's, as with the Pulumi CLI: pass it as `{ "aisc:city": costedCity() }`.
 */
export function costedCity(over: Record<string, unknown> = {}): Record<string, unknown> {
  const project = YAML.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "Pulumi.yaml"), "utf8")) as {
    config: { "aisc:city": { value: Record<string, any> } };
  };
  const city = project.config["aisc:city"].value;
  const scheme = city.subsidy["ai-subsidy-scheme"];
  return { ...city, subsidy: { "ai-subsidy-scheme": { ...scheme, rates: { H100: 25, L40S: 8 }, ...over } } };
}

/** The YAML text of a stack file holding `site` (and any extra config keys). */
export function stackYaml(site: unknown, extra: Record<string, unknown> = {}): string {
  return YAML.stringify({ config: { "pulumi:disable-default-providers": ["aws", "kubernetes"], "aisc:site": site, ...extra } });
}

/** Writes a stack file `Pulumi.<stack>.yaml` into a fresh temporary directory; returns its path. */
export function writeStackFile(stack: string, site: unknown, extra: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-test-"));
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, stackYaml(site, extra));
  return file;
}

/**
 * A path for aisc's output that does not exist yet, in a fresh temporary folder: aisc writes
 * only into folders it creates itself.
 */
export function tempDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "aisc-out-")), "out");
}

/** The stacks planned into an OUT: its entries less aisc's hidden bookkeeping. */
export function stacksIn(out: string): string[] {
  return fs
    .readdirSync(out)
    .filter((e) => !e.startsWith("."))
    .sort();
}

/** The `aisc:site` value of a stack in stacks/. */
export function realSite(stack: string): unknown {
  const file = path.resolve(__dirname, "..", "..", "..", "stacks", `Pulumi.${stack}.yaml`);
  return YAML.parse(fs.readFileSync(file, "utf8")).config["aisc:site"];
}

/** Every file under `dir`: relative path to content, for comparing artifacts byte for byte. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full), fs.readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return files;
}

/** `count` tenants named apart, each entitled to nothing (so capacity never objects), for limit tests. */
export function manyTenants(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ name: `t${i}`, kind: "startup", gpus: 0, adminGroup: `g${i}`, directoryGroup: `u${i}` }));
}

/** `count` on-premises H100 pools of one node each, named apart, for limit tests. */
export function manyPools(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ name: `p${i}`, gpu: "H100", gpusPerNode: 8, nodes: 1 }));
}
