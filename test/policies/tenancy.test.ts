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
  TENANCY_POLICIES,
} from "../../policies/tenancy";
import { podSpec } from "../../policies/pod-security";
import { roleBindingOwnGroup } from "../../policies/rbac";
import { k8s, siteFacts, tenant, TYPES, violations as check, workload } from "../helpers/policy";

/** The tenancy rules, one policy at a time, over two compliant tenants changed one thing at a time. */

const baseline = () => [
  siteFacts({ networks: ["10.0.0.0/16", "172.20.0.0/16", "10.80.0.0/16", "10.90.0.0/16"] }) /* node ranges */,
  ...tenant("uni-a"),
  ...tenant("gov-c", { gpus: 4 }),
];

/** The baseline with the named resources left out and `extra` added. */
function changed(drop: string[], ...extra: PlannedResource[]): PlannedResource[] {
  return [...baseline().filter((r) => !drop.includes(r.name)), ...extra];
}

function replaced(name: string, inputs: (old: Record<string, any>) => Record<string, unknown>): PlannedResource[] {
  return baseline().map((r) => (r.name === name ? { ...r, inputs: inputs(JSON.parse(JSON.stringify(r.inputs))) } : r));
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const WORKLOAD_TYPES = [
  "kubernetes:core/v1:Pod",
  DEPLOYMENT,
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
];

describe("tenancy policies", () => {
  it("pass the compliant baseline", () => {
    for (const p of TENANCY_POLICIES) assert.deepStrictEqual(check(p, baseline()), [], p.name);
  });

  describe("per tenant namespace", () => {
    it("fails a namespace with no GPU quota, at the namespace; a quota without a GPU line does not count", () => {
      const cpuOnly = k8s(TYPES.quota, "cpu-only", "gov-c", { spec: { hard: { "requests.cpu": "8" } } });
      assert.deepStrictEqual(check(namespaceHasGpuQuota, changed(["gov-c/tenant-quota"], cpuOnly)), [
        "gov-c: Tenant namespace gov-c has no ResourceQuota limiting requests.nvidia.com/gpu.",
      ]);
    });

    it("fails a namespace with no LimitRange; one in another namespace does not count", () => {
      const elsewhere = k8s(TYPES.limitRange, "tenant-defaults", "scratch");
      assert.deepStrictEqual(check(namespaceHasLimitRange, changed(["gov-c/tenant-defaults"], elsewhere)), [
        "gov-c: Tenant namespace gov-c has no LimitRange.",
      ]);
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
      for (const spec of specs)
        assert.deepStrictEqual(
          check(
            namespaceDefaultDeny,
            replaced("gov-c/default-deny", (i) => ({ ...i, spec })),
          ),
          none,
          JSON.stringify(spec),
        );
      assert.deepStrictEqual(check(namespaceDefaultDeny, changed(["gov-c/default-deny"])), none);
    });

    it("passes isolation that lists what it allows, in one policy or among others", () => {
      const spec = {
        podSelector: {},
        policyTypes: ["Egress", "Ingress"],
        ingress: [{ from: [{ podSelector: {} }] }, { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }],
        egress: [
          {
            to: [
              { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
            ],
          },
          { to: [{ ipBlock: { cidr: "10.80.0.0/15", except: ["10.81.0.0/16"] } }, { ipBlock: { cidr: "10.90.3.0/24" } }] },
        ],
      };
      const allowSlurm = k8s(TYPES.networkPolicy, "allow-slurm", "gov-c", {
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "slurm" } } }] }],
        },
      });
      assert.deepStrictEqual(check(namespaceDefaultDeny, [...replaced("gov-c/default-deny", (i) => ({ ...i, spec })), allowSlurm]), []);
      assert.deepStrictEqual(
        check(namespaceDefaultDeny, [
          ...replaced("gov-c/default-deny", (i) => ({ ...i, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] } })),
        ]),
        [],
      );
    });

    const opener = (direction: "ingress" | "egress", rule: Record<string, unknown>) =>
      k8s(TYPES.networkPolicy, "opener", "gov-c", {
        spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: [direction === "ingress" ? "Ingress" : "Egress"], [direction]: [rule] },
      });
    const opened = (rule: Record<string, unknown>, direction: "ingress" | "egress" = "egress") =>
      check(namespaceDefaultDeny, [...baseline(), opener(direction, rule)]);
    const says = (what: string) => [`gov-c: Tenant namespace gov-c lets NetworkPolicy opener ${what}.`];

    it("fails a rule that allows everyone, which no default deny can take back", () => {
      for (const rule of [{}, { from: [], ports: [{ port: 443 }] }])
        assert.deepStrictEqual(opened(rule, "ingress"), says("allow all ingress"), JSON.stringify(rule));
      assert.deepStrictEqual(opened({ to: [] }), says("allow all egress"));
    });

    it("fails addresses beyond the site's own ranges by what they admit, not how they are spelled", () => {
      const beyond = (range: string, cidr: string, more = false, metadata = false) =>
        says(
          `allow egress that admits ${range}${more ? " and more" : ""} from ipBlock ${cidr}, outside the site's node ranges${metadata ? ", including the link-local instance metadata address 169.254.169.254" : ""}`,
        );
      assert.deepStrictEqual(opened({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }), beyond("0.0.0.0–9.255.255.255", "0.0.0.0/0", true, true));
      // Half the internet each: both halves fail on their own.
      assert.deepStrictEqual(opened({ to: [{ ipBlock: { cidr: "0.0.0.0/1" } }] }), beyond("0.0.0.0–9.255.255.255", "0.0.0.0/1", true));
      assert.deepStrictEqual(opened({ to: [{ ipBlock: { cidr: "128.0.0.0/1" } }] }), beyond("128.0.0.0–172.19.255.255", "128.0.0.0/1", true, true));
      assert.deepStrictEqual(
        opened({ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }] }),
        beyond("169.254.169.254–169.254.169.254", "169.254.169.254/32", false, true),
      );
      // Host bits are masked as Kubernetes does: 10.0.0.1/8 is all of 10/8.
      assert.deepStrictEqual(opened({ to: [{ ipBlock: { cidr: "10.0.0.1/8" } }] }), beyond("10.1.0.0–10.79.255.255", "10.0.0.1/8", true));
      assert.deepStrictEqual(
        opened({ to: [{ ipBlock: { cidr: "::/0" } }] }),
        says("allow egress that admits IPv6 addresses (::/0), none of them the site's nodes'"),
      );
      assert.deepStrictEqual(
        opened({ from: [{ ipBlock: { cidr: "2001:db8::/32" } }] }, "ingress"),
        says("allow ingress that admits IPv6 addresses (2001:db8::/32), none of them the site's nodes'"),
      );
      assert.deepStrictEqual(opened({ to: [{ ipBlock: { cidr: "everything" } }] }), says('allow egress that has an ipBlock that is not a CIDR ("everything")'));
      // Null peers and rules are read as Kubernetes reads them, never a crash.
      assert.deepStrictEqual(opened({ to: [null, { ipBlock: null, namespaceSelector: null }] }), []);
      // Within the site's ranges, or cut down to them by exceptions: passes.
      assert.deepStrictEqual(opened({ to: [{ ipBlock: { cidr: "10.0.0.0/15", except: ["10.1.0.0/16"] } }] }), []);
    });

    it("fails namespace selectors that can match every namespace or another tenant's", () => {
      const anyNs = (selector: unknown) =>
        says(
          `allow ingress that selects namespaces by ${JSON.stringify(selector)}, which matches every namespace (or any a label is added to); name them with kubernetes.io/metadata.name`,
        );
      const selectors = [
        {},
        { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] },
        { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["gov-c"] }] },
        { matchLabels: { team: "x" } },
      ];
      for (const selector of selectors)
        assert.deepStrictEqual(
          opened({ from: [{ namespaceSelector: selector, podSelector: { matchLabels: { app: "db" } } }] }, "ingress"),
          anyNs(selector),
          JSON.stringify(selector),
        );
      assert.deepStrictEqual(
        opened({ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "uni-a" } } }] }, "ingress"),
        says("allow ingress that admits namespace uni-a, neither the tenant's own nor the platform's"),
      );
      const pinned = {
        matchLabels: { team: "x" },
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["gov-c", "monitoring"] }],
      };
      assert.deepStrictEqual(opened({ from: [{ namespaceSelector: pinned }] }, "ingress"), []);
    });

    it("fails a namespace that enforces less than restricted Pod Security, or nothing", () => {
      const level = (value?: string) =>
        replaced("uni-a", (i) => {
          if (value === undefined) delete i.metadata.labels["pod-security.kubernetes.io/enforce"];
          else i.metadata.labels["pod-security.kubernetes.io/enforce"] = value;
          return i;
        });
      assert.deepStrictEqual(check(namespacePodSecurityRestricted, level("baseline")), [
        'uni-a: Tenant namespace uni-a enforces Pod Security "baseline", not "restricted".',
      ]);
      assert.deepStrictEqual(check(namespacePodSecurityRestricted, level()), [
        'uni-a: Tenant namespace uni-a enforces Pod Security nothing, not "restricted".',
      ]);
    });

    it("judge only namespaces labelled as tenants", () => {
      const other = k8s(TYPES.namespace, "scratch", undefined, {}, { team: "x" });
      for (const p of [namespaceHasGpuQuota, namespaceHasLimitRange, namespaceDefaultDeny, namespacePodSecurityRestricted, roleBindingOwnGroup])
        assert.deepStrictEqual(check(p, [...baseline(), other]), [], p.name);
    });
  });

  describe("podSpec", () => {
    it("finds the pod spec of every workload kind, and none elsewhere", () => {
      const pod = { containers: [{ name: "x" }] };
      for (const type of WORKLOAD_TYPES) assert.deepStrictEqual(podSpec({ type, props: workload("w", "ns", pod, type).inputs }), pod, type);
      assert.strictEqual(podSpec({ type: DEPLOYMENT, props: { spec: {} } }), undefined);
      assert.strictEqual(podSpec({ type: "kubernetes:core/v1:ConfigMap", props: { spec: { template: { spec: pod } } } }), undefined);
    });
  });

  describe("tenancy-gpu-requests-need-quota", () => {
    const gpuPod = (resources: Record<string, unknown>) => ({ containers: [{ name: "train", image: "trainer:1.0", resources }] });

    it("fails GPU requests or limits in a namespace with no GPU quota, once per resource, at the workload", () => {
      const job = workload(
        "train",
        "scratch",
        gpuPod({ requests: { "nvidia.com/gpu": 8, cpu: 4 }, limits: { "nvidia.com/gpu": 8, "nvidia.com/mig-1g.10gb": 1 } }),
        "kubernetes:batch/v1:Job",
      );
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
      const shared = workload("shared", "uni-a", {
        containers: [{ name: "c" }],
        initContainers: [{ name: "i", resources: { requests: { "nvidia.com/gpu.shared": 1 } } }],
      });
      assert.deepStrictEqual(check(gpuRequestsNeedQuota, [...baseline(), shared]), [
        "uni-a/shared: shared in namespace uni-a requests nvidia.com/gpu.shared, but no ResourceQuota in uni-a limits requests.nvidia.com/gpu.shared.",
      ]);
    });

    it("does not take a quota with no spec, or one in another namespace, as covering", () => {
      const bare = k8s(TYPES.quota, "bare", "scratch");
      const job = workload("train", "scratch", gpuPod({ limits: { "nvidia.com/gpu": 1 } }));
      assert.deepStrictEqual(check(gpuRequestsNeedQuota, [...baseline(), bare, job]), [
        "scratch/train: train in namespace scratch requests nvidia.com/gpu, but no ResourceQuota in scratch limits requests.nvidia.com/gpu.",
      ]);
    });
  });

  describe("tenancy-network-policy-enforced", () => {
    const group = plannedResource("aws:eks/nodeGroup:NodeGroup", "burst", { nodeGroupName: "aisc-x-burst" });
    const activation = plannedResource("aws:ssm/activation:Activation", "h100", {});
    const cni = (config?: string) =>
      plannedResource("aws:eks/addon:Addon", "vpc-cni", { addonName: "vpc-cni", ...(config !== undefined ? { configurationValues: config } : {}) });
    const cilium = (values: Record<string, unknown> = {}) =>
      plannedResource("kubernetes:helm.sh/v4:Chart", "cilium", { chart: "cilium", version: "1.17.5", values });

    it("passes cloud nodes with the VPC CNI's network policy agent on and hybrid nodes with Cilium", () => {
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group, cni('{"enableNetworkPolicy":"true"}'), activation, cilium())), []);
    });

    it("fails each node group when the VPC CNI add-on is missing or leaves the agent off", () => {
      const message =
        'burst: Node group aisc-x-burst runs pods on the VPC CNI, which enforces no NetworkPolicy: add the vpc-cni add-on with configurationValues {"enableNetworkPolicy": "true"}.';
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group)), [message]);
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group, cni())), [message]);
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], group, cni('{"enableNetworkPolicy":"false"}'))), [message]);
    });

    it("fails hybrid nodes without Cilium, or with Cilium told never to enforce", () => {
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], activation)), [
        "h100: Hybrid nodes of activation h100 have no Cilium: NetworkPolicy is not enforced there.",
      ]);
      assert.deepStrictEqual(check(networkPolicyEnforced, changed([], activation, cilium({ policyEnforcementMode: "never" }))), [
        "h100: Hybrid nodes of activation h100 have Cilium with policyEnforcementMode never: NetworkPolicy is not enforced there.",
      ]);
    });
  });
});
