import * as assert from "assert";
import { PlannedResource } from "../../cli/record";
import { awsRegionHongKong, bucketsPrivateEncrypted, eksAuditLogs, eksEndpointPrivate, eksSecretsEncrypted, statefulProtected } from "../../policies/security";
import { eksVersionSupported } from "../../policies/eks-support";
import { plannedResource } from "../helpers/plan";
import { violations } from "../helpers/policy";

/** The security and residency rules, one policy at a time, over hand-built AWS and Kubernetes resources. */

const EKS = "aws:eks/cluster:Cluster";
const BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2";
const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

/** A compliant EKS cluster with `change` applied to its inputs. */
function eks(change: (p: Record<string, any>) => void = () => undefined, name = "aisc-testsite"): PlannedResource {
  const props: Record<string, any> = {
    name,
    vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:ap-east-1:1:key/k" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
  };
  change(props);
  return plannedResource(EKS, "cluster", props, { protect: true });
}

describe("security policies", () => {
  describe("security-aws-region-hong-kong", () => {
    const provider = (name: string, region?: string) => plannedResource("pulumi:providers:aws", name, region ? { region } : {});

    it("passes providers and resources in ap-east-1, and resources that name no region", () => {
      assert.deepStrictEqual(
        violations(awsRegionHongKong, [
          provider("hk", "ap-east-1"),
          plannedResource("aws:s3/bucket:Bucket", "b", { region: "ap-east-1" }),
          plannedResource("aws:kms/key:Key", "k", {}),
        ]),
        [],
      );
    });

    it("fails a provider with no region and anything outside the allowed regions", () => {
      const resources = [
        provider("aws"),
        provider("us", "us-west-2"),
        plannedResource("aws:s3/bucket:Bucket", "b", { region: "eu-west-1" }),
        plannedResource("kubernetes:core/v1:ConfigMap", "c", { region: "us-east-1" }),
      ];
      assert.deepStrictEqual(violations(awsRegionHongKong, resources), [
        "aws: AWS provider aws names no region; set one of ap-east-1.",
        "us: us is in us-west-2, outside ap-east-1: data must stay in Hong Kong.",
        "b: b is in eu-west-1, outside ap-east-1: data must stay in Hong Kong.",
      ]);
    });

    it("reports a resource's region once, at its provider, when the resource carries the provider's region as AWS v7 outputs do", () => {
      const tokyo = provider("tokyo", "ap-northeast-1");
      const ref = `${tokyo.urn}::id`;
      const inTokyo = (name: string, region: string) => ({ ...plannedResource("aws:eks/nodeGroup:NodeGroup", name, { region }), provider: ref });
      assert.deepStrictEqual(violations(awsRegionHongKong, [tokyo, inTokyo("burst", "ap-northeast-1"), inTokyo("elsewhere", "us-east-1")]), [
        "tokyo: tokyo is in ap-northeast-1, outside ap-east-1: data must stay in Hong Kong.",
        "elsewhere: elsewhere is in us-east-1, outside ap-east-1: data must stay in Hong Kong.",
      ]);
    });

    it("takes the allowed regions from config", () => {
      const config = { allowedRegions: ["ap-east-1", "ap-southeast-1"] };
      assert.deepStrictEqual(violations(awsRegionHongKong, [provider("sg", "ap-southeast-1"), provider("us", "us-west-2"), provider("aws")], config), [
        "us: us is in us-west-2, outside ap-east-1, ap-southeast-1: data must stay in Hong Kong.",
        "aws: AWS provider aws names no region; set one of ap-east-1, ap-southeast-1.",
      ]);
    });

    it("declares the allowed regions in its config schema, Hong Kong by default", () => {
      assert.deepStrictEqual(awsRegionHongKong.configSchema, {
        properties: { allowedRegions: { type: "array", items: { type: "string" }, default: ["ap-east-1"], description: "AWS regions data may live in." } },
      });
    });
  });

  describe("security-eks-version-supported", () => {
    const version = (v: string, support?: string) => eks((p) => ((p.version = v), support && (p.upgradePolicy = { supportType: support })));

    it("passes a version with at least minDays of its tier's support left on the plan's date", () => {
      assert.deepStrictEqual(violations(eksVersionSupported, [version("1.36", "STANDARD")], { asOf: "2026-12-02" }), []);
      // 1.35's standard support ends 2027-03-27: 115 days after 2026-12-02, and exactly 90 after 2026-12-27.
      assert.deepStrictEqual(violations(eksVersionSupported, [version("1.35")], { asOf: "2026-12-27" }), []);
      assert.deepStrictEqual(violations(eksVersionSupported, [version("1.34", "EXTENDED")], { asOf: "2026-12-02" }), []);
    });

    it("fails a version whose support ends within minDays or has ended, naming the date", () => {
      assert.deepStrictEqual(violations(eksVersionSupported, [version("1.35")], { asOf: "2026-12-28" }), [
        "cluster: EKS cluster aisc-testsite runs Kubernetes 1.35, whose standard support ends on 2027-03-27, 89 days after 2026-12-28 (extended support runs to 2028-03-27, billed); at least 90 days are required: upgrade to a newer version.",
      ]);
      assert.deepStrictEqual(violations(eksVersionSupported, [version("1.33", "STANDARD")], { asOf: "2026-12-02" }), [
        "cluster: EKS cluster aisc-testsite runs Kubernetes 1.33, whose standard support ended on 2026-07-29 (extended support runs to 2027-07-29, billed); at least 90 days are required: upgrade to a newer version.",
      ]);
      assert.deepStrictEqual(violations(eksVersionSupported, [version("1.34", "EXTENDED")], { asOf: "2027-10-01", minDays: 120 }), [
        "cluster: EKS cluster aisc-testsite runs Kubernetes 1.34, whose extended support ends on 2027-12-02, 62 days after 2027-10-01; at least 120 days are required: upgrade to a newer version.",
      ]);
      assert.deepStrictEqual(violations(eksVersionSupported, [version("1.29")], { asOf: "2026-12-02" }), [
        "cluster: EKS cluster aisc-testsite runs Kubernetes 1.29, which is not in EKS's calendar as aisc knows it (1.36, 1.35, 1.34, 1.33, 1.32, 1.31, 1.30).",
      ]);
    });

    it("judges on the plan's date when asOf is not set", () => {
      const saved = process.env.AISC_AS_OF;
      process.env.AISC_AS_OF = "2027-06-01";
      try {
        assert.deepStrictEqual(violations(eksVersionSupported, [version("1.36")]), [
          "cluster: EKS cluster aisc-testsite runs Kubernetes 1.36, whose standard support ends on 2027-08-02, 62 days after 2027-06-01 (extended support runs to 2028-08-02, billed); at least 90 days are required: upgrade to a newer version.",
        ]);
      } finally {
        if (saved === undefined) delete process.env.AISC_AS_OF;
        else process.env.AISC_AS_OF = saved;
      }
    });
  });

  describe("the EKS control plane rules", () => {
    const all = [eksEndpointPrivate, eksSecretsEncrypted, eksAuditLogs];
    const run = (r: PlannedResource) => all.flatMap((p) => violations(p, [r]));

    it("pass a private, encrypted, audited cluster", () => assert.deepStrictEqual(run(eks()), []));

    it("fail a public endpoint, also when the setting is left out", () => {
      const expected = ["cluster: EKS cluster aisc-testsite has a public API endpoint (vpcConfig.endpointPublicAccess is not false)."];
      assert.deepStrictEqual(run(eks((p) => (p.vpcConfig.endpointPublicAccess = true))), expected);
      assert.deepStrictEqual(run(eks((p) => delete p.vpcConfig.endpointPublicAccess)), expected);
      assert.deepStrictEqual(run(eks((p) => delete p.vpcConfig)), expected);
    });

    it("fail Secrets not encrypted with a KMS key", () => {
      const expected = ["cluster: EKS cluster aisc-testsite does not encrypt Secrets with a KMS key."];
      assert.deepStrictEqual(run(eks((p) => delete p.encryptionConfig)), expected);
      assert.deepStrictEqual(run(eks((p) => (p.encryptionConfig.resources = ["configmaps"]))), expected);
      assert.deepStrictEqual(run(eks((p) => delete p.encryptionConfig.resources)), expected);
      assert.deepStrictEqual(run(eks((p) => delete p.encryptionConfig.provider.keyArn)), expected);
      assert.deepStrictEqual(run(eks((p) => delete p.encryptionConfig.provider)), expected);
    });

    it("fail a cluster that does not ship audit logs", () => {
      const expected = ["cluster: EKS cluster aisc-testsite does not ship audit logs (enabledClusterLogTypes lacks audit)."];
      assert.deepStrictEqual(run(eks((p) => (p.enabledClusterLogTypes = ["api"]))), expected);
      assert.deepStrictEqual(run(eks((p) => delete p.enabledClusterLogTypes)), expected);
    });

    it("name the cluster by its resource name when it has no name input, and judge only EKS clusters", () => {
      assert.deepStrictEqual(run(eks((p) => delete p.name)).length, 0);
      assert.deepStrictEqual(
        violations(eksAuditLogs, [
          eks((p) => {
            delete p.name;
            p.enabledClusterLogTypes = [];
          }),
        ]),
        ["cluster: EKS cluster cluster does not ship audit logs (enabledClusterLogTypes lacks audit)."],
      );
      assert.deepStrictEqual(run(plannedResource("aws:rds/instance:Instance", "db", {}, { protect: true })), []);
    });
  });

  describe("security-buckets-private-encrypted", () => {
    const bucket = (name: string, props: Record<string, unknown> = { bucket: name }, type = "aws:s3/bucket:Bucket") =>
      plannedResource(type, name, props, { protect: true });

    it("fails an unencrypted bucket open to the public, at the bucket", () => {
      assert.deepStrictEqual(violations(bucketsPrivateEncrypted, [bucket("open")]), [
        "open: Bucket open has no server-side encryption configuration.",
        "open: Bucket open does not block all public access (a BucketPublicAccessBlock with all four settings true).",
      ]);
    });

    it("passes a bucket secured by its bucket name, by dependency or by resource name, in both bucket types", () => {
      const byName = [bucket("a"), plannedResource(SSE, "a-sse", { bucket: "a" }), plannedResource(BLOCK, "a-block", { bucket: "a", ...ALL_BLOCKED })];
      const v2 = bucket("b", { bucket: "b" }, "aws:s3/bucketV2:BucketV2");
      const byDependency = [
        v2,
        plannedResource(SSE_V2, "b-sse", { bucket: "generated" }, { dependencies: [v2.urn] }),
        plannedResource(BLOCK, "b-block", { bucket: "generated", ...ALL_BLOCKED }, { dependencies: [v2.urn] }),
      ];
      const byResourceName = [
        bucket("c", {}),
        plannedResource(SSE, "c-sse", { bucket: "c" }),
        plannedResource(BLOCK, "c-block", { bucket: "c", ...ALL_BLOCKED }),
      ];
      const inline = [
        bucket("d", { bucket: "d", serverSideEncryptionConfiguration: { rule: {} } }),
        plannedResource(BLOCK, "d-block", { bucket: "d", ...ALL_BLOCKED }),
      ];
      const byBucketName = [
        bucket("logs", { bucket: "aisc-logs" }),
        plannedResource(SSE, "logs-sse", { bucket: "aisc-logs" }),
        plannedResource(BLOCK, "logs-block", { bucket: "aisc-logs", ...ALL_BLOCKED }),
      ];
      assert.deepStrictEqual(violations(bucketsPrivateEncrypted, [...byName, ...byDependency, ...byResourceName, ...inline, ...byBucketName]), []);
    });

    it("fails a public access block that leaves any one setting off, or that belongs to another bucket", () => {
      for (const key of Object.keys(ALL_BLOCKED)) {
        const resources = [
          bucket("a"),
          plannedResource(SSE, "a-sse", { bucket: "a" }),
          plannedResource(BLOCK, "a-block", { bucket: "a", ...ALL_BLOCKED, [key]: false }),
        ];
        assert.deepStrictEqual(
          violations(bucketsPrivateEncrypted, resources),
          ["a: Bucket a does not block all public access (a BucketPublicAccessBlock with all four settings true)."],
          key,
        );
      }
      const other = [
        bucket("a"),
        bucket("z"),
        plannedResource(SSE, "a-sse", { bucket: "a" }),
        plannedResource(SSE, "z-sse", { bucket: "z" }),
        plannedResource(BLOCK, "z-block", { bucket: "z", ...ALL_BLOCKED }),
      ];
      assert.deepStrictEqual(violations(bucketsPrivateEncrypted, other), [
        "a: Bucket a does not block all public access (a BucketPublicAccessBlock with all four settings true).",
      ]);
    });

    it("does not take another bucket's encryption, found by its own dependencies, as this one's", () => {
      const key = plannedResource("aws:kms/key:Key", "key", {}, { protect: true });
      const resources = [
        key,
        bucket("a"),
        plannedResource(SSE, "z-sse", { bucket: "z" }, { dependencies: [key.urn] }),
        plannedResource(BLOCK, "a-block", { bucket: "a", ...ALL_BLOCKED }),
      ];
      assert.deepStrictEqual(violations(bucketsPrivateEncrypted, resources), ["a: Bucket a has no server-side encryption configuration."]);
    });

    it("does not take a public access block as encryption", () => {
      assert.deepStrictEqual(violations(bucketsPrivateEncrypted, [bucket("a"), plannedResource(BLOCK, "a-block", { bucket: "a", ...ALL_BLOCKED })]), [
        "a: Bucket a has no server-side encryption configuration.",
      ]);
    });
  });

  describe("security-stateful-resources-protected", () => {
    const STATEFUL = [
      "aws:kms/key:Key",
      "aws:cloudwatch/logGroup:LogGroup",
      EKS,
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketV2:BucketV2",
      "aws:ebs/volume:Volume",
      "aws:rds/instance:Instance",
      "kubernetes:core/v1:Namespace",
      "kubernetes:core/v1:PersistentVolume",
      "kubernetes:core/v1:PersistentVolumeClaim",
    ];

    it("fails every stateful type that is not protected, retained or not", () => {
      for (const type of STATEFUL) {
        assert.deepStrictEqual(
          violations(statefulProtected, [plannedResource(type, "data", {})]),
          [`data: ${type.split(":")[2]} data holds data but is not protected.`],
          type,
        );
      }
      // The engine cannot see retainOnDelete (its analyzer protocol does not carry it), so neither does the rule.
      assert.deepStrictEqual(violations(statefulProtected, [plannedResource("aws:rds/instance:Instance", "r", {}, { retainOnDelete: true })]), [
        "r: Instance r holds data but is not protected.",
      ]);
    });

    it("passes a protected resource, and stateless types", () => {
      const resources = [
        plannedResource("aws:kms/key:Key", "p", {}, { protect: true }),
        plannedResource("aws:rds/instance:Instance", "r", {}, { protect: true, retainOnDelete: true }),
        plannedResource("aws:iam/role:Role", "role", {}),
      ];
      assert.deepStrictEqual(violations(statefulProtected, resources), []);
    });
  });
});
