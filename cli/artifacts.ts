import * as fs from "fs";
import * as path from "path";
import * as jsYaml from "js-yaml";
import { Plan, PlannedResource, planJsonChunks } from "./record";
import { slurmArtifacts } from "./slurm-artifacts";
import { InputError } from "./stack-config";

/**
 * Turns a plan into the files `aisc plan` writes, as a map from relative path to content, so
 * that what is written is a pure function of the plan (and byte-identical for the same plan).
 * Files are written into a fresh folder that is swapped into place only once all are written
 * (./out-dir.ts): a failed plan leaves the previous artifacts as they were, never half a set.
 */

/** Kubernetes resources the plan renders as manifests: typed objects, not providers or charts. */
export function isKubernetesObject(r: PlannedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string" && typeof r.inputs.apiVersion === "string";
}

/**
 * Manifests are written one file per namespace (`manifests/namespaces/<namespace>.yaml`) and
 * one for cluster-scoped objects (`manifests/cluster.yaml`), each a multi-document YAML stream
 * ordered by kind and name; `kubectl apply -R -f manifests/` reads cluster.yaml, with the
 * namespaces, before any namespace's file, whatever the namespaces are called. One file per
 * object was tens of thousands of files for a large site, and creating them was most of the
 * time to write a plan.
 */
function manifestScope(r: PlannedResource): string | undefined {
  return ((r.inputs.metadata ?? {}) as { namespace?: string }).namespace;
}

/** The object's sort key within its file; the Pulumi name stands in for an unset metadata.name. */
function manifestKey(r: PlannedResource): string {
  const meta = (r.inputs.metadata ?? {}) as { name?: string };
  return `${String(r.inputs.kind).toLowerCase()}/${meta.name ?? r.name}`;
}

/** The manifest of a planned Kubernetes object, as Kubernetes would receive it. */
export function manifestOf(r: PlannedResource): Record<string, unknown> {
  const { apiVersion, kind, ...rest } = r.inputs as Record<string, unknown>;
  return { apiVersion, kind, ...rest };
}

/** A file's content: its text, or its text in pieces to be written one after another. */
export type Content = string | Iterable<string>;

/**
 * The files of a plan, one at a time, so that a large site's artifacts are written as they are
 * rendered rather than all held in memory at once.
 */
export function* renderArtifacts(plan: Plan): Generator<[string, Content]> {
  yield ["plan.json", planJsonChunks(plan)];
  const scopes = new Map<string | undefined, Map<string, PlannedResource>>();
  for (const r of plan.resources.filter(isKubernetesObject)) {
    const scope = manifestScope(r);
    const objects = scopes.get(scope) ?? scopes.set(scope, new Map()).get(scope)!;
    const key = manifestKey(r);
    if (objects.has(key)) throw new Error(`two Kubernetes objects are ${key} in ${manifestFile(scope)}`);
    objects.set(key, r);
  }
  for (const [scope, objects] of scopes) {
    const docs = [...objects.keys()].sort().map((key) => manifestYaml(manifestOf(objects.get(key)!)));
    yield [manifestFile(scope), docs.join("---\n")];
  }
  yield* slurmArtifacts(plan);
}

/**
 * One object as YAML, keys sorted, long strings unfolded. js-yaml rather than the `yaml`
 * package the rest of aisc reads with: it writes the same documents about four times faster,
 * which is most of rendering a large site's manifests, and it quotes YAML 1.1 words such as
 * `yes` and `on` that Kubernetes' YAML reader would otherwise take for booleans.
 */
export function manifestYaml(object: Record<string, unknown>): string {
  return jsYaml.dump(object, { sortKeys: true, lineWidth: -1, noRefs: true });
}

/** The manifest file of a namespace (cluster-scoped objects: undefined), relative to the stack's output directory. */
export function manifestFile(namespace: string | undefined): string {
  return namespace === undefined ? "manifests/cluster.yaml" : path.posix.join("manifests", "namespaces", `${namespace}.yaml`);
}

/**
 * Writes `files` into `dir`, a fresh folder of the plan's own ({@link stagePlan}): nothing a
 * reader sees changes until the folder is published whole.
 */
export function writeArtifacts(dir: string, files: Iterable<[string, Content]>): void {
  const made = new Set<string>([dir]);
  const written = new Set<string>();
  for (const [file, content] of files) {
    if (written.has(file)) throw new Error(`two artifacts are ${file}`);
    written.add(file);
    const target = path.join(dir, file);
    const parent = path.dirname(target);
    if (!made.has(parent)) fs.mkdirSync(parent, { recursive: true });
    made.add(parent);
    writeContent(target, content);
  }
}

/**
 * The most a rendered Kubernetes object may weigh: the API server refuses a ConfigMap or Secret
 * whose data passes 1 MiB, and etcd any request past 1.5 MiB. Checked on the whole object.
 */
export const MAX_OBJECT_BYTES = 1024 * 1024;

/**
 * Refuses a plan with a Kubernetes object the API server would refuse, naming the object and
 * its size, before anything is written. The inventory's limits keep every object aisc renders
 * under this; the check makes sure a change to a chart cannot quietly break that.
 */
export function checkObjectSizes(plan: Plan): void {
  for (const r of plan.resources) {
    if (!isKubernetesObject(r)) continue;
    const bytes = Buffer.byteLength(JSON.stringify(r.inputs));
    if (bytes > MAX_OBJECT_BYTES) {
      const meta = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
      const name = `${String(r.inputs.kind)} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? r.name}`;
      throw new InputError(
        `${name} would be ${(bytes / 1048576).toFixed(2)} MiB, over Kubernetes' 1 MiB object limit; the inventory is too large for it (see the README's limits)`,
      );
    }
  }
}

function writeContent(file: string, content: Content): void {
  if (typeof content === "string") {
    fs.writeFileSync(file, content);
    return;
  }
  const fd = fs.openSync(file, "w");
  try {
    for (const chunk of content) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}
