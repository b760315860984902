import * as assert from "assert";
import { PlannedResource } from "../../cli/record";
import { plannedResource } from "../helpers/plan";
import {
  gpuRequestsNeedQuota,
  namespaceDefaultDeny,
  namespaceHasGpuQuota,
  namespaceHasLimitRange,
  namespacePodSecurityRestricted,
  networkPolicyEnforced,
  noClusterBindingForTenantGroup,
  noHostAccessOutsidePlatform,
  podSpec,
  roleBindingOwnGroup,
  TENANCY_POLICIES,
} from "../../policies/tenancy";
import { k8s, tenant, TYPES, violations as check, workload } from "../helpers/policy";

/** The tenancy rules, one policy at a time, over two compliant tenants changed one thing at a time. */

const baseline = () => [...tenant("uni-a"), ...tenant("gov-c", { gpus: 4 })];

/** The baseline with the named resources left out and `extra` added. */
function changed(drop: string[], ...extra: PlannedResource[]): PlannedResource[] {
  return [...baseline().filter((r) => !drop.includes(r.name)), ...extra];
}

function replaced(name: string, inputs: (old: Record<string, any>) => Record<string, unknown>): PlannedResource[] {
  return baseline().map((r) => (r.name === name ? { ...r, inputs: inputs(JSON.parse(JSON.stringify(r.inputs))) } : r));
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const WORKLOAD_TYPES = ["kubernetes:core/v1:Pod", DEPLOYMENT, "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:ReplicaSet", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"];

describe("tenancy policies", () => {
  it("pass the compliant baseline", () => {
    for (const p of TENANCY_POLICIES) assert.deepStrictEqual(check(p, baseline()), [], p.name);
  });

  describe("per tenant namespace", () => {
    it("fails a namespace with no GPU quota, at the namespace; a quota without a GPU line does not count", () => {
      const cpuOnly = k8s(TYPES.quota, "cpu-only", "gov-c", { spec: { hard: { "requests.cpu": "8" } } });
      assert.deepStrictEqual(check(namespaceHasGpuQuota, changed(["gov-c/tenant-quota"], cpuOnly)), ["gov-c: Tenant namespace gov-c has no ResourceQuota limiting requests.nvidia.com/gpu."]);
    });

    it("fails a namespace with no LimitRange; one in another namespace does not count", () => {
      const elsewhere = k8s(TYPES.limitRange, "tenant-defaults", "scratch");
      assert.deepStrictEqual(check(namespaceHasLimitRange, changed(["gov-c/tenant-defaults"], elsewhere)), ["gov-c: Tenant namespace gov-c has no LimitRange."]);
    });

    it("fails a namespace with no NetworkPolicy isolating every pod both ways", () => {
      const specs: Record<string, unknown>[] = [
        { policyTypes: ["Ingress", "Egress"] },
        { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress", "Egress"] },
        { podSelector: {}, policyTypes: ["Ingress"] },
        { podSelector: {}, policyTypes: ["Egress"] },
        { podSelector: {} },
      ];
      const none = ["gov-c: Tenant namespace gov-c has no NetworkPolicy isolating every pod for both ingress and egress."];
      for (const spec of specs) assert.deepStrictEqual(check(namespaceDefaultDeny, replaced("gov-c/default-deny", (i) => ({ ...i, spec }))), none, JSON.stringify(spec));
      assert.deepStrictEqual(check(namespaceDefaultDeny, changed(["gov-c/default-deny"])), none);
    });

    it("passes isolation that lists what it allows, in one policy or among others", () => {
      const spec = {
        podSelector: {},
        policyTypes: ["Egress", "Ingress"],
        ingress: [{ from: [{ podSelector: {} }] }, { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }, { to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }],
      };
      const allowSlurm = k8s(TYPES.networkPolicy, "allow-slurm", "gov-c", { spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "slurm" } } }] }] } });
      assert.deepStrictEqual(check(namespaceDefaultDeny, [...replaced("gov-c/default-deny", (i) => ({ ...i, spec })), allowSlurm]), []);
      assert.deepStrictEqual(check(namespaceDefaultDeny, [...replaced("gov-c/default-deny", (i) => ({ ...i, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] } }))]), []);
    });

    it("fails a rule that allows everyone, which no default deny can take back", () => {
      const opener = (direction: "ingress" | "egress", rule: Record<string, unknown>) =>
        k8s(TYPES.networkPolicy, "opener", "gov-c", { spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: [direction === "ingress" ? "Ingress" : "Egress"], [direction]: [rule] } });
      const cases: [ReturnType<typeof opener>, string][] = [
        [opener("ingress", {}), "ingress"],
        [opener("ingress", { from: [], ports: [{ port: 443 }] }), "ingress"],
        [opener("ingress", { from: [{ namespaceSelector: {} }] }), "ingress"],
        [opener("ingress", { from: [{ podSelector: {} }, { namespaceSelector: {} }] }), "ingress"],
        [opener("egress", { to: [{ namespaceSelector: {}, podSelector: {} }] }), "egress"],
        [opener("egress", { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }), "egress"],
        [opener("egress", { to: [{ ipBlock: { cidr: "::/0" } }] }), "egress"],
      ];
      for (const [policy, direction] of cases) {
        assert.deepStrictEqual(check(namespaceDefaultDeny, [...baseline(), policy]), [`gov-c: Tenant namespace gov-c lets NetworkPolicy opener allow all ${direction}.`], JSON.stringify(policy.inputs));
      }
      // Every pod of every namespace the selector names is not everyone.
      assert.deepStrictEqual(check(namespaceDefaultDeny, [...baseline(), opener("egress", { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } }] })]), []);
    });

    it("fails a namespace that enforces less than restricted Pod Security, or nothing", () => {
      const level = (value?: string) =>
        replaced("uni-a", (i) => {
          if (value === undefined) delete i.metadata.labels["pod-security.kubernetes.io/enforce"];
          else i.metadata.labels["pod-security.kubernetes.io/enforce"] = value;
          return i;
        });
      assert.deepStrictEqual(check(namespacePodSecurityRestricted, level("baseline")), ['uni-a: Tenant namespace uni-a enforces Pod Security "baseline", not "restricted".']);
      assert.deepStrictEqual(check(namespacePodSecurityRestricted, level()), ['uni-a: Tenant namespace uni-a enforces Pod Security nothing, not "restricted".']);
    });

    it("fails a namespace with no RoleBinding", () => {
      assert.deepStrictEqual(check(roleBindingOwnGroup, changed(["uni-a/tenant-admin"])), ["uni-a: Tenant namespace uni-a has no RoleBinding for its administrators."]);
    });

    it("fails role bindings for anyone but the tenant's own group, naming every stranger", () => {
      const extra = k8s(TYPES.roleBinding, "viewers", "uni-a", {
        subjects: [{ kind: "Group", name: "uni-a-admins" }, { kind: "User", name: "uni-a-admins" }, { kind: "Group", name: "gov-c-admins" }],
      });
      assert.deepStrictEqual(check(roleBindingOwnGroup, [...baseline(), extra]), ["uni-a: Tenant namespace uni-a binds User uni-a-admins, Group gov-c-admins in RoleBinding viewers, not only its group uni-a-admins."]);
    });

    it("judges a tenant namespace with no annotations, so no administrators' group", () => {
      const bare = k8s(TYPES.namespace, "bare", undefined, {}, { "aisc.hk/tenant": "bare" });
      assert.deepStrictEqual(check(roleBindingOwnGroup, [...baseline(), bare]), ["bare: Tenant namespace bare has no RoleBinding for its administrators."]);
      assert.deepStrictEqual(check(noClusterBindingForTenantGroup, [...baseline(), bare]), []);
    });

    it("passes a RoleBinding with no subjects", () => {
      assert.deepStrictEqual(check(roleBindingOwnGroup, [...baseline(), k8s(TYPES.roleBinding, "empty", "uni-a", {})]), []);
    });

    it("judge only namespaces labelled as tenants", () => {
      const other = k8s(TYPES.namespace, "scratch", undefined, {}, { team: "x" });
      for (const p of [namespaceHasGpuQuota, namespaceHasLimitRange, namespaceDefaultDeny, namespacePodSecurityRestricted, roleBindingOwnGroup]) assert.deepStrictEqual(check(p, [...baseline(), other]), [], p.name);
    });
  });

  describe("tenancy-no-host-access-outside-platform", () => {
    const escape = { hostNetwork: true, containers: [{ name: "x", image: "busybox:1.36", securityContext: { privileged: true } }, { name: "y", image: "busybox:1.36", securityContext: { privileged: false } }], initContainers: [{ name: "init", image: "busybox:1.36", securityContext: { privileged: true } }], volumes: [{ name: "root", hostPath: { path: "/" } }, { name: "scratch", emptyDir: {} }] };

    it("fails every kind of workload in a tenant namespace, naming each problem", () => {
      for (const type of WORKLOAD_TYPES) {
        assert.deepStrictEqual(check(noHostAccessOutsidePlatform, [workload("escape", "uni-a", escape, type)]), [
          "uni-a/escape: uni-a/escape in namespace uni-a uses the host network, mounts hostPath volume root, runs container x privileged, runs container init privileged.",
        ], type);
      }
    });

    it("reports one problem alone, and passes a pod with none", () => {
      assert.deepStrictEqual(check(noHostAccessOutsidePlatform, [workload("net", "uni-a", { hostNetwork: true, containers: [{ name: "x" }] })]), ["uni-a/net: uni-a/net in namespace uni-a uses the host network."]);
      assert.deepStrictEqual(check(noHostAccessOutsidePlatform, [workload("ok", "uni-a", { hostNetwork: false, containers: [{ name: "x", securityContext: {} }], volumes: [{ name: "tmp", emptyDir: {} }] })]), []);
    });

    it("allows host access in platform namespaces and kube-*", () => {
      for (const ns of ["nvidia-gpu", "slinky", "slurm", "monitoring", "kube-system", "kube-node-lease"]) {
        assert.deepStrictEqual(check(noHostAccessOutsidePlatform, [workload("agent", ns, escape, "kubernetes:apps/v1:DaemonSet")]), [], ns);
      }
    });

    it("takes a workload with no metadata as cluster-scoped platform", () => {
      assert.deepStrictEqual(check(noHostAccessOutsidePlatform, [plannedResource("kubernetes:core/v1:Pod", "bare", { spec: { hostNetwork: true } })]), []);
    });

    it("ignores kinds that run no pods, even with a pod-like spec", () => {
      assert.deepStrictEqual(check(noHostAccessOutsidePlatform, [workload("svc", "uni-a", escape, "kubernetes:core/v1:Service")]), []);
    });
  });

  describe("podSpec", () => {
    it("finds the pod spec of every workload kind, and none elsewhere", () => {
      const pod = { containers: [{ name: "x" }] };
      for (const type of WORKLOAD_TYPES) assert.deepStrictEqual(podSpec({ type, props: workload("w", "ns", pod, type).inputs as Record<string, unknown> }), pod, type);
      assert.strictEqual(podSpec({ type: DEPLOYMENT, props: { spec: {} } }), undefined);
      assert.strictEqual(podSpec({ type: "kubernetes:core/v1:ConfigMap", props: { spec: { template: { spec: pod } } } }), undefined);
    });
  });

  describe("tenancy-gpu-requests-need-quota", () => {
    const gpuPod = (resources: Record<string, unknown>) => ({ containers: [{ name: "train", image: "trainer:1.0", resources }] });

    it("fails GPU requests or limits in a namespace with no GPU quota, once per resource, at the workload", () => {
      const job = workload("train", "scratch", gpuPod({ requests: { "nvidia.com/gpu": 8, cpu: 4 }, limits: { "nvidia.com/gpu": 8, "nvidia.com/mig-1g.10gb": 1 } }), "kubernetes:batch/v1:Job");
      assert.deepStrictEqual(check(gpuRequestsNeedQuota, [...baseline(), job]), [
        "scratch/train: train in namespace scratch requests nvidia.com/gpu, but no ResourceQuota in scratch limits requests.nvidia.com/gpu.",
        "scratch/train: train in namespace scratch requests nvidia.com/mig-1g.10gb, but no ResourceQuota in scratch limits requests.nvidia.com/mig-1g.10gb.",
      ]);
    });

    it("passes GPUs under a quota that limits that resource in that namespace, and platform namespaces", () => {
      const ok = workload("ok", "uni-a", gpuPod({ limits: { "nvidia.com/gpu": 8 } }));
      const initOnly = workload("init", "uni-a", { containers: [], initContainers: [{ name: "i", resources: { requests: { "nvidia.com/gpu": 1 } } }] });
      const platform = workload("dcgm", "nvidia-gpu", gpuPod({ limits: { "nvidia.com/gpu": 1 } }), "kubernetes:apps/v1:DaemonSet");
      assert.deepStrictEqual(check(gpuRequestsNeedQuota, [...baseline(), ok, initOnly, platform]), []);
    });

    it("fails a shared-GPU resource the tenant's quota does not name, and looks at init containers", () => {
      const shared = workload("shared", "uni-a", { containers: [{ name: "c" }], initContainers: [{ name: "i", resources: { requests: { "nvidia.com/gpu.shared": 1 } } }] });
      assert.deepStrictEqual(check(gpuRequestsNeedQuota, [...baseline(), shared]), ["uni-a/shared: shared in namespace uni-a requests nvidia.com/gpu.shared, but no ResourceQuota in uni-a limits requests.nvidia.com/gpu.shared."]);
    });

    it("does not take a quota with no spec, or one in another namespace, as covering", () => {
      const bare = k8s(TYPES.quota, "bare", "scratch");
      const job = workload("train", "scratch", gpuPod({ limits: { "nvidia.com/gpu": 1 } }));
      assert.deepStrictEqual(check(gpuRequestsNeedQuota, [...baseline(), bare, job]), ["scratch/train: train in namespace scratch requests nvidia.com/gpu, but no ResourceQuota in scratch limits requests.nvidia.com/gpu."]);
    });
  });

  describe("tenancy-no-cluster-binding-for-tenant-group", () => {
    it("fails a ClusterRoleBinding to a tenant's group, at the binding; users and other groups pass", () => {
      const crb = k8s(TYPES.clusterRoleBinding, "oops", undefined, { subjects: [{ kind: "User", name: "uni-a-admins" }, { kind: "Group", name: "ops" }, { kind: "Group", name: "gov-c-admins" }] });
      const empty = k8s(TYPES.clusterRoleBinding, "empty", undefined, {});
      assert.deepStrictEqual(check(noClusterBindingForTenantGroup, [...baseline(), crb, empty]), ["oops: ClusterRoleBinding oops grants group gov-c-admins (tenant gov-c) cluster-wide rights."]);
    });
  });

  describe("tenancy-network-policy-enforced", () => {
    const group = plannedResource("aws:eks/nodeGroup:NodeGroup", "burst", { nodeGroupName: "aisc-x-burst" });
    const activation = plannedResource("aws:ssm/activation:Activation", "h100", {});
    const cni = (config?: string) => plannedResource("aws:eks/addon:Addon", "vpc-cni", { addonName: "vpc-cni", ...(config !== undefined ? { configurationValues: config } : {}) });
    const cilium = (values: Record<string, unknown> = {}) => plannedResource("kubernetes:helm.sh/v4:Chart", "cilium", { chart: "cilium", version: "1.17.5", values });

    it("passes cloud nodes with the VPC CNI's network policy agent on and hybrid nodes with Cilium", () => {
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group, cni('{"enableNetworkPolicy":"true"}'), activation, cilium())), []);
    });

    it("fails each node group when the VPC CNI add-on is missing or leaves the agent off", () => {
      const message = 'burst: Node group aisc-x-burst runs pods on the VPC CNI, which enforces no NetworkPolicy: add the vpc-cni add-on with configurationValues {"enableNetworkPolicy": "true"}.';
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group)), [message]);
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group, cni())), [message]);
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group, cni('{"enableNetworkPolicy":"false"}'))), [message]);
    });

    it("fails hybrid nodes without Cilium, or with Cilium told never to enforce", () => {
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], activation)), ["h100: Hybrid nodes of activation h100 have no Cilium: NetworkPolicy is not enforced there."]);
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], activation, cilium({ policyEnforcementMode: "never" }))), [
        "h100: Hybrid nodes of activation h100 have Cilium with policyEnforcementMode never: NetworkPolicy is not enforced there.",
      ]);
    });
  });
});
