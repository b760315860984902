import { PolicyResource } from "@pulumi/policy";
import { isOfType, UnknownValueError } from "./policy-sdk";
import * as YAML from "yaml";

/**
 * Kubernetes objects as the policies see them, wherever they are declared: a typed resource is
 * one object; a ConfigGroup carries its objects in its inputs (`objs`, `yaml`), where a rule that
 * looked only at typed resources would never see a privileged pod. Each embedded object becomes a
 * policy resource of its own Kubernetes type under the composite's URN, so every rule judges it
 * exactly as it would judge the same object declared on its own.
 */

/** Composite resources whose objects are in their inputs, by Pulumi type. */
const COMPOSITES = new Set(["kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml:ConfigGroup"]);

/** The Pulumi type of a Kubernetes object: `apps/v1` + `Deployment` is `kubernetes:apps/v1:Deployment`. */
export function pulumiTypeOf(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf("/");
  const [group, version] = slash < 0 ? ["core", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  return `kubernetes:${group}/${version}:${kind}`;
}

type Json = Record<string, unknown>;

/** What expansion reads of a resource: a stack's resource or a resource policy's arguments. */
export type ObjectSource = Pick<PolicyResource, "type" | "props" | "urn" | "name" | "opts" | "provider">;

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The mappings of a list, anything else (null, a scalar) left out: the API server refuses such
 * entries, and a rule must read them as nothing rather than crash on them.
 */
export function mappingsOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** The objects of a manifest value: an object, a `List` of them, or an array, flattened. */
function flatten(value: unknown, out: Json[]): void {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else if (isObject(value)) {
    if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) flatten(value.items, out);
    else out.push(value);
  }
}

/** The objects a composite's inputs declare, in order: `objs` first, then each YAML document. */
export function declaredObjects(props: Json): Json[] {
  const out: Json[] = [];
  flatten(props.objs, out);
  const texts = props.yaml === undefined ? [] : [props.yaml].flat();
  for (const text of texts) {
    if (typeof text !== "string") continue;
    // Read as Kubernetes reads manifests (YAML 1.1: `hostPID: yes` is true). A document that does
    // not parse is the provider's error at apply; here it holds no object.
    for (const doc of YAML.parseAllDocuments(text, { version: "1.1" })) if (doc.errors.length === 0) flatten(doc.toJS(), out);
  }
  return out;
}

/** Every object of a list of manifest documents, `List`s opened, as `kubectl apply` sees them. */
export function manifestObjects(docs: readonly unknown[]): Json[] {
  const out: Json[] = [];
  flatten(docs, out);
  return out;
}

/** Whether a resource is a composite whose objects the policies expand. */
export function isComposite(type: string): boolean {
  return COMPOSITES.has(type);
}

/** The objects embedded in a composite, each as a policy resource named `<composite>/<kind>/<namespace>/<name>`. */
export function embedded(composite: ObjectSource): PolicyResource[] {
  if (!isComposite(composite.type)) return [];
  return declaredObjects(composite.props).flatMap((obj) => {
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") return [];
    const md = (isObject(obj.metadata) ? obj.metadata : {}) as { name?: string; namespace?: string };
    const type = pulumiTypeOf(obj.apiVersion, obj.kind);
    const resource: PolicyResource = {
      type,
      props: obj,
      urn: composite.urn,
      name: `${composite.name}/${obj.kind}/${md.namespace ? `${md.namespace}/` : ""}${md.name ?? "unnamed"}`,
      opts: composite.opts,
      dependencies: [],
      propertyDependencies: {},
      ...(composite.provider ? { provider: composite.provider } : {}),
      // Typed as the provider's own resource of that kind would be (under the engine, a
      // ConfigGroup's objects are resources in their own right).
      isType: (cls: unknown) => isOfType(type, cls),
      asType: (cls: unknown) => (isOfType(type, cls) ? obj : undefined) as never,
    };
    return [resource];
  });
}

/** What a resource policy judges of a resource: the resource itself, or a composite's embedded objects. */
export function objectsIn(resource: ObjectSource): ObjectSource[] {
  return isComposite(resource.type) ? embedded(resource) : [resource];
}

const expandedCache = new WeakMap<readonly PolicyResource[], { resources: readonly PolicyResource[]; unknown: { name: string; err: UnknownValueError }[] }>();

function expansion(resources: readonly PolicyResource[]) {
  let entry = expandedCache.get(resources);
  if (!entry) {
    const unknown: { name: string; err: UnknownValueError }[] = [];
    // A composite whose objects a preview cannot know yet (its yaml built from an output) is
    // skipped here and reported by each policy as undecided (./common Undecided.over), rather
    // than letting the unknown throw out of every stack policy at once.
    const objects = (r: PolicyResource): PolicyResource[] => {
      try {
        return embedded(r);
      } catch (err) {
        if (!(err instanceof UnknownValueError)) throw err;
        unknown.push({ name: r.name, err });
        return [];
      }
    };
    const all = resources.some((r) => isComposite(r.type)) ? resources.flatMap((r) => (isComposite(r.type) ? [r, ...objects(r)] : [r])) : resources;
    entry = { resources: all, unknown };
    expandedCache.set(resources, entry);
  }
  return entry;
}

/** Every resource of a stack with every composite's embedded objects added: what stack policies judge. */
export function expanded(resources: readonly PolicyResource[]): readonly PolicyResource[] {
  return expansion(resources).resources;
}

/** The composites whose objects a preview cannot know yet, with the unknown each met. */
export function unknownComposites(resources: readonly PolicyResource[]): readonly { name: string; err: UnknownValueError }[] {
  return expansion(resources).unknown;
}

/**
 * The namespace a namespaced object lands in: its own, or `default` when it names none (the
 * Kubernetes provider's default), never "no namespace", which the rules once read as platform.
 */
export function namespaceOf(r: { props: Record<string, unknown> }): string {
  const md = r.props.metadata as { namespace?: unknown } | undefined;
  return typeof md?.namespace === "string" && md.namespace !== "" ? md.namespace : "default";
}
