/**
 * The names Kubernetes accepts as a ResourceQuota's `spec.hard` keys. The quota API takes any
 * string there (the schema says only "a map"), and a key Kubernetes does not count, such as
 * `count/services.loadbalancer` for `services.loadbalancers`, limits nothing without a word.
 * The names are those of Kubernetes' resource-quota documentation and its quota evaluators
 * (`pkg/quota/v1/evaluator/core`): compute, storage and object counts.
 */

/** Keys Kubernetes counts as they are written. */
const STANDARD = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "requests.storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "services",
  "services.loadbalancers",
  "services.nodeports",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "replicationcontrollers",
  "resourcequotas",
]);

/** A qualified (domain-prefixed) extended resource name such as `nvidia.com/gpu` or `nvidia.com/mig-1g.10gb`. */
const EXTENDED = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A DNS subdomain: a StorageClass's or a DeviceClass's name. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** A huge page size such as `2Mi` or `1Gi`. */
const HUGEPAGES = /^(requests\.|limits\.)?hugepages-[0-9]+(Ki|Mi|Gi)$/;

/**
 * The plural resource names (`deployments.apps`, core ones without a group: `pods`) of the
 * kinds given as `group/version/Kind` (core kinds: `version/Kind`), by Kubernetes' own
 * pluralisation of kinds (`-y` to `-ies`, `-s`, `-x` and `-ch` take `-es`; `Endpoints` stays).
 */
export function resourceNames(kinds: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const key of kinds) {
    const parts = key.split("/");
    const kind = parts[parts.length - 1];
    const group = parts.length === 3 ? parts[0] : "";
    const lower = kind.toLowerCase();
    const plural =
      lower === "endpoints" ? lower : /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : /(s|x|ch|sh)$/.test(lower) ? `${lower}es` : `${lower}s`;
    out.add(group ? `${plural}.${group}` : plural);
  }
  return out;
}

/**
 * Why Kubernetes would not count `key` as a quota, or undefined when it would. `resources`
 * holds the resource names `count/<resource>` may name: the built-in kinds' and the CRDs'.
 */
export function quotaKeyProblem(key: string, resources: ReadonlySet<string>): string | undefined {
  if (STANDARD.has(key) || HUGEPAGES.test(key)) return undefined;
  if (key.startsWith("count/")) {
    const resource = key.slice("count/".length);
    if (resources.has(resource)) return undefined;
    return `count/${resource} names no resource Kubernetes serves here (expected count/<plural>.<group>, core resources without a group, such as count/deployments.apps or count/services)`;
  }
  const storageClass = /^(.+)\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.exec(key);
  if (storageClass && SUBDOMAIN.test(storageClass[1])) return undefined;
  const deviceClass = /^(.+)\.deviceclass\.resource\.k8s\.io\/devices$/.exec(key);
  if (deviceClass && SUBDOMAIN.test(deviceClass[1])) return undefined;
  if (key.startsWith("requests.") && EXTENDED.test(key.slice("requests.".length)) && !key.slice("requests.".length).startsWith("kubernetes.io/"))
    return undefined;
  const bare = key.replace(/^(requests|limits)\./, "");
  if (EXTENDED.test(bare)) return `extended resources are quota'd by their requests only: expected requests.${bare}`;
  return "not a quota Kubernetes counts (expected a standard name such as requests.cpu, services.loadbalancers or persistentvolumeclaims, requests.<extended resource>, <class>.storageclass.storage.k8s.io/requests.storage, or count/<resource>)";
}
