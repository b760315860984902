import { CLOUD_INSTANCE_TYPES } from "./instances";

/**
 * Which of the catalog's GPU instance types (./instances) each region offers, as far as a
 * dated public record shows: a cloud pool of a type its region does not offer is refused when
 * the inventory is read, rather than by a node group that waits an hour and fails `pulumi up`.
 *
 * Sources, read 2026-12-02:
 * - ap-east-1 (Hong Kong) and ap-northeast-1 (Tokyo): instances.vantage.sh's per-region
 *   on-demand prices as exported 2026-08-26 (tsaol/aws-gpu data/<family>_instances.js). In Hong
 *   Kong it records only g4dn and g5 among GPU families: none of the catalog's A100, H100, H200,
 *   B200 or L40S types (p4d, p4de, p5, p5e, p5en, p6-b200, g6e).
 * - us-east-1: aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go
 *   (generated 2026-07-20, commit 6fc13b52), every type with an on-demand price there.
 * - p5e.48xlarge is sold only as Capacity Blocks and appears in neither record.
 *
 * A region not listed is one aisc has no record for: its cloud pools are refused until a record
 * is added here. What a real account may launch, and in which zone, is answered only by
 * `aws ec2 describe-instance-type-offerings --region <region> --location-type availability-zone`.
 */
export const REGION_OFFERINGS: Readonly<Record<string, readonly string[]>> = {
  "ap-east-1": [],
  "ap-northeast-1": ["p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge", "p5en.48xlarge", "g6e.xlarge", "g6e.12xlarge", "g6e.24xlarge", "g6e.48xlarge"],
  "us-east-1": [
    "p4d.24xlarge",
    "p4de.24xlarge",
    "p5.48xlarge",
    "p5en.48xlarge",
    "p6-b200.48xlarge",
    "g6e.xlarge",
    "g6e.12xlarge",
    "g6e.24xlarge",
    "g6e.48xlarge",
  ],
};

/** Every type the records name is one the catalog knows: a typo here would offer nothing. */
const CATALOG = new Set(Object.values(CLOUD_INSTANCE_TYPES).flatMap((types) => types.map((t) => t.name)));
for (const [region, types] of Object.entries(REGION_OFFERINGS)) {
  for (const t of types) if (!CATALOG.has(t)) throw new Error(`inventory/offerings: ${region} lists ${t}, which is not in the instance catalog`);
}

/** Whether `region` offers `instanceType`: true, false, or undefined when aisc has no record of the region. */
export function regionOffers(region: string, instanceType: string): boolean | undefined {
  const offered = REGION_OFFERINGS[region];
  return offered === undefined ? undefined : offered.includes(instanceType);
}
