import { isPrivate, parseCidr } from "./cidr";
import { DEFAULT_ACTIVATION_ROTATION_DAYS, DEFAULT_OIDC_PREFIX, MAX_ACCESS_ENTRIES, MAX_API_ACCESS_CIDRS, SECTIONS } from "./input";
import { DEPLOYABLE_VERSIONS, SUPPORT_TYPES } from "./eks-versions";
import { SSM_ACTIVATION_MAX_DAYS } from "./platform";
import { Reader, show } from "./reader";
import { ACCESS_POLICIES, ClusterAccess, ClusterIdentity, ClusterSettings, CLUSTER_KINDS } from "./types";

/** The Kubernetes minor version a site gets unless it pins another: the newest aisc deploys. */
export const DEFAULT_KUBERNETES_VERSION = DEPLOYABLE_VERSIONS[0];

/**
 * A folder inside the Pulumi project, relative to it: the Kubernetes provider writes every
 * manifest there, Secrets included in plain text, so it may not point anywhere else on the
 * machine (`../../etc`, `/etc`) nor into the repository's own `.git`.
 */
const PROJECT_PATH = /^(?!\.git(\/|$))(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const PROJECT_PATH_WHAT =
  "a folder inside the project, relative to it, such as rendered/cyberport (letters, digits, '.', '_', '-' and '/'; no '..', '.git' or leading '/')";
/** An IAM role or user, as EKS access entries take them (not an assumed-role session). */
const PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
/** EKS: an https issuer, reachable by EKS to read its discovery document. */
const ISSUER_URL = /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[\w.~%!$&'()*+,;=:@/-]*)?$/i;
/** A claim name or prefix; EKS refuses prefixes that start with `system:`. */
const CLAIM = /^[A-Za-z0-9_:./-]{1,64}$/;

function parseIdentity(r: Reader, path: string, value: unknown): ClusterIdentity | undefined {
  const o = r.object(path, value, SECTIONS.identity);
  if (!o) return undefined;
  const issuerUrl = r.string(`${path}.issuerUrl`, o.issuerUrl, {
    pattern: ISSUER_URL,
    what: "the directory's OIDC issuer, an https URL such as https://sso.example.hk/realms/aisc",
  });
  const clientId = r.string(`${path}.clientId`, o.clientId, { maxLength: 128 });
  const claim = (key: string, fallback: string) =>
    o[key] === undefined
      ? fallback
      : r.string(`${path}.${key}`, o[key], { pattern: CLAIM, what: "a claim name (letters, digits, '_', ':', '.', '/', '-'; at most 64)" });
  const prefix = (key: string) => {
    if (o[key] === undefined) return DEFAULT_OIDC_PREFIX;
    const text = r.string(`${path}.${key}`, o[key], { pattern: CLAIM, what: "a prefix such as oidc: (letters, digits, '_', ':', '.', '/', '-'; at most 64)" });
    // Without a prefix, a directory group named system:masters would be Kubernetes' own.
    if (text?.startsWith("system:"))
      return r.fail(
        `${path}.${key}`,
        `expected a prefix that does not start with system: (EKS refuses it: Kubernetes reserves system: names), got ${show(text)}`,
      );
    return text;
  };
  const usernameClaim = claim("usernameClaim", "sub");
  const groupsClaim = claim("groupsClaim", "groups");
  const usernamePrefix = prefix("usernamePrefix");
  const groupsPrefix = prefix("groupsPrefix");
  if (!issuerUrl || !clientId || !usernameClaim || !groupsClaim || !usernamePrefix || !groupsPrefix) return undefined;
  return { issuerUrl, clientId, usernameClaim, groupsClaim, usernamePrefix, groupsPrefix };
}

function parseAccess(r: Reader, path: string, value: unknown): ClusterAccess[] | undefined {
  const items = r.list(path, value, { minItems: 1, maxItems: MAX_ACCESS_ENTRIES, what: "access entries" });
  if (!items) return undefined;
  const out: ClusterAccess[] = [];
  items.forEach((item, i) => {
    const o = r.object(`${path}[${i}]`, item, SECTIONS.access);
    if (!o) return;
    const principalArn = r.string(`${path}[${i}].principalArn`, o.principalArn, {
      pattern: PRINCIPAL_ARN,
      what: "an IAM role or user ARN such as arn:aws:iam::111122223333:role/aisc-ci (not an assumed-role session)",
    });
    const policy = r.oneOf(`${path}[${i}].policy`, o.policy, ACCESS_POLICIES);
    if (principalArn && policy) out.push({ principalArn, policy });
  });
  r.unique(
    (i) => `${path}[${i}].principalArn`,
    items.map((x) => (x as { principalArn?: unknown })?.principalArn).map((a) => (typeof a === "string" ? a : undefined)),
    "principal",
  );
  if (out.length === items.length && !out.some((a) => a.policy === "cluster-admin")) {
    r.fail(
      path,
      "expected at least one cluster-admin entry: the cluster grants its creator nothing, so the role that runs pulumi up must be listed as cluster-admin",
    );
  }
  return out;
}

function parseApiAccess(r: Reader, path: string, value: unknown): string[] | undefined {
  if (value === undefined) return [];
  const items = r.list(path, value, { maxItems: MAX_API_ACCESS_CIDRS, what: "CIDRs" });
  return items?.map((v, i) => {
    const text = r.string(`${path}[${i}]`, v) ?? "";
    const cidr = text ? parseCidr(text) : undefined;
    if (text && !cidr) r.fail(`${path}[${i}]`, `expected an IPv4 CIDR such as 10.0.0.0/24 with no host bits set, got ${show(text)}`);
    else if (cidr && !isPrivate(cidr))
      r.fail(`${path}[${i}]`, `expected a private (RFC 1918) range: the endpoint is reached over the site's private link, got ${show(text)}`);
    return text;
  });
}

/**
 * The cluster block. An EKS site names its directory's OIDC issuer (`identity`), so tenants'
 * `adminGroup` bindings match real users, and at least one IAM role as `cluster-admin`
 * (`access`), since the cluster grants its creator nothing: who may administer it is in the
 * inventory, not an accident of who ran the first `pulumi up`.
 */
export function parseCluster(r: Reader, path: string, value: unknown): ClusterSettings | undefined {
  const o = value === undefined ? {} : r.object(path, value, SECTIONS.cluster);
  if (!o) return undefined;
  const kind = o.kind === undefined ? "eks" : r.oneOf(`${path}.kind`, o.kind, CLUSTER_KINDS);
  const kubernetesVersion =
    o.kubernetesVersion === undefined
      ? DEFAULT_KUBERNETES_VERSION
      : r.string(`${path}.kubernetesVersion`, o.kubernetesVersion, {
          pattern: /^1\.\d{2}$/,
          what: `a Kubernetes minor version such as "${DEFAULT_KUBERNETES_VERSION}" (quoted)`,
        });
  if (kind === "eks" && kubernetesVersion && /^1\.\d{2}$/.test(kubernetesVersion) && !DEPLOYABLE_VERSIONS.includes(kubernetesVersion)) {
    r.fail(`${path}.kubernetesVersion`, `expected a version aisc pins EKS add-ons for (${DEPLOYABLE_VERSIONS.join(", ")}), got ${show(kubernetesVersion)}`);
  }
  const supportType = o.supportType === undefined ? "standard" : r.oneOf(`${path}.supportType`, o.supportType, SUPPORT_TYPES);
  const endpointPublicAccess = o.endpointPublicAccess === undefined ? false : r.boolean(`${path}.endpointPublicAccess`, o.endpointPublicAccess);
  const apiAccessCidrs = parseApiAccess(r, `${path}.apiAccessCidrs`, o.apiAccessCidrs);
  const renderYamlToDirectory =
    o.renderYamlToDirectory === undefined
      ? undefined
      : r.string(`${path}.renderYamlToDirectory`, o.renderYamlToDirectory, { pattern: PROJECT_PATH, what: PROJECT_PATH_WHAT });
  const activationRotationDays =
    o.activationRotationDays === undefined
      ? DEFAULT_ACTIVATION_ROTATION_DAYS
      : r.integer(`${path}.activationRotationDays`, o.activationRotationDays, 1, SSM_ACTIVATION_MAX_DAYS / 2);
  const awsAccountId =
    o.awsAccountId === undefined
      ? undefined
      : r.string(`${path}.awsAccountId`, o.awsAccountId, { pattern: /^\d{12}$/, what: 'an AWS account ID of 12 digits, quoted, such as "111122223333"' });
  let identity: ClusterIdentity | undefined;
  let access: ClusterAccess[] | undefined = [];
  if (kind === "eks") {
    identity =
      o.identity === undefined
        ? r.fail(
            `${path}.identity`,
            `expected the site directory's OIDC provider (${Object.keys(SECTIONS.identity).slice(0, 2).join(", ")}; optional ${Object.keys(SECTIONS.identity).slice(2).join(", ")}), so tenants' adminGroup bindings match its users`,
          )
        : parseIdentity(r, `${path}.identity`, o.identity);
    access =
      o.access === undefined
        ? r.fail(
            `${path}.access`,
            "expected the IAM roles that administer the cluster (principalArn, policy: cluster-admin, admin or view), with at least one cluster-admin",
          )
        : parseAccess(r, `${path}.access`, o.access);
  } else if (kind === "existing") {
    for (const key of ["awsAccountId", "identity", "access", "apiAccessCidrs", "supportType", "activationRotationDays"]) {
      if (o[key] !== undefined) r.fail(`${path}.${key}`, "expected nothing for an existing cluster: aisc creates no AWS resources for it");
    }
  }
  if (
    !kind ||
    !kubernetesVersion ||
    !supportType ||
    endpointPublicAccess === undefined ||
    !apiAccessCidrs ||
    !activationRotationDays ||
    !access ||
    (kind === "eks" && !identity)
  )
    return undefined;
  return {
    kind,
    kubernetesVersion,
    supportType,
    endpointPublicAccess,
    apiAccessCidrs,
    access,
    activationRotationDays,
    ...(awsAccountId ? { awsAccountId } : {}),
    ...(identity ? { identity } : {}),
    ...(renderYamlToDirectory ? { renderYamlToDirectory } : {}),
  };
}
