import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessPolicy, Site } from "../../inventory/types";

export const CLUSTER_ACCESS_TYPE = "aisc:cluster:ClusterAccess";

/** EKS's cluster-scoped access policies, by the inventory's names for them. */
export const ACCESS_POLICY_ARNS: Readonly<Record<AccessPolicy, string>> = {
  "cluster-admin": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
  admin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy",
  view: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
};

/** The name the site's directory has as the cluster's identity provider. */
export const IDENTITY_PROVIDER_NAME = "site-directory";

/** A resource-name key for an IAM principal, stable under reordering: `role-aisc-ci`. */
export function principalKey(arn: string): string {
  const [, kind, ...rest] = /:(role|user)\/(.*)$/.exec(arn) ?? [];
  return `${kind}-${rest
    .join("/")
    .split("/")
    .pop()!
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")}`;
}

/** A resource-name key for a CIDR, stable under reordering: `10-80-0-0-16`. */
export function cidrKey(cidr: string): string {
  return cidr.replace(/[./]/g, "-");
}

/**
 * The ranges the EKS-made cluster security group admits besides itself: the on-premises node
 * and pod networks. Cloud nodes carry only that group, which admits only its own members, so
 * without these a pod on a hybrid node could not reach CoreDNS, DCGM, slurmd or any pod on a
 * cloud node (EKS user guide, hybrid nodes networking). Tenants are still held apart by their
 * NetworkPolicies, which both CNIs enforce.
 */
export function onPremIngress(site: Site): { key: string; cidr: string; description: string }[] {
  const ranges = [
    ...site.networks.onPremNodeCidrs.map((cidr) => ({ cidr, description: "On-premises hybrid nodes to cloud nodes and pods" })),
    ...site.networks.onPremPodCidrs.map((cidr) => ({ cidr, description: "Pods on hybrid nodes to cloud nodes and pods" })),
  ];
  return ranges.map((r) => ({ key: cidrKey(r.cidr), ...r }));
}

export interface ClusterAccessArgs {
  readonly site: Site;
  readonly provider: aws.Provider;
  readonly clusterName: pulumi.Input<string>;
  /** The security group EKS made for the cluster, which every cloud node carries. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
}

/** What a {@link ClusterAccess} records as its inputs (see {@link clusterAccessInputs}). */
export interface ClusterAccessInputs {
  /** The site directory's OIDC issuer; absent without one. */
  readonly identityIssuer?: string;
  /** Each IAM principal's access policy, by principal ARN. */
  readonly access: Readonly<Record<string, AccessPolicy>>;
  /** The on-premises ranges admitted to the cluster security group, sorted. */
  readonly onPremCidrs: readonly string[];
}

/**
 * Who may administer the cluster and from which networks: a principal gaining `cluster-admin`
 * or a new range let in is the change a reviewer must not miss, so it shows on this component
 * in a preview. The OIDC client's other settings are the identity provider config's inputs.
 */
export function clusterAccessInputs(site: Site): ClusterAccessInputs {
  const access: Record<string, AccessPolicy> = {};
  for (const entry of [...site.cluster.access].sort((a, b) => (a.principalArn < b.principalArn ? -1 : 1))) access[entry.principalArn] = entry.policy;
  return {
    ...(site.cluster.identity ? { identityIssuer: site.cluster.identity.issuerUrl } : {}),
    access,
    onPremCidrs: onPremIngress(site)
      .map((r) => r.cidr)
      .sort(),
  };
}

/**
 * Who and what may reach the cluster: the site directory as an OIDC identity provider (so a
 * tenant's `adminGroup` RoleBinding, written with the groups prefix, matches the directory's
 * group), an access entry with its cluster-scoped policy for each IAM role the inventory names
 * (the creator gets nothing of its own), and the on-premises networks into the cluster
 * security group.
 */
export class ClusterAccess extends pulumi.ComponentResource {
  /** The identity provider config's name on the cluster; absent when the site has no directory. */
  public readonly identityProvider?: string;
  /** Each access entry's ARN, by {@link principalKey}. */
  public readonly accessEntryArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CLUSTER_ACCESS_TYPE, name, clusterAccessInputs(args.site), opts);
    const { site } = args;
    const child = { parent: this, provider: args.provider };
    const identity = site.cluster.identity;
    this.accessEntryArns = {};
    if (identity) {
      this.identityProvider = IDENTITY_PROVIDER_NAME;
      new aws.eks.IdentityProviderConfig(
        `${name}-oidc`,
        {
          clusterName: args.clusterName,
          oidc: { identityProviderConfigName: IDENTITY_PROVIDER_NAME, ...identity },
        },
        child,
      );
    }
    for (const entry of site.cluster.access) {
      const key = principalKey(entry.principalArn);
      const accessEntry = new aws.eks.AccessEntry(
        `${name}-${key}`,
        { clusterName: args.clusterName, principalArn: entry.principalArn, type: "STANDARD" },
        child,
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-${key}`,
        {
          clusterName: args.clusterName,
          principalArn: entry.principalArn,
          policyArn: ACCESS_POLICY_ARNS[entry.policy],
          accessScope: { type: "cluster" },
        },
        { ...child, dependsOn: [accessEntry] },
      );
      this.accessEntryArns[key] = accessEntry.accessEntryArn;
    }
    for (const rule of onPremIngress(site)) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-${rule.key}`,
        {
          securityGroupId: args.clusterSecurityGroupId,
          cidrIpv4: rule.cidr,
          ipProtocol: "-1",
          description: rule.description,
        },
        child,
      );
    }
    this.registerOutputs({ identityProvider: this.identityProvider, accessEntryArns: this.accessEntryArns });
  }
}
