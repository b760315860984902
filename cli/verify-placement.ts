import * as fs from "fs";
import * as path from "path";
import { gpuNodeLabels } from "../components/cluster/node-groups";
import { EVERY_GPU_POOL, GPU_TAINT, NODE_LABELS, SYSTEM_NODE_LABEL, SYSTEM_POOL } from "../inventory/platform";
import { nodeResources } from "../inventory/gpu-resources";
import { Site } from "../inventory/types";
import { readManifests } from "./verify-k8s";

/**
 * `aisc verify --only placement`: every pod template aisc renders must fit some node the plan
 * brings up (plan.json's node groups and hybrid-node activations), with the labels and taints
 * aisc gives it: its nodeSelector and required node
 * affinity match, it tolerates the node's taints, and the node has the CPU, memory and GPUs its
 * containers request. GPU agents (DaemonSets that tolerate the GPU taint) must fit every GPU
 * pool; everything else that is not GPU work must fit the system nodes.
 */

/** A kind of node the site has: a GPU pool, or the system nodes. */
export interface NodeClass {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { key: string; value?: string; effect: string }[];
  /** What a node offers pods, by resource; a resource not listed is not checked (unknown). */
  readonly allocatable: Readonly<Record<string, number>>;
  readonly gpu: boolean;
}

/** vCPUs and GiB of the general-purpose types a system node group is likely to use; others are not checked for CPU and memory. */
const SYSTEM_INSTANCE_TYPES: Readonly<Record<string, { cpu: number; memoryGi: number }>> = Object.fromEntries(
  ["m5", "m6i", "m7i", "m6g", "m7g"].flatMap((family) =>
    [
      ["large", 2],
      ["xlarge", 4],
      ["2xlarge", 8],
      ["4xlarge", 16],
      ["8xlarge", 32],
    ].map(([size, cpu]) => [`${family}.${size}`, { cpu: cpu as number, memoryGi: (cpu as number) * 4 }]),
  ),
);

const HYBRID = { "eks.amazonaws.com/compute-type": "hybrid" } as const;
/** What the kubelet keeps for itself and the OS, roughly, so that a pod sized to the whole node does not pass. */
const RESERVED = { cpu: 0.5, memoryGi: 2 };

/** What each node class looks like by the inventory (labels as the NodeConfig gives hybrid nodes). */
export function declaredNodes(site: Site): NodeClass[] {
  const pools = site.pools.map((pool) => ({
    name: pool.name,
    labels: { "kubernetes.io/os": "linux", ...gpuNodeLabels(pool), ...(pool.placement === "on-prem" ? HYBRID : {}) },
    taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }],
    allocatable: {
      cpu: pool.gpu.cpusPerGpu * pool.gpusPerNode - RESERVED.cpu,
      memory: (pool.gpu.memoryGBPerGpu * pool.gpusPerNode - RESERVED.memoryGi) * 2 ** 30,
      ...nodeResources(pool),
    },
    gpu: true,
  }));
  const { system } = site;
  const size = system.instanceType ? SYSTEM_INSTANCE_TYPES[system.instanceType] : undefined;
  const systemNodes: NodeClass = {
    name: SYSTEM_POOL,
    labels: { "kubernetes.io/os": "linux", [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value, ...(system.placement === "on-prem" ? HYBRID : {}) },
    taints: [],
    allocatable: size ? { cpu: size.cpu - RESERVED.cpu, memory: (size.memoryGi - RESERVED.memoryGi) * 2 ** 30 } : {},
    gpu: false,
  };
  return [systemNodes, ...pools];
}

/** The plan's resources that bring nodes: EKS node groups and SSM activations for hybrid nodes. */
type PlanResource = { type: string; name: string; inputs?: NodeInputs };
/** What placement reads of a node group's or an activation's inputs (the AWS provider's names). */
interface NodeInputs {
  labels?: Record<string, string>;
  tags?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
}
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ACTIVATION = "aws:ssm/activation:Activation";
const TAINT_EFFECT: Readonly<Record<string, string>> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };

/** The label that tells one node class from the others: the system role, or the pool's name. */
function classKey(node: NodeClass): [string, string] {
  return node.gpu ? [NODE_LABELS.pool, node.name] : [SYSTEM_NODE_LABEL.key, SYSTEM_NODE_LABEL.value];
}

/**
 * The node classes the plan really brings up, not those the inventory merely describes: a cloud
 * class needs an EKS node group with its label, and its labels and taints are read from that
 * node group as planned; an on-premises class needs the SSM activation its servers register
 * with; existing system nodes are the site's own. `absent` names the classes the plan lacks.
 */
export function plannedNodes(site: Site, resources: readonly PlanResource[]): { nodes: NodeClass[]; absent: string[] } {
  const groups = resources.filter((r) => r.type === NODE_GROUP);
  const activated = new Set(resources.filter((r) => r.type === ACTIVATION).map((r) => r.inputs?.tags?.[NODE_LABELS.pool]));
  const nodes: NodeClass[] = [];
  const absent: string[] = [];
  for (const node of declaredNodes(site)) {
    const placement = node.gpu ? site.pools.find((p) => p.name === node.name)!.placement : site.system.placement;
    const [key, value] = classKey(node);
    if (placement === "existing" || (placement === "on-prem" && activated.has(node.name))) {
      nodes.push(node);
      continue;
    }
    const group = placement === "cloud" ? groups.find((g) => g.inputs?.labels?.[key] === value) : undefined;
    if (!group) {
      absent.push(
        `${node.name} (${placement === "cloud" ? `no EKS node group labelled ${key}=${value}` : `no SSM activation tagged ${NODE_LABELS.pool}=${node.name}`})`,
      );
      continue;
    }
    const taints = (group.inputs?.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: TAINT_EFFECT[t.effect] ?? t.effect }));
    nodes.push({ ...node, labels: { "kubernetes.io/os": "linux", ...(group.inputs?.labels ?? {}) }, taints });
  }
  return { nodes, absent };
}

type Expr = { key: string; operator: string; values?: string[] };
interface PodSpec {
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: Expr[] }[] } } };
  containers?: { resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } }[];
  initContainers?: PodSpec["containers"];
}

/**
 * The main container of each Slinky kind (slurm-operator 1.1.2's v1beta1 types): a
 * ContainerWrapper beside the PodTemplate, whose resources the operator puts on the pod.
 */
const SLINKY_CONTAINERS: Readonly<Record<string, string>> = {
  Controller: "slurmctld",
  NodeSet: "slurmd",
  LoginSet: "login",
  RestApi: "slurmrestd",
  Accounting: "slurmdbd",
};

/** What placement reads of a rendered object: its identity and wherever it keeps a pod template. */
export interface WorkloadDoc {
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: PodSpec & {
    template?: { spec?: PodSpec };
    jobTemplate?: { spec?: { template?: { spec?: PodSpec } } };
    /** A Slinky kind's main container, under its own name (slurmctld, slurmd, ...). */
    [container: string]: unknown;
  };
}
type Container = NonNullable<PodSpec["containers"]>[number];

/** Where each kind keeps its pod template: built-in workloads and Slinky's PodTemplates with their main container. */
export function podSpecOf(doc: WorkloadDoc): PodSpec | undefined {
  const kind = doc.kind ?? "";
  if (kind === "Pod") return doc.spec;
  if (kind === "CronJob") return doc.spec?.jobTemplate?.spec?.template?.spec ?? {};
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(kind)) return doc.spec?.template?.spec ?? {};
  const main = SLINKY_CONTAINERS[kind];
  if (main === undefined) return undefined;
  const spec: PodSpec = doc.spec?.template?.spec ?? {};
  const container = doc.spec?.[main] as Container | undefined;
  return { ...spec, containers: [...(spec.containers ?? []), ...(container ? [container] : [])] };
}

/** A Kubernetes quantity as a number (cores for CPU, bytes for memory). */
export function quantity(value: string | number): number {
  if (typeof value === "number") return value;
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value.trim());
  if (!m) return Number.NaN;
  const scale: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

/** What a pod requests: its containers' sum or its largest init container, whichever is more (requests default to limits). */
export function podRequests(spec: PodSpec): Record<string, number> {
  const of = (c: NonNullable<PodSpec["containers"]>[number]) => ({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) });
  const total: Record<string, number> = {};
  for (const c of spec.containers ?? []) for (const [k, v] of Object.entries(of(c))) total[k] = (total[k] ?? 0) + quantity(v);
  for (const c of spec.initContainers ?? []) for (const [k, v] of Object.entries(of(c))) total[k] = Math.max(total[k] ?? 0, quantity(v));
  return total;
}

/** Why a pod does not fit a node class, or undefined when it does. */
export function misfit(spec: PodSpec, node: NodeClass): string | undefined {
  return selectorMisfit(spec, node) ?? capacityMisfit(spec, node);
}

/** Why the pod's nodeSelector or required node affinity rules the node class out, if they do. */
function selectorMisfit(spec: PodSpec, node: NodeClass): string | undefined {
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {}))
    if (node.labels[k] !== v) return `nodeSelector ${k}=${v} (its nodes have ${k in node.labels ? `${k}=${node.labels[k]}` : `no ${k}`})`;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const holds = (e: Expr) => {
    const has = e.key in node.labels;
    if (e.operator === "Exists") return has;
    if (e.operator === "DoesNotExist") return !has;
    if (e.operator === "In") return has && (e.values ?? []).includes(node.labels[e.key]);
    if (e.operator === "NotIn") return !has || !(e.values ?? []).includes(node.labels[e.key]);
    return false;
  };
  if (terms.length && !terms.some((t) => (t.matchExpressions ?? []).every(holds))) return "its required node affinity";
  return undefined;
}

/** Why the node class's taints or allocatable resources keep the pod off, if they do. */
function capacityMisfit(spec: PodSpec, node: NodeClass): string | undefined {
  for (const taint of node.taints) {
    if (taint.effect === "PreferNoSchedule") continue;
    const tolerated = (spec.tolerations ?? []).some(
      (t) => (t.operator === "Exists" && (!t.key || t.key === taint.key)) || (t.key === taint.key && (t.value ?? "") === (taint.value ?? "")),
    );
    if (!tolerated) return `the taint ${taint.key}=${taint.value}:${taint.effect}`;
  }
  for (const [resource, wanted] of Object.entries(podRequests(spec))) {
    const has = node.allocatable[resource];
    if (has === undefined) {
      if (resource.includes("/")) return `${resource} (its nodes offer none)`;
      continue;
    }
    if (wanted > has) return `${resource}: requests ${wanted}, a node offers ${Math.floor(has * 100) / 100}`;
  }
  return undefined;
}

export interface PlacementCheck {
  readonly status: "passed" | "failed";
  readonly report: readonly string[];
}

/** Checks every pod template in `<stackDir>/manifests` against the site's declared nodes. */
export function checkPlacement(stackDir: string, site: Site): PlacementCheck {
  const plan = JSON.parse(fs.readFileSync(path.join(stackDir, "plan.json"), "utf8")) as { resources?: PlanResource[] };
  const { nodes, absent } = plannedNodes(site, plan.resources ?? []);
  const gpuPools = nodes.filter((n) => n.gpu);
  const system = nodes.find((n) => !n.gpu);
  const failures: string[] = [];
  let templates = 0;
  for (const m of readManifests(path.join(stackDir, "manifests"), stackDir)) {
    for (const doc of m.docs as WorkloadDoc[]) {
      const spec = podSpecOf(doc);
      if (!spec) continue;
      templates++;
      const name = `${m.file}: ${doc.kind} ${doc.metadata?.namespace ? `${doc.metadata.namespace}/` : ""}${doc.metadata?.name ?? ""}`;
      const why = (n: NodeClass) => `${n.name}: ${misfit(spec, n)}`;
      const gpuWork = (spec.tolerations ?? []).some((t) => t.key === GPU_TAINT.key || (t.operator === "Exists" && !t.key));
      if (doc.kind === "DaemonSet" && gpuWork && doc.metadata?.annotations?.[EVERY_GPU_POOL.key] === EVERY_GPU_POOL.value) {
        const missed = gpuPools.filter((n) => misfit(spec, n) !== undefined);
        if (missed.length) failures.push(`${name}: a GPU agent that does not land on every GPU pool; ${missed.map(why).join("; ")}`);
      } else if (doc.kind === "DaemonSet" && gpuWork) {
        // An agent for some pools (the MPS daemon, the MIG manager): it must select at least
        // one, and fit every pool its selectors pick.
        const selected = gpuPools.filter((n) => selectorMisfit(spec, n) === undefined);
        if (!selected.length) failures.push(`${name}: a GPU agent that selects no GPU pool; ${gpuPools.map(why).join("; ")}`);
        const unfit = selected.filter((n) => capacityMisfit(spec, n) !== undefined);
        if (unfit.length) failures.push(`${name}: a GPU agent that does not fit the pools it selects; ${unfit.map(why).join("; ")}`);
      } else if (gpuWork) {
        if (!gpuPools.some((n) => misfit(spec, n) === undefined)) failures.push(`${name}: fits no GPU pool; ${gpuPools.map(why).join("; ")}`);
      } else if (!system) {
        failures.push(`${name}: platform work with no system nodes to run on`);
      } else if (misfit(spec, system) !== undefined) {
        failures.push(`${name}: platform work that does not fit the system nodes; ${why(system)}`);
      }
    }
  }
  const unsized = nodes.filter((n) => n.allocatable.cpu === undefined).map((n) => n.name);
  const head = `${templates} pod templates against ${nodes.length} kinds of node (${nodes.map((n) => n.name).join(", ")})`;
  const notes = unsized.length ? [`CPU and memory not checked on ${unsized.join(", ")}: aisc knows no size for them`] : [];
  const missing = absent.map((a) => `the plan brings up no nodes for ${a}`);
  if (failures.length || absent.length) return { status: "failed", report: [head, ...missing, ...failures, ...notes] };
  return { status: "passed", report: [head, ...notes] };
}
