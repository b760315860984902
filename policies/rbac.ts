import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { TENANT_ADMIN_ROLE } from "../charts/tenant";
import { inNamespace, K8S, meta, ofKind, tenants, Undecided } from "./common";
import { count, measured } from "./evidence";
import { mappingsOf } from "./objects";

/**
 * Who may do what: a tenant's administrators get the platform's one tenant role in their own
 * namespace and nothing else, that role grants no way to widen itself, and nothing is bound to
 * Kubernetes' own `system:` identities. Each rule closes an escalation a tenancy review found:
 * a namespace's own binding to `cluster-admin`, a `*` Role, the tenant role widened with
 * `escalate`, a tenant's group bound in `slurm`, `cluster-admin` for `system:authenticated`.
 */

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}
interface RoleRef {
  kind?: string;
  name?: string;
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : typeof value === "string" ? [value] : [];
const subjectsOf = (b: PolicyResource) => mappingsOf(b.props.subjects) as unknown as Subject[];
const roleRefOf = (b: PolicyResource) => (b.props.roleRef ?? {}) as RoleRef;
const show = (s: Subject) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`;

/** Every binding of the stack: RoleBindings in any namespace and ClusterRoleBindings. */
function bindings(resources: readonly PolicyResource[]): PolicyResource[] {
  return [...ofKind(resources, K8S.roleBinding), ...ofKind(resources, K8S.clusterRoleBinding)];
}

function bindingName(b: PolicyResource): string {
  const ns = meta(b).namespace;
  return b.type === K8S.clusterRoleBinding ? `ClusterRoleBinding ${meta(b).name}` : `RoleBinding ${ns ?? "default"}/${meta(b).name}`;
}

/** The tenant whose identity a subject is: its administrators' group or one of its namespace's service accounts. */
function tenantOf(subject: Subject, binding: PolicyResource, groups: Map<string, string>, namespaces: Set<string>): string | undefined {
  if (subject.kind === "Group") return groups.get(subject.name);
  if (subject.kind === "ServiceAccount") {
    // A RoleBinding's service account without a namespace is the binding's namespace's.
    const ns = subject.namespace ?? meta(binding).namespace;
    return ns !== undefined && namespaces.has(ns) ? ns : undefined;
  }
  return undefined;
}

function tenantGroups(resources: readonly PolicyResource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tenants(resources)) {
    const group = meta(t.namespace).annotations?.["aisc.hk/admin-group"];
    if (group !== undefined) out.set(group, t.name);
  }
  return out;
}

export const roleBindingOwnGroup: StackValidationPolicy = {
  name: "tenancy-rolebinding-own-group",
  description: `Every tenant namespace holds only the platform's tenant role binding: the ClusterRole ${TENANT_ADMIN_ROLE}, bound to that tenant's own administrators' group and nobody else.`,
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const undecided = Undecided.over(args.resources);
    const held = tenants(args.resources).reduce((n, t) => n + inNamespace(args.resources, K8S.roleBinding, t.name).length, 0);
    measured(args, {
      text: `${count(held, "RoleBinding")} in ${count(tenants(args.resources).length, "tenant namespace")} checked for ${TENANT_ADMIN_ROLE} bound to the tenant's own group`,
      figures: { tenantNamespaces: tenants(args.resources).length, roleBindings: held },
    });
    for (const t of tenants(args.resources)) {
      const group = meta(t.namespace).annotations?.["aisc.hk/admin-group"];
      const inTenant = inNamespace(args.resources, K8S.roleBinding, t.name);
      if (inTenant.length === 0) report(`Tenant namespace ${t.name} has no RoleBinding for its administrators.`, t.namespace.urn);
      for (const b of inTenant)
        undecided.attempt(`RoleBinding ${t.name}/${meta(b).name}`, () => {
          const ref = roleRefOf(b);
          if (ref.kind !== "ClusterRole" || ref.name !== TENANT_ADMIN_ROLE)
            report(
              `Tenant namespace ${t.name} binds ${ref.kind ?? "no role"}${ref.name ? ` ${ref.name}` : ""} in RoleBinding ${meta(b).name}, not the platform's ClusterRole ${TENANT_ADMIN_ROLE}.`,
              b.urn,
            );
          const foreign = subjectsOf(b).filter((s) => !(s.kind === "Group" && s.name === group));
          if (foreign.length)
            report(`Tenant namespace ${t.name} binds ${foreign.map(show).join(", ")} in RoleBinding ${meta(b).name}, not only its group ${group}.`, b.urn);
        });
    }
    undecided.settle();
  },
};

export const tenantIdentitiesStayHome: StackValidationPolicy = {
  name: "tenancy-tenant-identities-stay-in-namespace",
  description:
    "No binding outside a tenant's own namespace (no ClusterRoleBinding, no RoleBinding in another namespace) names that tenant's administrators' group or one of its service accounts.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = tenantGroups(args.resources);
    const namespaces = new Set(tenants(args.resources).map((t) => t.name));
    const undecided = Undecided.over(args.resources);
    measured(args, {
      text: `${count(bindings(args.resources).length, "binding")} checked for ${count(groups.size, "tenant group")} and the tenants' service accounts`,
      figures: { bindings: bindings(args.resources).length, tenantGroups: groups.size },
    });
    for (const b of bindings(args.resources)) {
      undecided.attempt(bindingName(b), () => {
        const home = b.type === K8S.roleBinding ? (meta(b).namespace ?? "default") : undefined;
        for (const s of subjectsOf(b)) {
          const tenant = tenantOf(s, b, groups, namespaces);
          if (tenant !== undefined && tenant !== home)
            report(`${bindingName(b)} grants ${show(s)} (tenant ${tenant}) rights ${home ? `in namespace ${home}` : "across the cluster"}.`, b.urn);
        }
      });
    }
    undecided.settle();
  },
};

export const noSystemSubjects: StackValidationPolicy = {
  name: "security-no-binding-to-system-identities",
  description:
    "No binding names a Kubernetes system: group or user (system:authenticated is every signed-in user, system:masters already cluster-admin): the platform binds service accounts and its directory's groups only.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const undecided = Undecided.over(args.resources);
    measured(args, {
      text: `${count(bindings(args.resources).length, "binding")} checked for system: groups and users`,
      figures: { bindings: bindings(args.resources).length },
    });
    for (const b of bindings(args.resources)) {
      undecided.attempt(bindingName(b), () => {
        for (const s of subjectsOf(b)) {
          if ((s.kind === "Group" || s.kind === "User") && typeof s.name === "string" && s.name.startsWith("system:"))
            report(`${bindingName(b)} grants ${show(s)}, a Kubernetes system identity.`, b.urn);
        }
      });
    }
    undecided.settle();
  },
};

const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);
/** What a tenant must not change: its own fences, and the cluster's. */
const FENCES: Record<string, ReadonlySet<string> | "all"> = {
  "rbac.authorization.k8s.io": "all",
  "admissionregistration.k8s.io": "all",
  "apiextensions.k8s.io": "all",
  "certificates.k8s.io": "all",
  "cilium.io": "all",
  "": new Set(["resourcequotas", "limitranges", "namespaces", "nodes", "persistentvolumes", "endpoints"]),
  "discovery.k8s.io": new Set(["endpointslices"]),
  "networking.k8s.io": new Set(["networkpolicies"]),
};

/** How a role's rules could widen the access of whoever holds it, one phrase each. */
export function escalations(rules: readonly Rule[]): string[] {
  const out = new Set<string>();
  for (const rule of mappingsOf(rules) as Rule[]) {
    const verbs = strings(rule.verbs);
    const groups = strings(rule.apiGroups);
    const resources = strings(rule.resources).map((r) => r.split("/")[0]);
    if (verbs.includes("*")) out.add("every verb (*)");
    for (const v of ["escalate", "bind", "impersonate"]) if (verbs.includes(v)) out.add(`the ${v} verb`);
    if (groups.includes("*")) out.add("every API group (*)");
    if (resources.includes("*")) out.add("every resource (*)");
    if (strings(rule.nonResourceURLs).includes("*")) out.add("every non-resource URL (*)");
    const writes = verbs.filter((v) => WRITE_VERBS.has(v));
    if (writes.length === 0) continue;
    for (const g of groups) {
      const fenced = FENCES[g];
      if (fenced === undefined) continue;
      for (const r of resources) if (fenced === "all" || fenced.has(r)) out.add(`${writes.join("/")} on ${g === "" ? "" : `${g}/`}${r}`);
    }
  }
  return [...out];
}

export const tenantRoleBounded: StackValidationPolicy = {
  name: "tenancy-tenant-role-bounded",
  description: `The roles tenants hold (the ClusterRole ${TENANT_ADMIN_ROLE} and any role bound in a tenant namespace) grant no way to widen access: no wildcards, no escalate, bind or impersonate, no writes to RBAC, quotas, limits, NetworkPolicies, namespaces or admission.`,
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const namespaces = new Set(tenants(args.resources).map((t) => t.name));
    const held = new Set<string>([`ClusterRole/${TENANT_ADMIN_ROLE}`]);
    for (const b of ofKind(args.resources, K8S.roleBinding)) {
      const ns = meta(b).namespace ?? "default";
      if (!namespaces.has(ns)) continue;
      const ref = roleRefOf(b);
      held.add(ref.kind === "Role" ? `Role/${ns}/${ref.name}` : `ClusterRole/${ref.name}`);
    }
    const roles = [...ofKind(args.resources, CLUSTER_ROLE), ...ofKind(args.resources, ROLE)];
    const undecided = Undecided.over(args.resources);
    let checked = 0;
    for (const role of roles) {
      const key = role.type === ROLE ? `Role/${meta(role).namespace ?? "default"}/${meta(role).name}` : `ClusterRole/${meta(role).name}`;
      if (!held.has(key) && !(role.type === ROLE && namespaces.has(meta(role).namespace ?? "default"))) continue;
      checked++;
      undecided.attempt(key, () => {
        const found = escalations(mappingsOf(role.props.rules));
        if (role.props.aggregationRule !== undefined) found.push("rules aggregated from other roles");
        if (found.length) report(`${key.replace(/\//, " ")}, held by tenants, grants ${found.join(", ")}.`, role.urn);
      });
    }
    measured(args, { text: `${count(checked, "role")} held by tenants checked for ways to widen access`, figures: { roles: checked } });
    undecided.settle();
  },
};
