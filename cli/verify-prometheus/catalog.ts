import * as fs from "fs";
import * as path from "path";
import { DCGM_COUNTERS } from "../../charts/dcgm-exporter";
import { PROJECT_ROOT } from "../paths";

/**
 * The metrics the pinned exporters emit, and the check that every rule, dashboard query and rule
 * test uses only those: the catalogs under charts/imports/metrics/ are extracted from each
 * exporter's source at the pinned tag (dcgm-exporter 4.2.3-4.1.3, kube-state-metrics 2.16.0,
 * Slurm 25.11's OpenMetrics). A rule that names a metric no pinned exporter emits passes
 * promtool and its own unit tests, and never fires; this check fails it instead.
 */

const DIR = path.join(PROJECT_ROOT, "charts", "imports", "metrics");
const CATALOG_FILES = ["dcgm-exporter-4.2.3-4.1.3.json", "kube-state-metrics-2.16.0.json", "slurm-25.11-openmetrics.json"];

/**
 * Labels Prometheus itself puts on every scraped series: prometheus-operator's target labels
 * (`job`, `instance`, `namespace`, `pod`, `container`, `service`, `endpoint`) and aisc's `node`
 * (the DCGM monitor's relabeling).
 */
export const TARGET_LABELS = ["job", "instance", "namespace", "pod", "container", "service", "endpoint", "node"];

/** Labels the DCGM exporter adds when mapping pods and MIG instances (not in its per-field label lists). */
const DCGM_EXTRA_LABELS = ["pod", "namespace", "container", "GPU_I_PROFILE", "GPU_I_ID"];

/** kube-state-metrics' node label keys aisc allowlists (`metricLabelsAllowlist`), as it names them. */
const NODE_LABEL_KEYS = ["label_aisc_hk_pool", "label_aisc_hk_gpu_model"];

/** A metric name to the labels its series may carry. */
export type Catalog = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The catalog for aisc's deployment: kube-state-metrics' and Slurm's metrics as their source
 * has them; of DCGM's, only the fields aisc's counters file turns on (an exporter field left out
 * of it is never emitted); and Prometheus's own `up`.
 */
export function loadCatalog(dir = DIR): Catalog {
  const catalog = new Map<string, Set<string>>([["up", new Set()]]);
  const enabled = new Set(DCGM_COUNTERS.map((c) => c.field));
  for (const file of CATALOG_FILES) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { metrics: Record<string, { labels: string[] }> };
    const dcgm = file.startsWith("dcgm-exporter");
    for (const [name, m] of Object.entries(data.metrics)) {
      if (dcgm && !enabled.has(name)) continue;
      const labels = new Set([...m.labels, ...(dcgm ? DCGM_EXTRA_LABELS : []), ...(name === "kube_node_labels" ? NODE_LABEL_KEYS : [])]);
      catalog.set(name, labels);
    }
  }
  return catalog;
}

/** PromQL words that are not metric names: aggregations, functions (followed by `(`), keywords. */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"]);
const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
const LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

/** One selector of an expression: the metric and the labels its matchers name. */
export interface Selector {
  readonly metric: string;
  readonly labels: readonly string[];
}

/**
 * The selectors of a PromQL expression and the labels its `by`, `on`, `group_left`, ... lists
 * name. A small scanner, enough for the expressions aisc writes: strings are skipped, an
 * identifier followed by `(` is a function, one after a label-list keyword is a label.
 */
export function parsePromql(expr: string): { selectors: Selector[]; groupingLabels: string[] } {
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(expr[i])) i++;
  };
  const readString = () => {
    const quote = expr[i++];
    while (i < expr.length && expr[i] !== quote) i += expr[i] === "\\" ? 2 : 1;
    i++;
  };
  /** The label names of a `{...}` matcher list starting at `i`. */
  const readMatchers = (): string[] => {
    const names: string[] = [];
    i++;
    while (i < expr.length && expr[i] !== "}") {
      skipSpace();
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(expr.slice(i));
      if (m) {
        names.push(m[0]);
        i += m[0].length;
      } else if (expr[i] === '"' || expr[i] === "'") readString();
      else i++;
    }
    i++;
    return names;
  };
  while (i < expr.length) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === "`") {
      readString();
      continue;
    }
    if (c === "[") {
      while (i < expr.length && expr[i] !== "]") i++;
      i++;
      continue;
    }
    if (c === "{") {
      // A selector with no metric name, `{__name__=...}`: not written by aisc.
      readMatchers();
      continue;
    }
    const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
    if (!word || (i > 0 && /[0-9.]/.test(expr[i - 1]))) {
      i++;
      continue;
    }
    const name = word[0];
    i += name.length;
    skipSpace();
    if (LABEL_LISTS.has(name) && expr[i] === "(") {
      const end = expr.indexOf(")", i);
      groupingLabels.push(
        ...expr
          .slice(i + 1, end)
          .split(",")
          .map((l) => l.trim())
          .filter(Boolean),
      );
      i = end + 1;
    } else if (KEYWORDS.has(name) || AGGREGATIONS.has(name) || expr[i] === "(") {
      continue;
    } else {
      selectors.push({ metric: name, labels: expr[i] === "{" ? readMatchers() : [] });
    }
  }
  return { selectors, groupingLabels };
}

/**
 * What in `expr` the catalog does not have: metrics no pinned exporter emits, and labels a
 * selector matches on that its metric does not carry. `recorded` are the recording rules' names
 * (defined by the rules themselves); `made` labels an expression makes with `label_replace`.
 */
export function unknownIn(expr: string, catalog: Catalog, recorded: ReadonlySet<string>, made: readonly string[] = ["node"]): string[] {
  const problems: string[] = [];
  const { selectors, groupingLabels } = parsePromql(expr);
  const known = new Set([...TARGET_LABELS, ...made]);
  for (const s of selectors) {
    if (recorded.has(s.metric)) continue;
    const labels = catalog.get(s.metric);
    if (!labels) {
      problems.push(`metric ${s.metric}: no pinned exporter emits it`);
      continue;
    }
    for (const l of labels) known.add(l);
    for (const l of s.labels) if (!labels.has(l) && !TARGET_LABELS.includes(l)) problems.push(`label ${l} on ${s.metric}: the exporter does not emit it`);
  }
  for (const l of groupingLabels) if (!known.has(l)) problems.push(`label ${l} in by/on: none of the expression's metrics carries it`);
  return problems;
}

/** A rule test's input series, `name{label="v", ...}`, against the catalog. */
export function unknownInSeries(series: string, catalog: Catalog): string[] {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?$/.exec(series.trim());
  if (!m) return [`series ${series}: not a series`];
  const labels = catalog.get(m[1]);
  if (!labels) return [`series ${m[1]}: no pinned exporter emits it`];
  const names = [...(m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/g)].map((x) => x[1]);
  return names.filter((l) => !labels.has(l) && !TARGET_LABELS.includes(l)).map((l) => `series ${m[1]}: label ${l} is not one the exporter emits`);
}
