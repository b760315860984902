import { PLATFORM_NAMESPACES } from "../inventory/platform";

/**
 * What a NetworkPolicy peer admits, judged by the addresses and namespaces it reaches rather than
 * by how it is spelled: `0.0.0.0/1` with `128.0.0.0/1` is the whole internet, `::/0` is IPv6's,
 * `169.254.169.254/32` is the node's instance metadata (its cloud credentials), and a namespace
 * selector on a label every namespace has (`kubernetes.io/metadata.name Exists`) is every
 * namespace. A tenant's policies may admit by address only the site's on-premises node ranges
 * (never the VPC, pod or service ranges, where every other tenant's pods are), and by namespace
 * only its own and the platform's.
 */

export interface Peer {
  podSelector?: Record<string, unknown>;
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key?: string; operator?: string; values?: string[] }[] };
  ipBlock?: { cidr?: string; except?: string[] };
}

/** An inclusive range of IPv4 addresses as unsigned 32-bit numbers. */
type Range = readonly [number, number];

const NAME_LABEL = "kubernetes.io/metadata.name";

/** The range of an IPv4 CIDR, host bits ignored (as Kubernetes masks them), or undefined if not one. */
export function ipv4Range(cidr: string): Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const start = Math.floor(octets.reduce((acc, o) => acc * 256 + o, 0) / size) * size;
  return [start, start + size - 1];
}

/** `ranges` with `cut` removed. */
function subtract(ranges: readonly Range[], cut: Range): Range[] {
  return ranges.flatMap(([a, b]): Range[] => {
    if (cut[1] < a || cut[0] > b) return [[a, b]];
    return [...(cut[0] > a ? [[a, cut[0] - 1] as Range] : []), ...(cut[1] < b ? [[cut[1] + 1, b] as Range] : [])];
  });
}

const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
const METADATA = ipv4Range("169.254.0.0/16")!;

/**
 * Why an ipBlock admits more than the site's node ranges, or undefined when everything it admits
 * (its CIDR less its exceptions) lies within them.
 */
export function ipBlockProblem(block: NonNullable<Peer["ipBlock"]>, own: readonly string[]): string | undefined {
  const cidr = String(block.cidr ?? "");
  if (cidr.includes(":")) return `admits IPv6 addresses (${cidr}), none of them the site's nodes'`;
  const range = ipv4Range(cidr);
  if (!range) return `has an ipBlock that is not a CIDR (${JSON.stringify(block.cidr)})`;
  let outside: Range[] = [range];
  for (const c of [...own, ...(Array.isArray(block.except) ? block.except : [])]) {
    const r = ipv4Range(String(c));
    if (r) outside = subtract(outside, r);
  }
  if (outside.length === 0) return undefined;
  const [a, b] = outside[0];
  const metadata = outside.some(([x, y]) => x <= METADATA[1] && y >= METADATA[0]);
  return `admits ${dotted(a)}–${dotted(b)}${outside.length > 1 ? " and more" : ""} from ipBlock ${cidr}, outside the site's node ranges${metadata ? ", including the link-local instance metadata address 169.254.169.254" : ""}`;
}

/**
 * The namespaces a selector is pinned to by name (`kubernetes.io/metadata.name` in matchLabels or
 * an `In` expression), or undefined when it selects by other labels and so could match any
 * namespace, now or once labelled.
 */
export function pinnedNamespaces(selector: NonNullable<Peer["namespaceSelector"]>): string[] | undefined {
  let names: string[] | undefined;
  const narrow = (values: string[]) => (names = names === undefined ? values : names.filter((n) => values.includes(n)));
  const label = selector.matchLabels?.[NAME_LABEL];
  if (typeof label === "string") narrow([label]);
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (e !== null && typeof e === "object" && e.key === NAME_LABEL && e.operator === "In") narrow(Array.isArray(e.values) ? e.values : []);
  }
  return names;
}

/** The namespaces a tenant's traffic may reach or come from: its own and the platform's. */
function allowedNamespaces(tenant: string): Set<string> {
  return new Set([tenant, "kube-system", ...Object.values(PLATFORM_NAMESPACES)]);
}

/** Why a tenant namespace's NetworkPolicy peer admits too much, or undefined. */
export function peerProblem(peer: Peer, tenant: string, own: readonly string[]): string | undefined {
  // Kubernetes reads a null field as absent; a peer that is not a mapping admits nothing.
  if (peer === null || typeof peer !== "object") return undefined;
  if (peer.ipBlock !== undefined && peer.ipBlock !== null) return ipBlockProblem(peer.ipBlock, own);
  if (peer.namespaceSelector === undefined || peer.namespaceSelector === null) return undefined;
  const names = pinnedNamespaces(peer.namespaceSelector);
  if (names === undefined)
    return `selects namespaces by ${JSON.stringify(peer.namespaceSelector)}, which matches every namespace (or any a label is added to); name them with ${NAME_LABEL}`;
  const foreign = names.filter((n) => !allowedNamespaces(tenant).has(n));
  return foreign.length ? `admits namespace ${foreign.join(", ")}, neither the tenant's own nor the platform's` : undefined;
}
