import { ResourceValidationPolicy } from "@pulumi/policy";
import { judged } from "./evidence";
import { isPlatformNamespace } from "./common";
import { mappingsOf, namespaceOf, objectsIn } from "./objects";

/**
 * The restricted Pod Security Standard (Kubernetes' "latest" profile, which tenant namespaces
 * enforce by label), checked on the pod specs the plan declares: the label only acts at
 * admission, in namespaces that carry it, while this rule holds every pod spec outside the
 * platform namespaces to it before anything is applied, including pods that would land in
 * `default` because they name no namespace. Every container counts: init and ephemeral ones too.
 */

type Json = Record<string, unknown>;

/** Pod specs by workload kind (the kind's Pulumi type). */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:core/v1:PodTemplate": ["template", "spec"],
  "kubernetes:core/v1:ReplicationController": ["spec", "template", "spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

function at(value: unknown, path: readonly string[]): Json | undefined {
  let v = value;
  for (const key of path) v = v !== null && typeof v === "object" ? (v as Json)[key] : undefined;
  return v !== null && typeof v === "object" ? (v as Json) : undefined;
}

/** The pod spec of a workload resource, or undefined for other kinds. */
export function podSpec(r: { type: string; props: Json }): Json | undefined {
  const path = POD_SPEC_PATHS[r.type];
  return path ? at(r.props, path) : undefined;
}

/** The annotations of a workload's pods (a pod's own, or its template's), where AppArmor was once set. */
function podAnnotations(r: { type: string; props: Json }): Record<string, string> {
  const path = POD_SPEC_PATHS[r.type];
  return ((path ? at(r.props, [...path.slice(0, -1), "metadata", "annotations"]) : undefined) as Record<string, string> | undefined) ?? {};
}

export interface Container {
  name?: string;
  ports?: { hostPort?: number }[];
  securityContext?: SecurityContext;
  resources?: { requests?: Json; limits?: Json };
}

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name: string }[];
}

/** Every container of a pod spec with its kind: containers, init containers and ephemeral containers. */
export function containersOf(pod: Json): { kind: string; container: Container }[] {
  const list = (key: string, kind: string) => (mappingsOf(pod[key]) as Container[]).map((container) => ({ kind, container }));
  return [...list("initContainers", "init container"), ...list("containers", "container"), ...list("ephemeralContainers", "ephemeral container")];
}

/** Volume sources the restricted profile allows; anything else (hostPath first) is refused. */
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
/** Sysctls the baseline (and so restricted) profile calls safe, as of Kubernetes 1.33. */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const SECCOMP_OK = new Set(["RuntimeDefault", "Localhost"]);

/**
 * What a pod spec does that the restricted profile forbids, one phrase each, in the profile's
 * order: host namespaces, privilege, capabilities, volumes, host ports, AppArmor, SELinux,
 * /proc, seccomp, sysctls, privilege escalation, non-root. Empty when it complies.
 */
export function restrictedViolations(pod: Json, annotations: Record<string, string> = {}): string[] {
  const out: string[] = [];
  const podSc = (pod.securityContext ?? {}) as SecurityContext;
  for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const) if (pod[key] === true) out.push(`sets ${key}`);
  if (podSc.windowsOptions?.hostProcess === true) out.push("runs as a Windows host process");
  const containers = containersOf(pod);
  const each = (test: (c: Container, sc: SecurityContext) => string | undefined) => {
    for (const { kind, container } of containers) {
      const problem = test(container, container.securityContext ?? {});
      if (problem) out.push(`runs ${kind} ${container.name ?? "unnamed"} ${problem}`);
    }
  };
  each((_c, sc) => (sc.privileged === true ? "privileged" : undefined));
  each((_c, sc) => (sc.windowsOptions?.hostProcess === true ? "as a Windows host process" : undefined));
  each((_c, sc) => {
    const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (added.length) return `adding capabilities ${added.join(", ")}`;
    return (sc.capabilities?.drop ?? []).includes("ALL") ? undefined : "without dropping ALL capabilities";
  });
  for (const v of mappingsOf(pod.volumes)) {
    // Every source the volume sets, not the first key: the API server drops a null one, so
    // `configMap: null` beside `hostPath` still mounts the host.
    for (const source of Object.keys(v).filter((k) => k !== "name" && v[k] !== null && v[k] !== undefined && !RESTRICTED_VOLUMES.has(k)))
      out.push(`mounts ${source} volume ${String(v.name)}`);
  }
  each((c) => {
    const ports = (c.ports ?? []).filter((p) => p.hostPort !== undefined && p.hostPort !== 0).map((p) => p.hostPort);
    return ports.length ? `on host port ${ports.join(", ")}` : undefined;
  });
  const unconfined = (type?: string) => type === "Unconfined";
  if (unconfined(podSc.appArmorProfile?.type)) out.push("sets an Unconfined AppArmor profile");
  each((_c, sc) => (unconfined(sc.appArmorProfile?.type) ? "with an Unconfined AppArmor profile" : undefined));
  // Only the AppArmor annotations' values are read: another annotation a preview cannot know yet
  // (a role ARN) must not leave the whole pod undecided.
  for (const key of Object.keys(annotations).filter((k) => k.startsWith("container.apparmor.security.beta.kubernetes.io/"))) {
    if (annotations[key] === "unconfined") out.push(`annotates ${key} unconfined`);
  }
  const seLinux = (o?: SecurityContext["seLinuxOptions"]) =>
    o !== undefined && (!SELINUX_TYPES.has(o.type ?? "") || o.user !== undefined || o.role !== undefined);
  if (seLinux(podSc.seLinuxOptions)) out.push("sets SELinux options the profile forbids");
  each((_c, sc) => (seLinux(sc.seLinuxOptions) ? "with SELinux options the profile forbids" : undefined));
  each((_c, sc) => (sc.procMount !== undefined && sc.procMount !== "Default" ? `with procMount ${sc.procMount}` : undefined));
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp !== undefined && !SECCOMP_OK.has(podSeccomp)) out.push(`sets seccomp profile ${podSeccomp}`);
  each((_c, sc) => {
    const type = sc.seccompProfile?.type;
    if (type !== undefined) return SECCOMP_OK.has(type) ? undefined : `with seccomp profile ${type}`;
    return podSeccomp === undefined ? "without a RuntimeDefault or Localhost seccomp profile" : undefined;
  });
  const unsafe = (podSc.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
  if (unsafe.length) out.push(`sets unsafe sysctls ${unsafe.join(", ")}`);
  each((_c, sc) => (sc.allowPrivilegeEscalation === false ? undefined : "without allowPrivilegeEscalation: false"));
  if (podSc.runAsUser === 0) out.push("runs as user 0");
  each((_c, sc) => {
    if (sc.runAsUser === 0) return "as user 0";
    if (sc.runAsNonRoot === false) return "with runAsNonRoot: false";
    return sc.runAsNonRoot === true || podSc.runAsNonRoot === true ? undefined : "without runAsNonRoot: true";
  });
  return out;
}

export const podsRestrictedOutsidePlatform: ResourceValidationPolicy = {
  name: "tenancy-pods-restricted-outside-platform",
  description:
    "Every pod spec outside the platform namespaces (one naming no namespace lands in default) meets the restricted Pod Security Standard in full, for every container, init and ephemeral ones included: no host namespaces, paths or ports, no privilege, escalation or added capabilities, non-root, seccomp.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    for (const r of objectsIn(args)) {
      const pod = podSpec(r);
      if (!pod) continue;
      const ns = namespaceOf(r);
      if (isPlatformNamespace(ns)) continue;
      judged(args, "pod spec");
      const md = (r.props.metadata ?? {}) as { name?: string };
      const problems = restrictedViolations(pod, podAnnotations(r));
      if (problems.length) report(`${r.type.split(":").pop()} ${md.name ?? r.name} in namespace ${ns} ${problems.join("; ")}.`);
    }
  },
};
