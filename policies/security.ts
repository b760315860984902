import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { Cluster, ClusterArgs } from "@pulumi/aws/eks/cluster";
import { Unwrap } from "@pulumi/pulumi";
import { configOf, ofKind } from "./common";
import { count, judged, measured } from "./evidence";
import { eksVersionSupported } from "./eks-support";
import { objectsIn } from "./objects";
import { noSystemSubjects } from "./rbac";

/**
 * Security baseline and data residency: AWS resources in Hong Kong only, a private and
 * encrypted control plane with audit logs, private encrypted buckets, protected stateful
 * resources, and no image or chart left floating on `latest`.
 */

const EKS = "aws:eks/cluster:Cluster";

export const awsRegionHongKong: StackValidationPolicy = {
  name: "security-aws-region-hong-kong",
  description: "Every AWS provider and resource is in an allowed region (Hong Kong, ap-east-1), so data stays in Hong Kong.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { allowedRegions: { type: "array", items: { type: "string" }, default: ["ap-east-1"], description: "AWS regions data may live in." } },
  },
  validateStack: (args, report) => {
    const { allowedRegions } = configOf(args, { allowedRegions: ["ap-east-1"] });
    const providers = args.resources.filter((r) => r.type === "pulumi:providers:aws").length;
    const aws = args.resources.filter((r) => r.type.startsWith("aws:")).length;
    measured(args, {
      text: `${count(providers, "AWS provider")} and ${count(aws, "AWS resource")} checked against ${allowedRegions.join(", ")}`,
      figures: { allowedRegions, providers, resources: aws },
    });
    for (const r of args.resources) {
      const isProvider = r.type === "pulumi:providers:aws";
      if (!isProvider && !r.type.startsWith("aws:")) continue;
      const region = r.props.region as string | undefined;
      if (isProvider && region === undefined) report(`AWS provider ${r.name} names no region; set one of ${allowedRegions.join(", ")}.`, r.urn);
      // A resource is judged by its provider, reported once there; one of its own only when it
      // names a region its provider does not (under the engine, AWS v7 resources' outputs carry
      // their provider's region, and every resource of a Tokyo provider would repeat its finding).
      else if (region !== undefined && !allowedRegions.includes(region) && (isProvider || region !== r.provider?.props.region)) {
        report(`${r.name} is in ${region}, outside ${allowedRegions.join(", ")}: data must stay in Hong Kong.`, r.urn);
      }
    }
  },
};

/**
 * A rule over EKS clusters' arguments, typed by the AWS SDK's `ClusterArgs` through the policy
 * SDK's `validateResourceOfType` (which also tells the engine the one type it applies to).
 */
function eksRule(name: string, description: string, problem: (cluster: Unwrap<ClusterArgs>) => string | undefined): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(Cluster, (cluster, args, report) => {
      judged(args, "EKS cluster");
      const p = problem(cluster);
      if (p) report(`EKS cluster ${cluster.name ?? args.name} ${p}.`);
    }),
  };
}

export const eksEndpointPrivate = eksRule("security-eks-endpoint-private", "The EKS API endpoint is private, not reachable from the internet.", (p) =>
  // EKS opens the endpoint to the internet unless told otherwise: only an explicit false is private.
  p.vpcConfig?.endpointPublicAccess === false ? undefined : "has a public API endpoint (vpcConfig.endpointPublicAccess is not false)",
);

export const eksSecretsEncrypted = eksRule("security-eks-secrets-encrypted", "Kubernetes Secrets in EKS are envelope-encrypted with a KMS key.", (p) =>
  (p.encryptionConfig?.resources ?? []).includes("secrets") && p.encryptionConfig?.provider?.keyArn ? undefined : "does not encrypt Secrets with a KMS key",
);

export const eksAuditLogs = eksRule("security-eks-audit-logs", "EKS control-plane audit logs are on.", (p) =>
  (p.enabledClusterLogTypes ?? []).includes("audit") ? undefined : "does not ship audit logs (enabledClusterLogTypes lacks audit)",
);

/** Buckets, in the classic and v2 types, and the resources that secure them by bucket name. */
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const SSE = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const PUBLIC_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";

export const bucketsPrivateEncrypted: StackValidationPolicy = {
  name: "security-buckets-private-encrypted",
  description: "Every S3 bucket is encrypted at rest and blocks all public access.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const buckets = args.resources.filter((r) => BUCKETS.includes(r.type));
    measured(args, { text: `${count(buckets.length, "S3 bucket")} checked`, figures: { buckets: buckets.length } });
    for (const b of buckets) {
      const refs = (r: PolicyResource) => r.props.bucket === b.props.bucket || r.dependencies?.some((d) => d.urn === b.urn) || r.props.bucket === b.name;
      const encrypted = b.props.serverSideEncryptionConfiguration !== undefined || args.resources.some((r) => SSE.includes(r.type) && refs(r));
      const block = ofKind(args.resources, PUBLIC_BLOCK).find(refs);
      const blocked = block && ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => block.props[k] === true);
      if (!encrypted) report(`Bucket ${b.name} has no server-side encryption configuration.`, b.urn);
      if (!blocked) report(`Bucket ${b.name} does not block all public access (a BucketPublicAccessBlock with all four settings true).`, b.urn);
    }
  },
};

/**
 * Resources whose loss loses data: they must be protected. A namespace counts: deleting one
 * deletes every volume claim and secret in it, a whole tenant's data.
 */
export const STATEFUL_TYPES = [
  "aws:kms/key:Key",
  "aws:cloudwatch/logGroup:LogGroup",
  EKS,
  ...BUCKETS,
  "aws:ebs/volume:Volume",
  "aws:rds/instance:Instance",
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:PersistentVolume",
  "kubernetes:core/v1:PersistentVolumeClaim",
];

/**
 * Protection, not `retainOnDelete`: the policy engine's analyzer protocol carries a resource's
 * `protect` but not its `retainOnDelete`, so a rule that accepted the latter would pass a resource
 * offline and fail it under `pulumi preview --policy-pack`. Protection also stops the deletion
 * itself, where retaining only orphans the object in the cloud.
 */
export const statefulProtected: ResourceValidationPolicy = {
  name: "security-stateful-resources-protected",
  description: "Stateful resources (keys, logs, clusters, buckets, volumes, databases, namespaces) are protected, so no update deletes them.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (!STATEFUL_TYPES.includes(args.type)) return;
    judged(args, args.type.split(":").pop()!);
    if (!args.opts.protect) report(`${args.type.split(":").pop()} ${args.name} holds data but is not protected.`);
  },
};

/** Every container image reference in a resource's inputs, with where it is. */
export function images(value: unknown): { path: string; image: string }[] {
  const found: { path: string; image: string }[] = [];
  // One path, extended and shortened as the walk goes, joined only for an image found: a large
  // plan has hundreds of thousands of values, very few of them images.
  const at: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      // An array's items extend its own key: `containers[0]`, not `containers.[0]`.
      const named = at.length > 0;
      const key = named ? at.pop()! : "";
      v.forEach((x, i) => {
        at.push(`${key}[${i}]`);
        walk(x);
        at.pop();
      });
      if (named) at.push(key);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        at.push(k);
        if (k === "image" && typeof x === "string") found.push({ path: at.join("."), image: x });
        else walk(x);
        at.pop();
      }
    }
  };
  walk(value);
  return found;
}

export interface ImageReference {
  /** Registry and repository path, e.g. `nvcr.io/nvidia/k8s-device-plugin`. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Parses an image reference as the distribution spec reads it: `[host[:port]/]path[:tag][@digest]`.
 * A port belongs to the host (the first component, when a path follows), never to the tag; the
 * path is lower case; a tag is at most 128 word characters, dots and dashes; a digest is
 * `sha256:` and 64 hex digits (or `sha512:` and 128). Undefined when the text is not a valid
 * reference, which fails closed: an IPv6 registry address is refused, though valid.
 */
export function parseImage(text: string): ImageReference | undefined {
  const at = text.indexOf("@");
  const digest = at < 0 ? undefined : text.slice(at + 1);
  const rest = at < 0 ? text : text.slice(0, at);
  if (digest !== undefined && !/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/.test(digest)) return undefined;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  const name = colon > slash ? rest.slice(0, colon) : rest;
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  const parts = name.split("/");
  const host = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]) ? parts.shift()! : undefined;
  if (host !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return undefined;
  if (parts.length === 0 || !parts.every((p) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p))) return undefined;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * Why an image is not pinned, or undefined when it is: by a digest, or by a tag other than
 * `latest` in any case (registries treat `LATEST` as the same moving target by convention, and a
 * tag that differs from `latest` only in case is one a reviewer misreads).
 */
export function pinProblem(image: string): string | undefined {
  const ref = parseImage(image);
  if (!ref) return "is not a valid image reference";
  if (ref.digest) return undefined;
  if (ref.tag === undefined) return "has no tag or digest, so it means latest";
  return ref.tag.toLowerCase() === "latest" ? `is tagged ${ref.tag}, which moves` : undefined;
}

/** An image is pinned by a digest, or by a tag other than `latest`. */
export function isPinned(image: string): boolean {
  return pinProblem(image) === undefined;
}

/**
 * Kubernetes kinds whose schema has no container image: a key called `image` in them (a
 * ConfigMap's data, say) is not one, and walking them was most of this policy's time.
 */
const IMAGELESS_KINDS = new Set([
  "Namespace",
  "ConfigMap",
  "Secret",
  "ResourceQuota",
  "LimitRange",
  "NetworkPolicy",
  "Service",
  "ServiceAccount",
  "PersistentVolumeClaim",
  "Role",
  "RoleBinding",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
  "StorageClass",
]);

export const imagesAndChartsPinned: ResourceValidationPolicy = {
  name: "security-images-and-charts-pinned",
  description: "Every container image is pinned to a tag other than latest (or a digest), and every Helm chart to a version.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type.startsWith("kubernetes:helm.sh/")) {
      const version = args.props.version as string | undefined;
      judged(args, "Helm chart");
      if (!version || version === "latest") report(`Helm chart ${args.props.chart ?? args.name} is not pinned to a version.`);
      return;
    }
    for (const r of objectsIn(args)) {
      if (!r.type.startsWith("kubernetes:") || IMAGELESS_KINDS.has(r.type.split(":").pop()!)) continue;
      const found = images(r.props);
      if (found.length) judged(args, "image", found.length);
      for (const i of found) {
        const problem = pinProblem(i.image);
        if (problem) report(`${r.name} runs image ${i.image} (at ${i.path}), which ${problem}: pin it to a version tag or a digest.`);
      }
    }
  },
};

export const SECURITY_POLICIES = [
  awsRegionHongKong,
  eksEndpointPrivate,
  eksSecretsEncrypted,
  eksAuditLogs,
  eksVersionSupported,
  bucketsPrivateEncrypted,
  statefulProtected,
  imagesAndChartsPinned,
  noSystemSubjects,
];
