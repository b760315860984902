import * as fs from "fs";
import * as path from "path";
import { CLUSTER_STAGE_POLICIES, POLICIES } from "../policies/pack";
import { manifestObjects, pulumiTypeOf } from "../policies/objects";
import { isKubernetesObject } from "./artifacts";
import { loadPlans } from "./diff";
import { evaluatePolicies, hasMandatoryViolation, PolicyConfig, PolicyResult } from "./policy-eval";
import { policyReportJson, policyReportMarkdown, policyReportSarif } from "./policy-report";
import { NO_OPTIONS, Plan, PlannedResource, UNKNOWN } from "./record";
import { SITE_CONFIG_KEY } from "../inventory/parse";
import { withInventoryKeys } from "./inventory-location";
import { PROJECT } from "./paths";
import { InputError, readStackFile, StackConfig } from "./stack-config";
import { formatPolicySummary } from "./summary";
import { readManifests } from "./verify-k8s";

/**
 * `aisc verify --only policy`: the policy pack over the artifacts as they are on disk. What
 * `kubectl apply -R -f manifests/` would apply is the manifests, not plan.json, so each Kubernetes
 * object is judged as its manifest now reads (an edited one as edited, an appended one as a new
 * resource, a deleted one not at all), and everything else (AWS resources, providers, charts) as
 * plan.json records it. The policy reports are rewritten from this verdict, since it is what was
 * checked; nothing else is written.
 */

type Doc = Record<string, unknown>;

const keyOf = (kind: unknown, metadata: unknown) => {
  const m = (metadata ?? {}) as { name?: unknown; namespace?: unknown };
  return `${String(kind)}/${typeof m.namespace === "string" ? m.namespace : ""}/${String(m.name)}`;
};

/**
 * The plan as its artifacts stand: plan.json's resources with every Kubernetes object replaced by
 * its manifest document, matched by kind, namespace and name. A document plan.json does not hold
 * becomes a resource of its own (no options: nothing protects it), named after its file.
 */
export function planOnDisk(plan: Plan, manifests: readonly { file: string; docs: readonly Doc[] }[]): { plan: Plan; added: number } {
  const planned = new Map<string, PlannedResource>();
  for (const r of plan.resources.filter(isKubernetesObject)) planned.set(keyOf(r.inputs.kind, r.inputs.metadata), r);
  const resources = plan.resources.filter((r) => !isKubernetesObject(r));
  let added = 0;
  for (const { file, docs } of manifests) {
    // `List`s opened, as kubectl applies them.
    for (const doc of manifestObjects(docs)) {
      const key = keyOf(doc.kind, doc.metadata);
      const known = planned.get(key);
      const forged = forgedUnknown(doc, known?.inputs);
      if (forged !== undefined) {
        throw new InputError(
          `${file}: ${String(doc.kind)} ${key.split("/").slice(1).filter(Boolean).join("/")} holds ${UNKNOWN} at ${forged || "its top"}, where plan.json has a value: aisc writes ${UNKNOWN} only for what a preview cannot know, and a policy cannot judge it; fix the edit or re-run aisc plan`,
        );
      }
      if (known) {
        resources.push({ ...known, inputs: doc });
        planned.delete(key);
        continue;
      }
      added++;
      const type = pulumiTypeOf(String(doc.apiVersion), String(doc.kind));
      const name = `${file}:${key}`;
      resources.push({
        urn: `urn:pulumi:${plan.stack}::${plan.project}::${type}::${name}`,
        type,
        name,
        custom: true,
        remote: false,
        inputs: doc,
        options: NO_OPTIONS,
      });
    }
  }
  return { plan: { ...plan, resources }, added };
}

/**
 * The path of a {@link UNKNOWN} in a manifest document where plan.json (`planned`, the object's
 * recorded inputs, if any) has none: the policies read the plan's unknowns as the engine's, and
 * an edit must not turn a value into one to escape them. Undefined when there is no such place.
 */
export function forgedUnknown(doc: unknown, planned: unknown, at = ""): string | undefined {
  if (doc === UNKNOWN) return planned === UNKNOWN ? undefined : at;
  if (doc === null || typeof doc !== "object") return undefined;
  const other = planned !== null && typeof planned === "object" ? (planned as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const found = forgedUnknown(v, other[k], Array.isArray(doc) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface PolicyCheck {
  readonly status: "passed" | "failed";
  readonly report: readonly string[];
}

/** Judges one plan folder (`dir`, holding plan.json) with `policies`, rewriting its reports from the verdict. */
async function judge(
  dir: string,
  policies: typeof POLICIES,
  config: PolicyConfig,
  stack: StackConfig | undefined,
): Promise<{ result: PolicyResult; objects: number; added: number }> {
  const [plan] = loadPlans(path.join(dir, "plan.json")).values();
  const manifests = readManifests(path.join(dir, "manifests"), dir, "1.1");
  const { plan: onDisk, added } = planOnDisk(plan, manifests);
  const evaluated = await evaluatePolicies(onDisk, config, policies);
  const result = stack ? withInventoryKeys(evaluated, onDisk, stack.raw[SITE_CONFIG_KEY]) : evaluated;
  const reports: [string, string][] = [
    ["policy-report.json", policyReportJson(onDisk, result)],
    ["policy-report.md", policyReportMarkdown(onDisk, result)],
    ...(stack ? [["policy-report.sarif", policyReportSarif(onDisk, result, stack)] as [string, string]] : []),
  ];
  // Each report replaced whole (a temporary file renamed over it), never left half written.
  for (const [name, text] of reports) {
    const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, path.join(dir, name));
  }
  return { result, objects: manifests.reduce((n, m) => n + m.docs.length, 0), added };
}

/** Checks a stack's output folder, and its cluster stage's beside it when there is one. */
export async function checkPolicies(stackDir: string, config: PolicyConfig, stackFile: string): Promise<PolicyCheck> {
  const main = await judge(stackDir, POLICIES, config, readStackFile(stackFile, PROJECT));
  const report = [
    `  ${main.objects} Kubernetes objects from manifests/ (${main.added} not in plan.json), every other resource from plan.json; reports rewritten from this verdict`,
    formatPolicySummary(main.result),
  ];
  let failed = hasMandatoryViolation(main.result);
  const stage = path.join(stackDir, "stages", "cluster");
  if (fs.existsSync(path.join(stage, "plan.json"))) {
    const cluster = await judge(stage, CLUSTER_STAGE_POLICIES, config, undefined);
    report.push("  cluster stage (stages/cluster):", formatPolicySummary(cluster.result).replace(/^ {2}/gm, "    "));
    failed ||= hasMandatoryViolation(cluster.result);
  }
  return { status: failed ? "failed" : "passed", report };
}
