/**
 * Amazon EKS's Kubernetes version calendar and the managed add-on builds aisc pins for each
 * version it deploys. A version is in standard support for 14 months from its EKS release, then
 * in extended support (billed per cluster hour) for 12 more; after that EKS upgrades the control
 * plane itself, ahead of any hybrid node.
 *
 * Sources: the EKS user guide's "Understand the Kubernetes version lifecycle on EKS"
 * (kubernetes-versions.html; awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc
 * at 8596db85 for 1.30 to 1.33); for 1.34 to 1.36, the end dates endoflife.date scrapes from that
 * page's release table (endoflife-date/endoflife.date products/amazon-eks.md at a70eca33, read
 * 2026-12-02). Add-on builds: the user guide's managing-kube-proxy and managing-coredns tables
 * (snapshot read 2026-12-02); vpc-cni, eks-pod-identity-agent and aws-ebs-csi-driver have no
 * per-version table, and the builds pinned are published ones seen in use with these versions.
 * None could be checked against the EKS API here: `aws eks describe-addon-versions
 * --kubernetes-version <v> --addon-name <name>` says what a real account offers (see the README).
 */

export interface EksVersion {
  /** Kubernetes minor version, "1.36". */
  readonly version: string;
  /** Last day of standard support (YYYY-MM-DD). */
  readonly endOfStandard: string;
  /** Last day of extended support (YYYY-MM-DD), after which EKS upgrades the cluster itself. */
  readonly endOfExtended: string;
}

/** Newest first. */
export const EKS_VERSIONS: readonly EksVersion[] = [
  { version: "1.36", endOfStandard: "2027-08-02", endOfExtended: "2028-08-02" },
  { version: "1.35", endOfStandard: "2027-03-27", endOfExtended: "2028-03-27" },
  { version: "1.34", endOfStandard: "2026-12-02", endOfExtended: "2027-12-02" },
  { version: "1.33", endOfStandard: "2026-07-29", endOfExtended: "2027-07-29" },
  { version: "1.32", endOfStandard: "2026-03-23", endOfExtended: "2027-03-23" },
  { version: "1.31", endOfStandard: "2025-11-26", endOfExtended: "2026-11-26" },
  { version: "1.30", endOfStandard: "2025-07-23", endOfExtended: "2026-07-23" },
];

/** The EKS managed add-ons aisc installs on every EKS cluster, by their add-on names. */
export const EKS_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver"] as const;
export type EksAddon = (typeof EKS_ADDONS)[number];

/** Builds that serve every version below (their compatibility spans several minors). */
const SHARED_ADDONS = { "vpc-cni": "v1.21.1-eksbuild.3", "eks-pod-identity-agent": "v1.3.10-eksbuild.2", "aws-ebs-csi-driver": "v1.63.1-eksbuild.1" } as const;

/**
 * The add-on builds pinned for each Kubernetes version aisc deploys: kube-proxy must match the
 * control plane's minor version, CoreDNS has a build per version. A version not listed here is
 * one aisc cannot deploy (the parser says which it can).
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<EksAddon, string>>>> = {
  "1.36": { ...SHARED_ADDONS, "kube-proxy": "v1.36.0-eksbuild.14", coredns: "v1.14.3-eksbuild.3" },
  "1.35": { ...SHARED_ADDONS, "kube-proxy": "v1.35.3-eksbuild.13", coredns: "v1.14.3-eksbuild.3" },
  "1.34": { ...SHARED_ADDONS, "kube-proxy": "v1.34.6-eksbuild.13", coredns: "v1.13.2-eksbuild.11" },
};

/** The versions aisc deploys, newest first; the newest is the default. */
export const DEPLOYABLE_VERSIONS: readonly string[] = EKS_VERSIONS.map((v) => v.version).filter((v) => EKS_ADDON_VERSIONS[v] !== undefined);

export function eksVersion(version: string): EksVersion | undefined {
  return EKS_VERSIONS.find((v) => v.version === version);
}

export const SUPPORT_TYPES = ["standard", "extended"] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];
