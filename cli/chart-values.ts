import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "./paths";

/**
 * Checks the values aisc gives a Helm chart against that chart's own default values at the
 * pinned version. Helm takes any key, so a misspelled or moved one (a nodeSelector a template
 * never reads) changes nothing and says nothing; here it is an error. The defaults are vendored
 * unedited under charts/imports/values/, each file naming where it came from.
 */

export const VALUES_DIR = path.join(PROJECT_ROOT, "charts", "imports", "values");

/** The vendored defaults of each chart aisc installs, by the chart reference and version it uses. */
export const VENDORED_VALUES: Readonly<Record<string, { readonly file: string; readonly subcharts?: Readonly<Record<string, string>> }>> = {
  "oci://ghcr.io/slinkyproject/charts/slurm-operator@1.1.2": { file: "slurm-operator-1.1.2.yaml" },
  "cert-manager@v1.19.6": { file: "cert-manager-v1.19.6.yaml" },
  "cilium@1.17.5": { file: "cilium-1.17.5.yaml" },
  "node-feature-discovery@0.18.2": { file: "node-feature-discovery-0.18.2.yaml" },
  // The subcharts' versions are those kube-prometheus-stack 75.15.0's Chart.yaml pins.
  "kube-prometheus-stack@75.15.0": {
    file: "kube-prometheus-stack-75.15.0.yaml",
    subcharts: { grafana: "grafana-9.3.0.yaml", "kube-state-metrics": "kube-state-metrics-6.1.0.yaml" },
  },
};

/**
 * Keys a chart's templates read that its values.yaml does not declare, by chart, as the value
 * paths under which any key is taken. Each is read from the chart's templates at the tag.
 */
const UNDECLARED: Readonly<Record<string, readonly string[]>> = {
  // cert-manager v1.19.6: deployment.yaml, webhook-deployment.yaml, cainjector-deployment.yaml and
  // startupapicheck-job.yaml merge `.Values.global.nodeSelector` into each pod's nodeSelector.
  "cert-manager@v1.19.6": ["global.nodeSelector"],
};

/**
 * Values that charts hand to Kubernetes whole (`toYaml`): a Kubernetes type, not the chart's
 * own keys, so their fields are the API server's to check (aisc's pod specs are checked
 * against the Kubernetes schema), not the defaults'. Cilium's default `affinity` holds only a
 * podAntiAffinity, yet a nodeAffinity beside it is as valid.
 */
const PASSED_THROUGH = new Set([
  "affinity",
  "nodeSelector",
  "tolerations",
  "resources",
  "securityContext",
  "podSecurityContext",
  "containerSecurityContext",
  "annotations",
  "labels",
  "podAnnotations",
  "podLabels",
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function readDefaults(file: string): Obj {
  return (YAML.parse(fs.readFileSync(path.join(VALUES_DIR, file), "utf8")) ?? {}) as Obj;
}

/**
 * The value paths of `values` that `defaults` does not declare. A default that is an empty map,
 * null, a list or a scalar takes whatever is given under it (a nodeSelector, a storage spec); a
 * non-empty map declares its keys; a Kubernetes type passed through whole is not looked into.
 */
export function unknownValueKeys(values: unknown, defaults: unknown, at = "", free: readonly string[] = []): string[] {
  if (!isObj(values) || !isObj(defaults) || Object.keys(defaults).length === 0 || free.includes(at)) return [];
  return Object.entries(values).flatMap(([k, v]) => {
    const p = at ? `${at}.${k}` : k;
    if (free.includes(p)) return [];
    if (!(k in defaults)) return [p];
    return PASSED_THROUGH.has(k) ? [] : unknownValueKeys(v, defaults[k], p, free);
  });
}

/** The default values of `chart@version` with its subcharts' defaults merged under their keys; undefined when none are vendored. */
export function chartDefaults(key: string): Obj | undefined {
  const vendored = VENDORED_VALUES[key];
  if (!vendored) return undefined;
  const defaults = readDefaults(vendored.file);
  for (const [name, file] of Object.entries(vendored.subcharts ?? {})) {
    defaults[name] = { ...readDefaults(file), ...(isObj(defaults[name]) ? defaults[name] : {}) };
  }
  return defaults;
}

export interface ChartValuesCheck {
  /** `chart@version` of every chart checked. */
  readonly checked: readonly string[];
  /** Charts given values with no vendored defaults to check them against. */
  readonly skipped: readonly string[];
  readonly unknown: readonly { chart: string; path: string }[];
}

/** Checks every Helm chart in a plan's resources (type, inputs) against its vendored defaults. */
export function checkChartValues(resources: readonly { type: string; inputs: Readonly<Obj> }[]): ChartValuesCheck {
  const checked: string[] = [];
  const skipped: string[] = [];
  const unknown: { chart: string; path: string }[] = [];
  for (const r of resources) {
    if (r.type !== "kubernetes:helm.sh/v4:Chart" && r.type !== "kubernetes:helm.sh/v3:Release") continue;
    const key = `${String(r.inputs.chart)}@${String(r.inputs.version)}`;
    const values = r.inputs.values;
    const defaults = chartDefaults(key);
    if (!defaults) {
      if (isObj(values) && Object.keys(values).length > 0) skipped.push(key);
      continue;
    }
    checked.push(key);
    for (const p of unknownValueKeys(values, defaults, "", UNDECLARED[key] ?? [])) unknown.push({ chart: key, path: p });
  }
  return { checked, skipped, unknown };
}
