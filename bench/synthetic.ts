import { TENANT_KINDS } from "../inventory/types";

/**
 * A synthetic site of `tenants` tenants for benchmarks and scale tests: pools scale with the
 * tenants (one H200 pool per 100 tenants, on premises: 64 nodes each while the site stays within
 * SSM's 1,000 hybrid nodes, fewer past that), entitlements fit the policies (each tenant gets
 * one GPU: 4,000 tenants on 8,000 GPUs leave far more than the 10% reserve).
 */
export function syntheticSite(tenants: number): Record<string, unknown> {
  const poolCount = Math.max(1, Math.ceil(tenants / 100));
  const nodes = Math.min(64, Math.floor(1000 / poolCount));
  const pools = Array.from({ length: poolCount }, (_, i) => ({ name: `h200-${String(i).padStart(3, "0")}`, gpu: "H200", gpusPerNode: 8, nodes }));
  return {
    name: "bench",
    region: "ap-east-1",
    power: { envelopeMW: 10 * poolCount, pue: 1.3 },
    capacity: { precision: "fp8-dense", milestones: [{ name: "Scale", date: "2030-12-31", pflops: 1000 }] },
    cluster: {
      identity: { issuerUrl: "https://sso.bench.example/realms/aisc", clientId: "kubernetes" },
      access: [{ principalArn: "arn:aws:iam::111122223333:role/aisc-bench-deploy", policy: "cluster-admin" }],
    },
    networks: {
      vpcCidr: "10.40.0.0/16",
      onPremNodeCidrs: ["10.80.0.0/16"],
      onPremPodCidrs: ["10.96.0.0/12"],
      podRouting: { mode: "bgp", localAsn: 65010, peers: [{ address: "10.80.0.1", asn: 65000 }] },
    },
    pools,
    tenants: Array.from({ length: tenants }, (_, i) => ({
      name: `tenant-${String(i).padStart(5, "0")}`,
      kind: TENANT_KINDS[i % TENANT_KINDS.length],
      gpus: 1,
      adminGroup: `tenant-${i}-admins`,
      directoryGroup: `tenant-${i}-users`,
      ...(i % 3 === 0 ? { subsidy: { scheme: "ai-subsidy-scheme" } } : {}),
    })),
    slurm: {
      partitions: [{ name: "h200", pools: pools.map((p) => p.name), default: true }],
      login: { ldapUri: "ldaps://ldap.bench.example", searchBase: "dc=bench,dc=example" },
    },
  };
}
