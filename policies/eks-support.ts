import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { Cluster } from "@pulumi/aws/eks/cluster";
import { judged } from "./evidence";
import { daysBetween, planDate } from "../inventory/dates";
import { eksVersion, EKS_VERSIONS } from "../inventory/eks-versions";

/** Days of support a cluster's version must have left unless the pack's config says otherwise. */
export const DEFAULT_MIN_SUPPORT_DAYS = 90;

/**
 * The EKS version is supported, under the cluster's support tier, for at least `minDays` more
 * days from the plan's date (EKS's calendar, inventory/eks-versions): past standard support a
 * STANDARD cluster is upgraded by EKS itself, ahead of its hybrid nodes, and an EXTENDED one is
 * billed for extended support and upgraded when that ends. The message names the date, so the
 * upgrade can be planned before it.
 */
export const eksVersionSupported: ResourceValidationPolicy = {
  name: "security-eks-version-supported",
  description: "The EKS cluster's Kubernetes version stays in support (standard, or extended when chosen) for at least minDays after the plan's date.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minDays: { type: "integer", minimum: 0, maximum: 730, default: DEFAULT_MIN_SUPPORT_DAYS, description: "Days of support the version must have left." },
      asOf: {
        type: "string",
        pattern: "^\\d{4}-\\d{2}-\\d{2}$",
        description: "The date support is judged on (YYYY-MM-DD); the plan's date (today, or aisc plan --as-of) when unset.",
      },
    },
  },
  validateResource: validateResourceOfType(Cluster, (cluster, args, report) => {
    judged(args, "EKS cluster");
    const { minDays, asOf } = { minDays: DEFAULT_MIN_SUPPORT_DAYS, asOf: planDate(), ...(args.getConfig<{ minDays?: number; asOf?: string }>() ?? {}) };
    const version = cluster.version ?? "";
    const name = cluster.name ?? args.name;
    const v = eksVersion(version);
    if (!v) {
      report(
        `EKS cluster ${name} runs Kubernetes ${version || "(no version set)"}, which is not in EKS's calendar as aisc knows it (${EKS_VERSIONS.map((x) => x.version).join(", ")}).`,
      );
      return;
    }
    const extended = cluster.upgradePolicy?.supportType === "EXTENDED";
    const ends = extended ? v.endOfExtended : v.endOfStandard;
    const left = daysBetween(asOf, ends);
    if (left >= minDays) return;
    const tier = extended ? "extended" : "standard";
    const when = left < 0 ? `ended on ${ends}` : `ends on ${ends}, ${left} days after ${asOf}`;
    const next = extended ? "" : ` (extended support runs to ${v.endOfExtended}, billed)`;
    report(
      `EKS cluster ${name} runs Kubernetes ${version}, whose ${tier} support ${when}${next}; at least ${minDays} days are required: upgrade to a newer version.`,
    );
  }),
};
