import * as assert from "assert";
import { plannedResource } from "../helpers/plan";
import { podSpec, podsRestrictedOutsidePlatform, restrictedViolations } from "../../policies/pod-security";
import { violations as check, workload } from "../helpers/policy";

/** The restricted Pod Security Standard on every pod spec outside the platform namespaces. */

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

/** A container the restricted profile admits. */
const SAFE_SC = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
const safe = (name: string, sc: Record<string, unknown> = {}) => ({ name, image: "trainer:1.0", securityContext: { ...SAFE_SC, ...sc } });
const compliant = {
  containers: [safe("main")],
  volumes: [
    { name: "tmp", emptyDir: {} },
    { name: "data", persistentVolumeClaim: { claimName: "d" } },
  ],
};

describe("tenancy-pods-restricted-outside-platform", () => {
  it("passes a compliant pod of every workload kind, and reads the pod spec of each", () => {
    for (const type of WORKLOAD_TYPES) {
      assert.deepStrictEqual(check(podsRestrictedOutsidePlatform, [workload("ok", "uni-a", compliant, type)]), [], type);
      assert.deepStrictEqual(podSpec({ type, props: workload("w", "ns", compliant, type).inputs }), compliant, type);
    }
    assert.strictEqual(podSpec({ type: "kubernetes:core/v1:ConfigMap", props: { spec: { template: { spec: compliant } } } }), undefined);
  });

  it("names each thing the profile forbids, in every kind of container", () => {
    const pod = {
      hostNetwork: true,
      hostPID: true,
      hostIPC: true,
      securityContext: { sysctls: [{ name: "kernel.msgmax" }, { name: "net.ipv4.tcp_syncookies" }], runAsUser: 0 },
      initContainers: [safe("init", { privileged: true })],
      containers: [
        safe("caps", { capabilities: { add: ["SYS_ADMIN", "NET_BIND_SERVICE"], drop: ["ALL"] } }),
        { name: "bare", ports: [{ containerPort: 80, hostPort: 8080 }] },
      ],
      ephemeralContainers: [safe("debug", { allowPrivilegeEscalation: true, seccompProfile: { type: "Unconfined" }, procMount: "Unmasked" })],
      volumes: [
        { name: "root", hostPath: { path: "/" } },
        { name: "nfs", nfs: { server: "x", path: "/" } },
        { name: "tmp", emptyDir: {} },
      ],
    };
    assert.deepStrictEqual(restrictedViolations(pod), [
      "sets hostNetwork",
      "sets hostPID",
      "sets hostIPC",
      "runs init container init privileged",
      "runs container caps adding capabilities SYS_ADMIN",
      "runs container bare without dropping ALL capabilities",
      "mounts hostPath volume root",
      "mounts nfs volume nfs",
      "runs container bare on host port 8080",
      "runs ephemeral container debug with procMount Unmasked",
      "runs container bare without a RuntimeDefault or Localhost seccomp profile",
      "runs ephemeral container debug with seccomp profile Unconfined",
      "sets unsafe sysctls kernel.msgmax",
      "runs container bare without allowPrivilegeEscalation: false",
      "runs ephemeral container debug without allowPrivilegeEscalation: false",
      "runs as user 0",
      "runs container bare without runAsNonRoot: true",
    ]);
  });

  it("judges every source a volume sets, a null one beside it ignored, and crashes on no null entry", () => {
    assert.deepStrictEqual(
      restrictedViolations({ containers: [safe("c"), null], volumes: [{ name: "root", configMap: null, hostPath: { path: "/" } }, null] }),
      ["mounts hostPath volume root"],
    );
  });

  it("takes the pod's seccomp profile and runAsNonRoot for its containers, but a container's own settings win", () => {
    const pod = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
    };
    assert.deepStrictEqual(restrictedViolations(pod), []);
    const overridden = {
      ...pod,
      containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: false, runAsUser: 0 } }],
    };
    assert.deepStrictEqual(restrictedViolations(overridden), ["runs container c as user 0"]);
  });

  it("refuses Unconfined AppArmor and forbidden SELinux options, in fields and in the legacy annotation", () => {
    const pod = {
      securityContext: { appArmorProfile: { type: "Unconfined" }, seLinuxOptions: { type: "spc_t" } },
      containers: [safe("c", { seLinuxOptions: { user: "root" } })],
    };
    assert.deepStrictEqual(restrictedViolations(pod, { "container.apparmor.security.beta.kubernetes.io/c": "unconfined" }), [
      "sets an Unconfined AppArmor profile",
      "annotates container.apparmor.security.beta.kubernetes.io/c unconfined",
      "sets SELinux options the profile forbids",
      "runs container c with SELinux options the profile forbids",
    ]);
  });

  it("fails a privileged host pod naming no namespace as in default, and one in a tenant namespace, at the resource", () => {
    const escape = { hostNetwork: true, containers: [safe("x", { privileged: true })], volumes: [{ name: "root", hostPath: { path: "/" } }] };
    assert.deepStrictEqual(check(podsRestrictedOutsidePlatform, [workload("escape", undefined, escape, "kubernetes:core/v1:Pod")]), [
      "escape: Pod escape in namespace default sets hostNetwork; runs container x privileged; mounts hostPath volume root.",
    ]);
    assert.deepStrictEqual(check(podsRestrictedOutsidePlatform, [workload("escape", "uni-a", escape, "kubernetes:batch/v1:CronJob")]), [
      "uni-a/escape: CronJob escape in namespace uni-a sets hostNetwork; runs container x privileged; mounts hostPath volume root.",
    ]);
    assert.deepStrictEqual(
      check(podsRestrictedOutsidePlatform, [plannedResource("kubernetes:core/v1:Pod", "bare", { spec: { hostPID: true, containers: [safe("c")] } })]),
      ["bare: Pod bare in namespace default sets hostPID."],
    );
  });

  it("allows host access in platform namespaces and kube-*, and ignores kinds that run no pods", () => {
    const escape = { hostNetwork: true, containers: [{ name: "x", securityContext: { privileged: true } }] };
    for (const ns of ["nvidia-gpu", "slinky", "slurm", "monitoring", "kube-system", "kube-node-lease"])
      assert.deepStrictEqual(check(podsRestrictedOutsidePlatform, [workload("agent", ns, escape, "kubernetes:apps/v1:DaemonSet")]), [], ns);
    assert.deepStrictEqual(check(podsRestrictedOutsidePlatform, [workload("svc", "uni-a", escape, "kubernetes:core/v1:Service")]), []);
  });
});
