import { PROJECT } from "./paths";
import { Plan } from "./record";

/**
 * Resource URNs as the Pulumi engine makes them, and plans made before aisc did.
 *
 * The engine (pkg/resource/deploy, generateURN) names a resource by its parent's whole
 * qualified type chain, then `$` and its own type, the stack itself being no one's prefix. The
 * SDK's mock monitor keeps only the parent's last type, so a Tenant's Namespace was
 * `aisc:k8s:ChartResources$kubernetes:core/v1:Namespace` there but
 * `aisc:platform:Site$aisc:tenancy:Tenant$aisc:k8s:ChartResources$kubernetes:core/v1:Namespace`
 * under `pulumi preview`. aisc plans with the engine's since this scheme was named in plan.json
 * (`urns: "engine"`); a plan without the field has the mock's, and `aisc diff` renames its URNs
 * to the engine's before comparing, or every resource would look deleted and added again.
 */

export const URN_SCHEME = "engine";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The URN the engine gives a resource of `type` named `name` under `parentUrn` (none for the stack). */
export function urnOf(stack: string, parentUrn: string, type: string, name: string): string {
  const parentType = parentUrn ? parentUrn.split("::")[2] : "";
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${PROJECT}::${qualified}::${name}`;
}

/**
 * `plan` with every URN in the engine's scheme: each resource's own, its parent's, its
 * provider reference's (`URN::ID`), its dependencies', and any value that is one. A plan that
 * already names its scheme is returned as it is.
 */
export function withEngineUrns(plan: Plan): Plan {
  if (plan.urns === URN_SCHEME) return plan;
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const renamed = new Map<string, string>();
  const rename = (urn: string, seen: ReadonlySet<string> = new Set()): string => {
    const done = renamed.get(urn);
    if (done !== undefined) return done;
    const r = byUrn.get(urn);
    // A URN of no resource in the plan, or a cycle no plan can have, is left as it is.
    if (!r || seen.has(urn)) return urn;
    const parent = r.parent === undefined ? "" : rename(r.parent, new Set([...seen, urn]));
    const engine = urnOf(plan.stack, parent, r.type, r.name);
    renamed.set(urn, engine);
    return engine;
  };
  for (const r of plan.resources) rename(r.urn);
  const value = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (renamed.has(v)) return renamed.get(v);
      // A provider reference: the provider's URN, then `::` and its ID.
      const cut = v.lastIndexOf("::");
      const head = cut > 0 ? renamed.get(v.slice(0, cut)) : undefined;
      return head === undefined ? v : `${head}${v.slice(cut)}`;
    }
    if (Array.isArray(v)) return v.map(value);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)]));
    return v;
  };
  const resources = (value(plan.resources) as Plan["resources"]).slice().sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { ...plan, urns: URN_SCHEME, resources, outputs: value(plan.outputs) as Plan["outputs"] };
}
