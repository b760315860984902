import * as assert from "assert";
import * as fs from "fs";
import { evaluatePolicies, PolicyConfig } from "../../cli/policy-eval";
import { Plan, PlannedResource } from "../../cli/record";
import { POLICIES } from "../../policies/pack";
import { costedCity, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, planFile, plannedResource } from "../helpers/plan";

type Mutable = { -readonly [K in keyof PlannedResource]: PlannedResource[K] } & { inputs: any; options: any };

/** A deep copy of the baseline plan to change one thing in. */
function copy(plan: Plan): { resources: Mutable[] } & Plan {
  return JSON.parse(JSON.stringify(plan));
}

function find(plan: { resources: Mutable[] }, type: string, name: (r: Mutable) => boolean = () => true): Mutable {
  const r = plan.resources.find((x) => x.type === type && name(x));
  assert.ok(r, `baseline has a ${type}`);
  return r;
}

const k8sName = (n: string, ns?: string) => (r: Mutable) => r.inputs.metadata?.name === n && (ns === undefined || r.inputs.metadata?.namespace === ns);

/** Violations as `policy: message` lines. */
async function verdict(plan: Plan, config: PolicyConfig = {}): Promise<string[]> {
  return (
    await evaluatePolicies(plan, { "capacity-milestone-met": { asOf: "2026-11-22" }, "capacity-milestone-on-track": { asOf: "2026-11-22" }, ...config })
  ).violations.map((v) => `${v.policy}: ${v.message}`);
}

describe("policy pack", function () {
  let baseline: Plan;
  before(() => {
    baseline = planFile(writeStackFile("testsite", smallSite(), { "aisc:city": costedCity() }), tempDir());
  });

  it("passes the compliant baseline", async () => assert.deepStrictEqual(await verdict(baseline), []));

  describe("meta", () => {
    it("names every policy <domain>-<subject>-<requirement>, once", () => {
      const names = POLICIES.map((p) => p.name);
      for (const n of names) assert.match(n, /^(capacity|tenancy|security)-[a-z0-9]+(-[a-z0-9]+)+$/);
      assert.strictEqual(new Set(names).size, names.length);
    });

    it("describes every policy in one full sentence", () => {
      // Starts with a capital, ends with a full stop, and no full stop ends a sentence inside it.
      for (const p of POLICIES) assert.match(p.description, /^[A-Z](?!.*\.\s).*[a-z0-9)]\.$/, p.name);
    });

    it("gives every policy an explicit enforcement level: mandatory, or advisory for plans", () => {
      assert.deepStrictEqual(
        POLICIES.filter((p) => p.enforcementLevel !== "mandatory").map((p) => `${p.name}: ${p.enforcementLevel}`),
        ["capacity-milestone-on-track: advisory", "capacity-subsidy-headroom: advisory"],
      );
    });

    it("gives every numeric or list threshold a default in its config schema", () => {
      for (const p of POLICIES) {
        for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
          if (key !== "asOf") assert.notStrictEqual((schema as { default?: unknown }).default, undefined, `${p.name}.${key}`);
        }
      }
    });
  });

  describe("capacity", () => {
    it("fails quotas that overflow the site after the reserve", async () => {
      const plan = copy(baseline);
      find(plan, "kubernetes:core/v1:ResourceQuota", k8sName("tenant-quota", "gov-c")).inputs.spec.hard["requests.nvidia.com/gpu"] = "30";
      assert.deepStrictEqual(await verdict(plan), [
        "capacity-tenant-quotas-fit-site: Tenant quotas for whole GPUs (nvidia.com/gpu) total 54, 26 more than the 28 of testsite's 32 on-premises ones left after a 10% reserve.",
        "capacity-tenant-share-within-limit: Tenant gov-c has a quota of 30 GPUs, above 25% of the site (10 GPUs).",
        "capacity-slurm-limit-matches-quota: Tenant gov-c's Slurm GPU limit is 4, but its Kubernetes GPU quota is 30.",
      ]);
    });

    it("reads the reserve and the maximum share from config", async () => {
      assert.deepStrictEqual(await verdict(baseline, { "capacity-tenant-quotas-fit-site": { reserve: 0.5 } }), [
        "capacity-tenant-quotas-fit-site: Tenant quotas for whole GPUs (nvidia.com/gpu) total 28, 12 more than the 16 of testsite's 32 on-premises ones left after a 50% reserve.",
      ]);
      assert.deepStrictEqual(await verdict(baseline, { "capacity-tenant-share-within-limit": { maxShare: 0.1 } }), [
        "capacity-tenant-share-within-limit: Tenant uni-a has a quota of 8 GPUs, above 10% of the site (4 GPUs).",
      ]);
    });

    it("fails a tenant above its share once its exemption is removed", async () => {
      const plan = copy(baseline);
      delete find(plan, "kubernetes:core/v1:Namespace", k8sName("lab-b")).inputs.metadata.labels["aisc.hk/max-share-exempt"];
      assert.deepStrictEqual(await verdict(plan), [
        "capacity-tenant-share-within-limit: Tenant lab-b has a quota of 16 GPUs, above 25% of the site (10 GPUs).",
      ]);
    });

    it("fails a fleet whose power exceeds the envelope", async () => {
      const plan = copy(baseline);
      const facts = find(plan, "kubernetes:core/v1:ConfigMap", k8sName("aisc-site", "kube-system"));
      facts.inputs.data["site.json"] = JSON.stringify({ ...JSON.parse(facts.inputs.data["site.json"]), envelopeMW: 0.05 });
      assert.deepStrictEqual(await verdict(plan), [
        "capacity-power-within-envelope: Full-load power is 0.057 MW (0.045 MW IT at PUE 1.25), over the 0.05 MW envelope.",
      ]);
    });

    it("fails a past milestone not met, and only advises on a future one", async () => {
      const plan = copy(baseline);
      const facts = find(plan, "kubernetes:core/v1:ConfigMap", k8sName("aisc-site", "kube-system"));
      const site = JSON.parse(facts.inputs.data["site.json"]);
      site.milestones = [
        { name: "Opening", date: "2026-01-31", pflops: 100 },
        { name: "Later", date: "2027-06-30", pflops: 1000 },
      ];
      facts.inputs.data["site.json"] = JSON.stringify(site);
      const result = await evaluatePolicies(plan, { "capacity-milestone-met": { asOf: "2026-11-22" }, "capacity-milestone-on-track": { asOf: "2026-11-22" } });
      assert.deepStrictEqual(
        result.violations.map((v) => [v.policy, v.level, v.message]),
        [
          ["capacity-milestone-met", "mandatory", 'Milestone "Opening" (2026-01-31) needs 100 PFLOPS at fp8-dense; the pools in service by then give 63.328.'],
          [
            "capacity-milestone-on-track",
            "advisory",
            'Milestone "Later" (2027-06-30) needs 1000 PFLOPS at fp8-dense; the pools in service by then give 69.192.',
          ],
        ],
      );
    });

    it("fails a Slurm limit that differs from the quota", async () => {
      const plan = copy(baseline);
      find(plan, "kubernetes:core/v1:ConfigMap", k8sName("slurm-account-uni-a", "slurm")).inputs.data.qos = "uni-a GrpTRES=gres/gpu=7\n";
      assert.deepStrictEqual(await verdict(plan), [
        "capacity-slurm-limit-matches-quota: Tenant uni-a's Slurm GPU limit is 7, but its Kubernetes GPU quota is 8.",
      ]);
    });
  });

  describe("tenancy", () => {
    const remove = (plan: { resources: Mutable[] }, r: Mutable) => plan.resources.splice(plan.resources.indexOf(r), 1);

    it("fails a tenant namespace with no GPU quota, limit range or default deny", async () => {
      const plan = copy(baseline);
      remove(plan, find(plan, "kubernetes:core/v1:ResourceQuota", k8sName("tenant-quota", "gov-c")));
      remove(plan, find(plan, "kubernetes:core/v1:LimitRange", k8sName("tenant-defaults", "gov-c")));
      remove(plan, find(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", k8sName("tenant-isolation", "gov-c")));
      assert.deepStrictEqual(await verdict(plan), [
        "capacity-slurm-limit-matches-quota: Tenant gov-c's Slurm GPU limit is 4, but its Kubernetes GPU quota is 0.",
        "tenancy-namespace-has-gpu-quota: Tenant namespace gov-c has no ResourceQuota limiting requests.nvidia.com/gpu.",
        "tenancy-namespace-has-limit-range: Tenant namespace gov-c has no LimitRange.",
        "tenancy-namespace-default-deny: Tenant namespace gov-c has no NetworkPolicy isolating every pod for both ingress and egress.",
      ]);
    });

    it("fails a namespace that does not enforce Pod Security restricted", async () => {
      const plan = copy(baseline);
      find(plan, "kubernetes:core/v1:Namespace", k8sName("uni-a")).inputs.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
      assert.deepStrictEqual(await verdict(plan), [
        'tenancy-namespace-pod-security-restricted: Tenant namespace uni-a enforces Pod Security "baseline", not "restricted".',
      ]);
    });

    it("fails a role binding for anyone but the tenant's group", async () => {
      const plan = copy(baseline);
      find(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", k8sName("tenant-admin", "uni-a")).inputs.subjects.push({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "User",
        name: "mallory",
      });
      assert.deepStrictEqual(await verdict(plan), [
        "tenancy-rolebinding-own-group: Tenant namespace uni-a binds User mallory in RoleBinding tenant-admin, not only its group oidc:uni-a-admins.",
      ]);
    });

    it("fails privileged, hostPath or host-network pods outside platform namespaces, allows them inside", async () => {
      const plan = copy(baseline);
      const pod = {
        hostNetwork: true,
        containers: [{ name: "x", image: "busybox:1.36", securityContext: { privileged: true } }],
        volumes: [{ name: "root", hostPath: { path: "/" } }],
      };
      plan.resources.push(
        plannedResource("kubernetes:apps/v1:Deployment", "escape", { metadata: { name: "escape", namespace: "uni-a" }, spec: { template: { spec: pod } } }),
      );
      plan.resources.push(
        plannedResource("kubernetes:apps/v1:DaemonSet", "agent", { metadata: { name: "agent", namespace: "nvidia-gpu" }, spec: { template: { spec: pod } } }),
      );
      assert.deepStrictEqual(await verdict(plan), [
        "tenancy-pods-restricted-outside-platform: Deployment escape in namespace uni-a sets hostNetwork; runs container x privileged; runs container x without dropping ALL capabilities; mounts hostPath volume root; runs container x without a RuntimeDefault or Localhost seccomp profile; runs container x without allowPrivilegeEscalation: false; runs container x without runAsNonRoot: true.",
      ]);
    });

    it("fails GPU requests where no quota limits them", async () => {
      const plan = copy(baseline);
      const securityContext = {
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      };
      const spec = {
        template: { spec: { containers: [{ name: "train", image: "trainer:1.0", securityContext, resources: { limits: { "nvidia.com/gpu": 8 } } }] } },
      };
      plan.resources.push(plannedResource("kubernetes:batch/v1:Job", "train", { metadata: { name: "train", namespace: "scratch" }, spec }));
      plan.resources.push(plannedResource("kubernetes:batch/v1:Job", "ok", { metadata: { name: "ok", namespace: "uni-a" }, spec }));
      assert.deepStrictEqual(await verdict(plan), [
        "tenancy-gpu-requests-need-quota: train in namespace scratch requests nvidia.com/gpu, but no ResourceQuota in scratch limits requests.nvidia.com/gpu.",
      ]);
    });

    it("fails a cluster-wide binding for a tenant's group", async () => {
      const plan = copy(baseline);
      plan.resources.push(
        plannedResource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "oops", {
          metadata: { name: "oops" },
          roleRef: { kind: "ClusterRole", name: "view" },
          subjects: [{ kind: "Group", name: "oidc:gov-c-admins" }],
        }),
      );
      assert.deepStrictEqual(await verdict(plan), [
        "tenancy-tenant-identities-stay-in-namespace: ClusterRoleBinding oops grants Group oidc:gov-c-admins (tenant gov-c) rights across the cluster.",
      ]);
    });
  });

  describe("security", () => {
    it("fails AWS outside Hong Kong, and honours allowed regions from config", async () => {
      const plan = copy(baseline);
      find(plan, "pulumi:providers:aws").inputs.region = "us-west-2";
      assert.deepStrictEqual(await verdict(plan), [
        "security-aws-region-hong-kong: testsite-aws is in us-west-2, outside ap-east-1: data must stay in Hong Kong.",
      ]);
      assert.deepStrictEqual(await verdict(plan, { "security-aws-region-hong-kong": { allowedRegions: ["ap-east-1", "us-west-2"] } }), []);
    });

    it("fails a public, unencrypted, unaudited EKS control plane", async () => {
      const plan = copy(baseline);
      const eks = find(plan, "aws:eks/cluster:Cluster");
      eks.inputs.vpcConfig.endpointPublicAccess = true;
      delete eks.inputs.encryptionConfig;
      eks.inputs.enabledClusterLogTypes = ["api"];
      assert.deepStrictEqual(await verdict(plan), [
        "security-eks-endpoint-private: EKS cluster aisc-testsite has a public API endpoint (vpcConfig.endpointPublicAccess is not false).",
        "security-eks-secrets-encrypted: EKS cluster aisc-testsite does not encrypt Secrets with a KMS key.",
        "security-eks-audit-logs: EKS cluster aisc-testsite does not ship audit logs (enabledClusterLogTypes lacks audit).",
      ]);
    });

    it("fails an unencrypted public bucket, passes a private encrypted one", async () => {
      const plan = copy(baseline);
      plan.resources.push(plannedResource("aws:s3/bucket:Bucket", "open", { bucket: "open" }, { protect: true }));
      plan.resources.push(plannedResource("aws:s3/bucket:Bucket", "closed", { bucket: "closed" }, { protect: true }));
      plan.resources.push(
        plannedResource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "closed-sse", { bucket: "closed" }),
      );
      plan.resources.push(
        plannedResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "closed-block", {
          bucket: "closed",
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
      );
      assert.deepStrictEqual(await verdict(plan), [
        "security-buckets-private-encrypted: Bucket open has no server-side encryption configuration.",
        "security-buckets-private-encrypted: Bucket open does not block all public access (a BucketPublicAccessBlock with all four settings true).",
      ]);
    });

    it("fails an unprotected stateful resource", async () => {
      const plan = copy(baseline);
      find(plan, "aws:kms/key:Key", (r) => r.name === "testsite-cluster-secrets-key").options.protect = false;
      assert.deepStrictEqual(await verdict(plan), ["security-stateful-resources-protected: Key testsite-cluster-secrets-key holds data but is not protected."]);
    });

    it("fails an image on latest or untagged, and a chart with no version", async () => {
      const plan = copy(baseline);
      const ds = find(plan, "kubernetes:apps/v1:DaemonSet", k8sName("dcgm-exporter"));
      ds.inputs.spec.template.spec.containers[0].image = "nvcr.io/nvidia/k8s/dcgm-exporter:latest";
      delete find(plan, "kubernetes:helm.sh/v4:Chart", (r) => r.inputs.chart === "cilium").inputs.version;
      assert.deepStrictEqual(await verdict(plan), [
        "security-images-and-charts-pinned: Helm chart cilium is not pinned to a version.",
        "security-images-and-charts-pinned: testsite-nvidia-objects:nvidia-gpu/dcgm-exporter runs image nvcr.io/nvidia/k8s/dcgm-exporter:latest (at spec.template.spec.containers[0].image), which is tagged latest, which moves: pin it to a version tag or a digest.",
      ]);
    });
  });

  it("makes aisc plan exit 1 and name the policy in all three reports", () => {
    const site = smallSite();
    site.region = "eu-west-1";
    site.networks.availabilityZones = ["eu-west-1a", "eu-west-1b"];
    const out = tempDir();
    const run = aisc("plan", "--config", writeStackFile("leaky", site), "--out", out);
    assert.strictEqual(run.status, 1, run.stderr);
    assert.match(run.stdout, /\[mandatory\] security-aws-region-hong-kong: testsite-aws is in eu-west-1/);
    const dir = `${out}/leaky`;
    assert.match(fs.readFileSync(`${dir}/policy-report.md`, "utf8"), /\| `security-aws-region-hong-kong` \| mandatory \| pulumi:providers:aws testsite-aws \|/);
    const json = JSON.parse(fs.readFileSync(`${dir}/policy-report.json`, "utf8"));
    assert.ok(json.violations.some((v: { policy: string }) => v.policy === "security-aws-region-hong-kong"));
    const sarif = JSON.parse(fs.readFileSync(`${dir}/policy-report.sarif`, "utf8"));
    assert.strictEqual(sarif.version, "2.1.0");
    assert.ok(sarif.runs[0].results.some((r: { ruleId: string; level: string }) => r.ruleId === "security-aws-region-hong-kong" && r.level === "error"));
  });
});

describe("policy pack on Cyberport's plan", function () {
  this.timeout(300000);

  it("fails a tenant's quota without its MIG line, naming the tenant and the resource", async () => {
    const { realPlan } = await import("../helpers/plan");
    const plan = copy(realPlan("cyberport"));
    // The shipped city config sets no rates (AISC's list price is not public): the ledger's advisory says so, and nothing else fails.
    assert.deepStrictEqual(
      (await verdict(plan)).map((v) => v.split(":")[0]),
      ["capacity-subsidy-headroom"],
    );
    const quota = find(plan, "kubernetes:core/v1:ResourceQuota", k8sName("tenant-quota", "hku"));
    assert.strictEqual(quota.inputs.spec.hard["requests.nvidia.com/mig-1g.10gb"], "56");
    delete quota.inputs.spec.hard["requests.nvidia.com/mig-1g.10gb"];
    assert.deepStrictEqual(await verdict(plan, { "capacity-subsidy-headroom": { enforcementLevel: "disabled" } }), [
      "tenancy-quota-for-every-gpu-resource: Tenant hku's quota has no line for nvidia.com/mig-1g.10gb, which pool h100-mig advertises: the tenant could take all of it.",
    ]);
  });
});

describe("aisc plan on over-promised whole GPUs", function () {
  this.timeout(300000);

  it("exits 1 naming the class when whole-GPU quotas fit all the site's GPUs but not its whole-GPU on-premises pools", () => {
    const s = smallSite();
    // 36 whole GPUs: within the 36 of all 40 GPUs after the reserve, past the 28 of the 32 whole on-premises ones.
    s.tenants = s.tenants.map((t: Record<string, unknown>, i: number) => ({ ...t, gpus: [12, 12, 12][i] ?? 0, maxShareExempt: true }));
    const run = aisc("plan", "--config", writeStackFile("overpromised", s), "--out", tempDir());
    assert.strictEqual(run.status, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /\[mandatory\] capacity-tenant-quotas-fit-site: Tenant quotas for whole GPUs \(nvidia\.com\/gpu\) total 36, 8 more than the 28 of testsite's 32 on-premises ones left after a 10% reserve\.\n/,
    );
  });
});
