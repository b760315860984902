import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Plan, PlannedResource, stableJson } from "./record";
import { slurmArtifacts } from "./slurm-artifacts";

/**
 * Turns a plan into the files `aisc plan` writes, as a map from relative path to content, so
 * that what is written is a pure function of the plan (and byte-identical for the same plan).
 * Files are swapped into place only once all are rendered: a failed plan leaves the previous
 * artifacts as they were, never half of a new set.
 */

/** Kubernetes resources the plan renders as manifests: typed objects, not providers or charts. */
export function isKubernetesObject(r: PlannedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string" && typeof r.inputs.apiVersion === "string";
}

function manifestPath(r: PlannedResource): string {
  const meta = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
  const scope = meta.namespace ?? "_cluster";
  const kind = String(r.inputs.kind).toLowerCase();
  // The Pulumi name is unique per type in the stack, unlike metadata.name, which may be unset.
  const name = meta.name ?? r.name;
  return path.posix.join("manifests", scope, `${kind}-${name}.yaml`);
}

/** The manifest of a planned Kubernetes object, as Kubernetes would receive it. */
export function manifestOf(r: PlannedResource): Record<string, unknown> {
  const { apiVersion, kind, ...rest } = r.inputs as Record<string, unknown>;
  return { apiVersion, kind, ...rest };
}

export function renderArtifacts(plan: Plan): Map<string, string> {
  const files = new Map<string, string>();
  files.set("plan.json", stableJson(plan));
  for (const r of plan.resources.filter(isKubernetesObject)) {
    const file = manifestPath(r);
    if (files.has(file)) throw new Error(`two Kubernetes objects render to ${file}`);
    files.set(file, YAML.stringify(manifestOf(r), { sortMapEntries: true, lineWidth: 0 }));
  }
  for (const [file, text] of slurmArtifacts(plan)) files.set(file, text);
  return files;
}

/** Writes `files` as `dir`, replacing whatever was there only when every file is written. */
export function writeArtifacts(dir: string, files: Map<string, string>): void {
  const staging = `${dir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    for (const [file, content] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const target = path.join(staging, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
