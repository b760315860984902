import * as assert from "assert";
import { PlannedResource } from "../../cli/record";
import { escalations, noSystemSubjects, roleBindingOwnGroup, tenantIdentitiesStayHome, tenantRoleBounded } from "../../policies/rbac";
import { k8s, tenant, TYPES, violations as check } from "../helpers/policy";

/** The RBAC rules over two compliant tenants and the platform's tenant role, each escalation added one at a time. */

const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const RBAC = "rbac.authorization.k8s.io";

const TENANT_RULES = [
  {
    apiGroups: [""],
    resources: ["pods", "pods/log", "pods/exec", "secrets", "serviceaccounts"],
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
  },
  { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] },
];
const tenantRole = (rules: unknown[] = TENANT_RULES) => k8s(CLUSTER_ROLE, "aisc-tenant-admin", undefined, { rules });
const baseline = (): PlannedResource[] => [tenantRole(), ...tenant("uni-a"), ...tenant("gov-c")];
const RBAC_RULES = [roleBindingOwnGroup, tenantRoleBounded, tenantIdentitiesStayHome, noSystemSubjects];

const binding = (name: string, namespace: string | undefined, role: { kind: string; name: string }, subjects: unknown[]) =>
  k8s(namespace === undefined ? TYPES.clusterRoleBinding : TYPES.roleBinding, name, namespace, { roleRef: { apiGroup: RBAC, ...role }, subjects });
const clusterRole = (name: string) => ({ kind: "ClusterRole", name });

describe("RBAC policies", () => {
  it("pass the platform's tenant role bound to each tenant's own group", () => {
    for (const p of RBAC_RULES) assert.deepStrictEqual(check(p, baseline()), [], p.name);
  });

  describe("tenancy-rolebinding-own-group", () => {
    it("fails a tenant namespace's binding to any role but the platform's tenant role, cluster-admin, admin and edit included", () => {
      for (const role of ["cluster-admin", "admin", "edit"]) {
        const own = binding("mine", "uni-a", clusterRole(role), [{ kind: "Group", name: "uni-a-admins" }]);
        assert.deepStrictEqual(
          check(roleBindingOwnGroup, [...baseline(), own]),
          [`uni-a/mine: Tenant namespace uni-a binds ClusterRole ${role} in RoleBinding mine, not the platform's ClusterRole aisc-tenant-admin.`],
          role,
        );
      }
      const local = binding("local", "uni-a", { kind: "Role", name: "aisc-tenant-admin" }, [{ kind: "Group", name: "uni-a-admins" }]);
      assert.deepStrictEqual(check(roleBindingOwnGroup, [...baseline(), local]), [
        "uni-a/local: Tenant namespace uni-a binds Role aisc-tenant-admin in RoleBinding local, not the platform's ClusterRole aisc-tenant-admin.",
      ]);
      assert.deepStrictEqual(check(roleBindingOwnGroup, [...baseline(), k8s(TYPES.roleBinding, "bare", "uni-a", {})]), [
        "uni-a/bare: Tenant namespace uni-a binds no role in RoleBinding bare, not the platform's ClusterRole aisc-tenant-admin.",
      ]);
    });

    it("fails bindings for anyone but the tenant's own group, naming every stranger", () => {
      const extra = binding("viewers", "uni-a", clusterRole("aisc-tenant-admin"), [
        { kind: "Group", name: "uni-a-admins" },
        { kind: "User", name: "uni-a-admins" },
        { kind: "ServiceAccount", name: "x", namespace: "gov-c" },
      ]);
      assert.deepStrictEqual(check(roleBindingOwnGroup, [...baseline(), extra]), [
        "uni-a/viewers: Tenant namespace uni-a binds User uni-a-admins, ServiceAccount gov-c/x in RoleBinding viewers, not only its group uni-a-admins.",
      ]);
    });

    it("fails a tenant namespace with no RoleBinding, at the namespace", () => {
      assert.deepStrictEqual(
        check(
          roleBindingOwnGroup,
          baseline().filter((r) => r.name !== "uni-a/tenant-admin"),
        ),
        ["uni-a: Tenant namespace uni-a has no RoleBinding for its administrators."],
      );
    });
  });

  describe("tenancy-tenant-role-bounded", () => {
    it("names each way a role could widen its holder's access, and nothing for the platform's rules", () => {
      assert.deepStrictEqual(escalations(TENANT_RULES), []);
      assert.deepStrictEqual(escalations([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), [
        "every verb (*)",
        "every API group (*)",
        "every resource (*)",
      ]);
      assert.deepStrictEqual(escalations([{ apiGroups: [RBAC], resources: ["roles", "rolebindings"], verbs: ["get", "escalate", "bind", "create"] }]), [
        "the escalate verb",
        "the bind verb",
        "create on rbac.authorization.k8s.io/roles",
        "create on rbac.authorization.k8s.io/rolebindings",
      ]);
      assert.deepStrictEqual(escalations([{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }]), ["the impersonate verb"]);
      assert.deepStrictEqual(
        escalations([{ apiGroups: ["", "networking.k8s.io"], resources: ["resourcequotas", "networkpolicies", "namespaces/status"], verbs: ["patch"] }]),
        ["patch on resourcequotas", "patch on namespaces", "patch on networking.k8s.io/networkpolicies"],
      );
      assert.deepStrictEqual(escalations([{ nonResourceURLs: ["*"], verbs: ["get"] }]), ["every non-resource URL (*)"]);
      // Cilium's own policies add to the default deny on hybrid nodes; endpoints steer Services' traffic.
      assert.deepStrictEqual(
        escalations([
          { apiGroups: ["cilium.io", "", "discovery.k8s.io"], resources: ["ciliumnetworkpolicies", "endpoints", "endpointslices"], verbs: ["create"] },
        ]),
        [
          "create on cilium.io/ciliumnetworkpolicies",
          "create on cilium.io/endpoints",
          "create on cilium.io/endpointslices",
          "create on endpoints",
          "create on discovery.k8s.io/endpointslices",
        ],
      );
      // Malformed rules (a null entry, verbs as one string) are read, never a crash.
      assert.deepStrictEqual(escalations([null, { apiGroups: [""], resources: ["pods"], verbs: "*" }] as never), ["every verb (*)"]);
    });

    it("fails the platform's tenant role widened, at the role", () => {
      const widened = tenantRole([...TENANT_RULES, { apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["escalate", "bind"] }]);
      const rs = [...baseline().filter((r) => r.name !== "aisc-tenant-admin"), widened];
      assert.deepStrictEqual(check(tenantRoleBounded, rs), [
        "aisc-tenant-admin: ClusterRole aisc-tenant-admin, held by tenants, grants the escalate verb, the bind verb.",
      ]);
    });

    it("fails a Role in a tenant namespace granting everything, and one aggregating others; a platform Role is not judged", () => {
      const star = k8s(ROLE, "all", "uni-a", { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
      const aggregate = k8s(CLUSTER_ROLE, "wide", undefined, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: "y" } }] } });
      const heldWide = binding("wide", "gov-c", clusterRole("wide"), [{ kind: "Group", name: "gov-c-admins" }]);
      const platform = k8s(ROLE, "operator", "slurm", { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
      assert.deepStrictEqual(check(tenantRoleBounded, [...baseline(), star, aggregate, heldWide, platform]), [
        "wide: ClusterRole wide, held by tenants, grants rules aggregated from other roles.",
        "uni-a/all: Role uni-a/all, held by tenants, grants every verb (*), every API group (*), every resource (*).",
      ]);
    });
  });

  describe("tenancy-tenant-identities-stay-in-namespace", () => {
    it("fails a tenant's group or service account bound across the cluster or in another namespace, at the binding", () => {
      const crbGroup = binding("oops", undefined, clusterRole("cluster-admin"), [
        { kind: "User", name: "uni-a-admins" },
        { kind: "Group", name: "gov-c-admins" },
      ]);
      const crbSa = binding("sa-admin", undefined, clusterRole("cluster-admin"), [{ kind: "ServiceAccount", name: "runner", namespace: "uni-a" }]);
      const inSlurm = binding("slurm-for-gov", "slurm", clusterRole("edit"), [{ kind: "Group", name: "gov-c-admins" }]);
      const otherTenant = binding("cross", "gov-c", clusterRole("view"), [{ kind: "ServiceAccount", name: "default", namespace: "uni-a" }]);
      const ownSa = binding("own-sa", "uni-a", clusterRole("aisc-tenant-admin"), [{ kind: "ServiceAccount", name: "runner" }]);
      assert.deepStrictEqual(check(tenantIdentitiesStayHome, [...baseline(), crbGroup, crbSa, inSlurm, otherTenant, ownSa]), [
        "slurm/slurm-for-gov: RoleBinding slurm/slurm-for-gov grants Group gov-c-admins (tenant gov-c) rights in namespace slurm.",
        "gov-c/cross: RoleBinding gov-c/cross grants ServiceAccount uni-a/default (tenant uni-a) rights in namespace gov-c.",
        "oops: ClusterRoleBinding oops grants Group gov-c-admins (tenant gov-c) rights across the cluster.",
        "sa-admin: ClusterRoleBinding sa-admin grants ServiceAccount uni-a/runner (tenant uni-a) rights across the cluster.",
      ]);
    });
  });

  describe("security-no-binding-to-system-identities", () => {
    it("fails any binding of a system: group or user, wherever it is; service accounts pass", () => {
      const everyone = binding("everyone", undefined, clusterRole("cluster-admin"), [{ kind: "Group", name: "system:authenticated" }]);
      const masters = binding("m", "slurm", clusterRole("view"), [
        { kind: "Group", name: "system:masters" },
        { kind: "User", name: "system:serviceaccount:uni-a:default" },
      ]);
      const sa = binding("sa", undefined, clusterRole("view"), [{ kind: "ServiceAccount", name: "system-reader", namespace: "monitoring" }, null]);
      assert.deepStrictEqual(check(noSystemSubjects, [...baseline(), everyone, masters, sa]), [
        "slurm/m: RoleBinding slurm/m grants Group system:masters, a Kubernetes system identity.",
        "slurm/m: RoleBinding slurm/m grants User system:serviceaccount:uni-a:default, a Kubernetes system identity.",
        "everyone: ClusterRoleBinding everyone grants Group system:authenticated, a Kubernetes system identity.",
      ]);
    });
  });
});
