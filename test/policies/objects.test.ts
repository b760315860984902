import * as assert from "assert";
import { policyResources } from "../../cli/policy-eval";
import { declaredObjects, embedded, namespaceOf, pulumiTypeOf } from "../../policies/objects";
import { podsRestrictedOutsidePlatform } from "../../policies/pod-security";
import { roleBindingOwnGroup } from "../../policies/rbac";
import { imagesAndChartsPinned } from "../../policies/security";
import { gpuRequestsNeedQuota } from "../../policies/tenancy";
import { plannedResource } from "../helpers/plan";
import { tenant, violations as check } from "../helpers/policy";

/** Objects inside composites: what a rule that read only typed resources would never see. */

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata: { name: escape, namespace: uni-a }
spec:
  hostNetwork: true
  containers: [{ name: x, image: "busybox:LATEST", securityContext: { privileged: true }, resources: { limits: { nvidia.com/gpu: 1 } } }]
`;
const ADMIN_BINDING = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: { name: "mine", namespace: "uni-a" },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
  subjects: [{ kind: "Group", name: "uni-a-admins" }],
};

const group = (inputs: Record<string, unknown>, type = "kubernetes:yaml/v2:ConfigGroup") => plannedResource(type, "extras", inputs);

describe("objects inside composites", () => {
  it("maps apiVersion and kind to the Pulumi type, core and grouped", () => {
    assert.strictEqual(pulumiTypeOf("v1", "Pod"), "kubernetes:core/v1:Pod");
    assert.strictEqual(pulumiTypeOf("rbac.authorization.k8s.io/v1", "RoleBinding"), "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
  });

  it("reads objs, Lists and every YAML document, skipping what does not parse", () => {
    const list = { apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }] };
    const kinds = declaredObjects({
      objs: [ADMIN_BINDING, [list]],
      yaml: [`${PRIVILEGED_POD}---\nkind: [broken\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: s }\n`],
    }).map((o) => o.kind);
    assert.deepStrictEqual(kinds, ["RoleBinding", "ConfigMap", "Pod", "Secret"]);
    const [r] = policyResources({ project: "aisc", stack: "t", resources: [group({ yaml: PRIVILEGED_POD })], outputs: {} });
    assert.deepStrictEqual(
      embedded(r).map((e) => [e.type, e.name, e.urn === r.urn]),
      [["kubernetes:core/v1:Pod", "extras/Pod/uni-a/escape", true]],
    );
  });

  it("judges a privileged pod and a cluster-admin binding inside a ConfigGroup, v1 or v2, as if declared alone", () => {
    for (const type of ["kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml:ConfigGroup"]) {
      const rs = [...tenant("uni-a"), group({ yaml: PRIVILEGED_POD, objs: [ADMIN_BINDING] }, type)];
      assert.deepStrictEqual(
        check(podsRestrictedOutsidePlatform, rs),
        [
          "extras: Pod escape in namespace uni-a sets hostNetwork; runs container x privileged; runs container x without dropping ALL capabilities; runs container x without a RuntimeDefault or Localhost seccomp profile; runs container x without allowPrivilegeEscalation: false; runs container x without runAsNonRoot: true.",
        ],
        type,
      );
      assert.deepStrictEqual(
        check(roleBindingOwnGroup, rs),
        ["extras: Tenant namespace uni-a binds ClusterRole cluster-admin in RoleBinding mine, not the platform's ClusterRole aisc-tenant-admin."],
        type,
      );
      assert.deepStrictEqual(
        check(imagesAndChartsPinned, rs),
        [
          "extras: extras/Pod/uni-a/escape runs image busybox:LATEST (at spec.containers[0].image), which is tagged LATEST, which moves: pin it to a version tag or a digest.",
        ],
        type,
      );
      assert.deepStrictEqual(
        check(gpuRequestsNeedQuota, [...rs.filter((r) => r.name !== "uni-a/tenant-quota")]),
        ["extras: escape in namespace uni-a requests nvidia.com/gpu, but no ResourceQuota in uni-a limits requests.nvidia.com/gpu."],
        type,
      );
    }
  });

  it("reads YAML as Kubernetes does (1.1): hostPID: yes is true", () => {
    const yes = `apiVersion: v1\nkind: Pod\nmetadata: { name: shouting, namespace: uni-a }\nspec:\n  hostPID: yes\n  containers: [{ name: c, image: "x:1", securityContext: { privileged: on } }]\n`;
    const found = check(podsRestrictedOutsidePlatform, [group({ yaml: yes })]);
    assert.match(found[0], /^extras: Pod shouting in namespace uni-a sets hostPID; runs container c privileged; /);
  });

  it("puts an object naming no namespace in default", () => {
    assert.strictEqual(namespaceOf({ props: { metadata: { name: "x" } } }), "default");
    assert.strictEqual(namespaceOf({ props: { metadata: { name: "x", namespace: "" } } }), "default");
    assert.strictEqual(namespaceOf({ props: {} }), "default");
    assert.strictEqual(namespaceOf({ props: { metadata: { namespace: "slurm" } } }), "slurm");
  });
});
