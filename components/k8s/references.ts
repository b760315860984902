/**
 * What a rendered Kubernetes object names and needs to exist before it: the ConfigMaps, Secrets,
 * claims and service accounts its pods mount or read, and the Slinky objects and files its
 * custom resources point at. Slinky's v1.1.2 webhook refuses a Controller whose
 * `configFileRefs` ConfigMaps are missing, and its operator reads every other reference when it
 * builds pods, so an object that is created before what it names fails or stalls on first
 * deploy. Pure, so that every kind of reference is tested without Pulumi.
 */

/** The kinds a field names, by field: each value holds a `name`, or (Slinky's `*Refs`) a list of them. */
const NAMED_BY: Readonly<Record<string, string>> = {
  configMapKeyRef: "ConfigMap",
  configMapRef: "ConfigMap",
  secretKeyRef: "Secret",
  secretRef: "Secret",
  // Slinky (slinky.slurm.net/v1beta1).
  configFileRefs: "ConfigMap",
  prologScriptRefs: "ConfigMap",
  epilogScriptRefs: "ConfigMap",
  prologSlurmctldScriptRefs: "ConfigMap",
  epilogSlurmctldScriptRefs: "ConfigMap",
  sssdConfRef: "Secret",
  slurmKeyRef: "Secret",
  jwtKeyRef: "Secret",
  jwksKeyRef: "Secret",
  passwordKeyRef: "Secret",
  controllerRef: "Controller",
  accountingRef: "Accounting",
};

type Json = unknown;

function isRecord(x: Json): x is Record<string, Json> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** `Kind/name` of every object `body` names, in the order met (a volume's `configMap`, `secret` and claim included). */
function namedIn(body: Json, out: string[]): void {
  if (Array.isArray(body)) {
    for (const item of body) namedIn(item, out);
    return;
  }
  if (!isRecord(body)) return;
  for (const [field, value] of Object.entries(body)) {
    const kind = NAMED_BY[field];
    const names = (Array.isArray(value) ? value : [value]).filter(isRecord);
    if (kind) {
      for (const v of names) if (typeof v.name === "string") out.push(`${kind}/${v.name}`);
    } else if (field === "configMap" && isRecord(value) && typeof value.name === "string") {
      out.push(`ConfigMap/${value.name}`);
    } else if (field === "secret" && isRecord(value)) {
      // A volume's secret is `secretName`; a projected volume's source is `name`.
      const name = value.secretName ?? value.name;
      if (typeof name === "string") out.push(`Secret/${name}`);
    } else if (field === "persistentVolumeClaim" && isRecord(value) && typeof value.claimName === "string") {
      out.push(`PersistentVolumeClaim/${value.claimName}`);
    } else if (field === "serviceAccountName" && typeof value === "string") {
      out.push(`ServiceAccount/${value}`);
    }
    namedIn(value, out);
  }
}

/**
 * The keys (`Kind/namespace/name`, as `objectKey` writes them) of the objects that `o`, in
 * `namespace`, names in its spec or data, each once. References are namespaced: every kind above
 * is looked up in the referring object's own namespace.
 */
export function referencedKeys(o: { readonly metadata: { readonly name?: string; readonly namespace?: string }; readonly [key: string]: unknown }): string[] {
  const { metadata, ...body } = o;
  const found: string[] = [];
  namedIn(body, found);
  const ns = metadata.namespace ? `${metadata.namespace}/` : "";
  return [...new Set(found.map((ref) => ref.replace("/", `/${ns}`)))];
}
