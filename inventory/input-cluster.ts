import { LIMITS } from "./limits";
import { PRECISIONS } from "./catalog";
import { DEPLOYABLE_VERSIONS, SUPPORT_TYPES } from "./eks-versions";
import { EBS_STORAGE_CLASS, SSM_ACTIVATION_MAX_DAYS } from "./platform";
import { ACCESS_POLICIES, CLUSTER_KINDS, POD_ROUTING_MODES, SYSTEM_PLACEMENTS } from "./types";
import {
  codes,
  text,
  dnsLabel,
  ref,
  list,
  cidrList,
  CIDR,
  ZONE,
  DATE,
  CLAIM,
  PREFIX,
  ASN,
  Section,
  DEFAULT_SERVICE_CIDR,
  SYSTEM_DEFAULTS,
  DEFAULT_OIDC_PREFIX,
  DEFAULT_ACTIVATION_ROTATION_DAYS,
  MAX_API_ACCESS_CIDRS,
  MAX_ACCESS_ENTRIES,
} from "./input-kit";

/** The site, its facility and cluster, networks: each section's keys in the parser's order. */
export const CLUSTER_SECTIONS = {
  site: {
    name: {
      doc: "The site's key, a DNS label of at most 24 characters: every derived name starts from it (the EKS cluster is `aisc-<name>`).",
      required: true,
      schema: dnsLabel(24),
    },
    displayName: {
      doc: "The site's title for reports and dashboards.",
      required: false,
      default: "the site's `name`",
      schema: text(),
    },
    region: {
      doc: "The AWS region, such as `ap-east-1`. With on-premises GPU pools it must be a region whose EKS image registry aisc knows (`inventory/platform.ts`); a cloud pool's instance type must be one the region offers by `inventory/offerings.ts`.",
      required: false,
      default: "`ap-east-1`",
      schema: text(LIMITS.stringLength, "^[a-z]{2}(-gov)?-[a-z]+-\\d$"),
    },
    power: {
      doc: "The facility's power envelope and PUE, which the capacity model holds the pools' power to.",
      required: true,
      schema: ref("power"),
    },
    capacity: {
      doc: "The precision PFLOPS are counted at, and the plan's dated capacity milestones.",
      required: true,
      schema: ref("capacity"),
    },
    cluster: {
      doc: "The Kubernetes cluster: a new EKS cluster (`kind: eks`, which needs `identity` and `access`) or an existing one. See Who can use the cluster.",
      required: true,
      schema: ref("cluster"),
    },
    system: {
      doc: "Where the platform's own pods run (operators, slurmctld, MariaDB, Prometheus): untainted nodes labelled `aisc.hk/node-role=system`, never the GPU nodes. Required for `cluster.kind: existing`, whose system nodes need a `storageClass`.",
      required: false,
      default: `for \`eks\`, ${SYSTEM_DEFAULTS.nodes} \`${SYSTEM_DEFAULTS.instanceType}\` cloud nodes with \`${EBS_STORAGE_CLASS}\` volumes`,
      schema: ref("system"),
    },
    networks: {
      doc: "The VPC, service and on-premises networks (private ranges that must not overlap), and how the site's routers reach pods on hybrid nodes.",
      required: true,
      schema: ref("networks"),
    },
    pools: {
      doc: `The GPU pools, 1 to ${LIMITS.pools}, each of identical servers; names unique. At most ${LIMITS.nodesPerSite} nodes across the pools and the system nodes, and for \`eks\` at most ${LIMITS.hybridNodesPerAccount} on-premises nodes (pools and system nodes).`,
      required: true,
      schema: list(ref("pool"), 1, LIMITS.pools),
    },
    tenants: {
      doc: `The tenants, at most ${LIMITS.tenants} (the list may be empty but must be given); names and \`adminGroup\`s unique.`,
      required: true,
      schema: list(ref("tenant"), 0, LIMITS.tenants),
    },
    slurm: {
      doc: "Slurm: partitions over the whole-GPU pools, login nodes and accounting storage.",
      required: true,
      schema: ref("slurm"),
    },
    monitoring: {
      doc: "Prometheus, its alert thresholds and Alertmanager's receivers; every field has a default.",
      required: false,
      default: "every monitoring default, no alerting",
      schema: ref("monitoring"),
    },
  },
  power: {
    envelopeMW: {
      doc: "The facility's power envelope in MW, greater than 0 and at most 10000: the pools' IT load times `pue` must fit it.",
      required: true,
      schema: { type: "number", exclusiveMinimum: 0, maximum: 10000 },
    },
    pue: {
      doc: "The facility's power usage effectiveness, from 1 to 3.",
      required: true,
      schema: { type: "number", minimum: 1, maximum: 3 },
    },
  },
  capacity: {
    precision: {
      doc: `What a PFLOPS counts: ${codes(PRECISIONS)}.`,
      required: true,
      schema: { enum: [...PRECISIONS] },
    },
    milestones: {
      doc: `Dated capacity targets, at most ${LIMITS.milestones}, names unique: each is checked against the pools in service by its date.`,
      required: false,
      default: "none",
      schema: list(ref("milestone"), 0, LIMITS.milestones),
    },
  },
  milestone: {
    name: {
      doc: "The milestone's name, unique among the milestones.",
      required: true,
      schema: text(),
    },
    date: {
      doc: "The target date, a real calendar date written `YYYY-MM-DD` (quote it).",
      required: true,
      schema: DATE,
    },
    pflops: {
      doc: "PFLOPS at `capacity.precision` the pools in service by `date` must reach, greater than 0 and at most 1000000000.",
      required: true,
      schema: { type: "number", exclusiveMinimum: 0, maximum: 1e9 },
    },
  },
  cluster: {
    kind: {
      doc: `${codes(CLUSTER_KINDS)}: \`existing\` is a cluster built elsewhere, given as the secret \`aisc:kubeconfig\`, for which aisc creates no AWS resource and which takes only \`kind\`, \`kubernetesVersion\`, \`endpointPublicAccess\` and \`renderYamlToDirectory\`.`,
      required: false,
      default: "`eks`",
      schema: { enum: [...CLUSTER_KINDS] },
    },
    awsAccountId: {
      doc: "`eks` only: the AWS account the site deploys into, 12 digits, quoted. The AWS provider refuses any other, and `aisc plan` holds sites naming the same account and region to SSM's 1,000 hybrid nodes together.",
      required: false,
      schema: { type: "string", pattern: "^\\d{12}$" },
    },
    kubernetesVersion: {
      doc: `The Kubernetes minor version, quoted, such as \`"${DEPLOYABLE_VERSIONS[0]}"\`; for \`eks\`, one aisc pins EKS add-ons for (${codes(DEPLOYABLE_VERSIONS)}).`,
      required: false,
      default: `the newest aisc deploys, \`${DEPLOYABLE_VERSIONS[0]}\``,
      schema: { type: "string", pattern: "^1\\.\\d{2}$" },
    },
    supportType: {
      doc: `\`eks\` only: EKS's support tier, ${codes(SUPPORT_TYPES)} (EKS's paid extended support, which keeps a version past standard support).`,
      required: false,
      default: "`standard`",
      schema: { enum: [...SUPPORT_TYPES] },
    },
    endpointPublicAccess: {
      doc: "Whether the EKS API endpoint is reachable from the internet; otherwise only from the VPC and the networks joined to it.",
      required: false,
      default: "`false`",
      schema: { type: "boolean" },
    },
    apiAccessCidrs: {
      doc: `\`eks\` only: private (RFC 1918) CIDRs of the operators' and CI runners' networks allowed to the API endpoint on 443 over the site's link, at most ${MAX_API_ACCESS_CIDRS}.`,
      required: false,
      default: "none",
      schema: cidrList(MAX_API_ACCESS_CIDRS),
    },
    identity: {
      doc: "The site directory's OIDC provider, through which people reach the cluster: required for `eks`, refused for `existing`.",
      required: false,
      schema: ref("identity"),
    },
    access: {
      doc: `The IAM roles and users that may use the API, 1 to ${MAX_ACCESS_ENTRIES} access entries with unique principals, at least one \`cluster-admin\` (including the role that runs \`pulumi up\`): required for \`eks\`, refused for \`existing\`.`,
      required: false,
      schema: list(ref("access"), 1, MAX_ACCESS_ENTRIES),
    },
    renderYamlToDirectory: {
      doc: "When set, the Kubernetes provider writes manifests to this folder instead of applying them, Secrets in plain text: a folder inside the project, relative to it (no `..`, no leading `/`, not `.git`).",
      required: false,
      schema: text(LIMITS.stringLength, "^(?!\\.git(/|$))(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"),
    },
    activationRotationDays: {
      doc: `\`eks\` only: days between new hybrid-node SSM activations, 1 to ${SSM_ACTIVATION_MAX_DAYS / 2}; each is valid for two periods, within SSM's ${SSM_ACTIVATION_MAX_DAYS} days.`,
      required: false,
      default: `\`${DEFAULT_ACTIVATION_ROTATION_DAYS}\``,
      schema: { type: "integer", minimum: 1, maximum: SSM_ACTIVATION_MAX_DAYS / 2 },
    },
  },
  identity: {
    issuerUrl: {
      doc: "The directory's OIDC issuer, an https URL reachable by EKS, such as `https://sso.example.hk/realms/aisc`.",
      required: true,
      schema: text(LIMITS.stringLength, "^[Hh][Tt][Tt][Pp][Ss]://[A-Za-z0-9.-]+(:\\d+)?(/[\\w.~%!$&'()*+,;=:@/-]*)?$"),
    },
    clientId: {
      doc: "The OIDC client ID EKS presents to the issuer, at most 128 characters.",
      required: true,
      schema: text(128),
    },
    usernameClaim: {
      doc: "The claim that holds the user's name (letters, digits, `_`, `:`, `.`, `/`, `-`; at most 64).",
      required: false,
      default: "`sub`",
      schema: { type: "string", pattern: CLAIM },
    },
    groupsClaim: {
      doc: "The claim that holds the user's groups (letters, digits, `_`, `:`, `.`, `/`, `-`; at most 64).",
      required: false,
      default: "`groups`",
      schema: { type: "string", pattern: CLAIM },
    },
    usernamePrefix: {
      doc: "What EKS prefixes to user names (same characters as a claim, never starting with `system:`).",
      required: false,
      default: `\`${DEFAULT_OIDC_PREFIX}\``,
      schema: { type: "string", pattern: PREFIX },
    },
    groupsPrefix: {
      doc: "What EKS prefixes to groups, so a tenant's `adminGroup` is bound as `<groupsPrefix><adminGroup>` (never starting with `system:`).",
      required: false,
      default: `\`${DEFAULT_OIDC_PREFIX}\``,
      schema: { type: "string", pattern: PREFIX },
    },
  },
  access: {
    principalArn: {
      doc: "An IAM role or user ARN such as `arn:aws:iam::111122223333:role/aisc-ci` (not an assumed-role session), unique among the entries.",
      required: true,
      schema: text(LIMITS.stringLength, "^arn:aws(-cn|-us-gov)?:iam::\\d{12}:(role|user)/[\\w+=,.@/-]{1,512}$"),
    },
    policy: {
      doc: `EKS's cluster-scoped access policy: ${codes(ACCESS_POLICIES)} (AmazonEKSClusterAdminPolicy, AmazonEKSAdminPolicy, AmazonEKSViewPolicy).`,
      required: true,
      schema: { enum: [...ACCESS_POLICIES] },
    },
  },
  system: {
    placement: {
      doc: `${codes(SYSTEM_PLACEMENTS)}: an untainted EKS managed node group, on-premises CPU servers joined as hybrid nodes, or an existing cluster's nodes labelled \`aisc.hk/node-role=system\` (the only choice for \`cluster.kind: existing\`, and refused for \`eks\`).`,
      required: false,
      default: "`cloud` for `eks`, `existing` for an existing cluster",
      schema: { enum: [...SYSTEM_PLACEMENTS] },
    },
    nodes: {
      doc: `System nodes aisc creates, from 2 to ${LIMITS.nodesPerCloudPool} in the cloud or ${LIMITS.nodesPerOnPremPool} on premises; refused for \`existing\`.`,
      required: false,
      default: `\`${SYSTEM_DEFAULTS.nodes}\``,
      schema: { type: "integer", minimum: 2, maximum: LIMITS.nodesPerOnPremPool },
    },
    instanceType: {
      doc: "`cloud` only: the node group's EC2 instance type, such as `m5.2xlarge` (Graviton types get the ARM AMI).",
      required: false,
      default: `\`${SYSTEM_DEFAULTS.instanceType}\` for \`cloud\``,
      schema: text(64, "^[a-z][a-z0-9-]*\\.[a-z0-9-]+$"),
    },
    storageClass: {
      doc: "The StorageClass of the platform's volumes (slurmctld's state, and MariaDB's and Prometheus's unless they name their own): required for `on-prem` and `existing`, whose nodes cannot attach EBS.",
      required: false,
      default: `\`${EBS_STORAGE_CLASS}\` (aisc's encrypted gp3 EBS class) for \`cloud\``,
      schema: dnsLabel(),
    },
  },
  networks: {
    availabilityZones: {
      doc: "Two or three distinct zones of the region for the VPC's subnets, such as `ap-east-1a`.",
      required: false,
      default: "the region's `a` and `b` zones",
      schema: list(text(LIMITS.stringLength, ZONE), 2, 3),
    },
    vpcCidr: {
      doc: "The VPC's private (RFC 1918) range, a prefix from /16 to /22, such as `10.40.0.0/16`.",
      required: true,
      schema: text(LIMITS.stringLength, CIDR),
    },
    serviceCidr: {
      doc: "The cluster's service range, private, a prefix from /12 to /24; sites whose on-premises networks use the default must choose another.",
      required: false,
      default: `\`${DEFAULT_SERVICE_CIDR}\``,
      schema: text(LIMITS.stringLength, CIDR),
    },
    onPremNodeCidrs: {
      doc: `Private ranges the hybrid nodes join from, at most ${LIMITS.onPremCidrs} (EKS's remote node networks): at least one required when any pool or the system nodes are on premises.`,
      required: false,
      default: "none",
      schema: cidrList(LIMITS.onPremCidrs),
    },
    onPremPodCidrs: {
      doc: `Private ranges pods on hybrid nodes take addresses from, at most ${LIMITS.onPremCidrs} (EKS's remote pod networks): at least one required when any pool or the system nodes are on premises.`,
      required: false,
      default: "none",
      schema: cidrList(LIMITS.onPremCidrs),
    },
    podRouting: {
      doc: "How the site's routers reach pods on hybrid nodes (see Networking): required when any pool or the system nodes are on premises, refused otherwise.",
      required: false,
      schema: ref("podRouting"),
    },
  },
  podRouting: {
    mode: {
      doc: "`bgp` (Cilium's BGP control plane advertises each node's pod block to `peers`) or `static` (the site's routers carry static routes; nothing else may be given).",
      required: true,
      schema: { enum: [...POD_ROUTING_MODES] },
    },
    localAsn: {
      doc: "`bgp` only, and required there: the hybrid nodes' AS number, 1 to 4294967294 and not reserved (23456, 64496-64511, 65535, 65536-65551); private ones are 64512-65534 and 4200000000-4294967294.",
      required: false,
      schema: ASN,
    },
    peers: {
      doc: `\`bgp\` only, and required there: the routers every hybrid node holds a BGP session with, 1 to ${LIMITS.bgpPeers}, addresses unique.`,
      required: false,
      schema: list(ref("peer"), 1, LIMITS.bgpPeers),
    },
  },
  peer: {
    address: {
      doc: "The router's IPv4 address, a host address inside `networks.onPremNodeCidrs` (each node peers with it directly).",
      required: true,
      schema: text(LIMITS.stringLength, "^\\d{1,3}(\\.\\d{1,3}){3}$"),
    },
    asn: {
      doc: "The router's AS number, 1 to 4294967294 and not reserved (23456, 64496-64511, 65535, 65536-65551).",
      required: true,
      schema: ASN,
    },
  },
} as const satisfies Record<string, Section>;
