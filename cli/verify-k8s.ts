import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "./paths";
import { checkChartValues, ChartValuesCheck } from "./chart-values";
import { quotaKeyProblem, resourceNames } from "./quota-keys";
import { InputError } from "./stack-config";

/**
 * Strict schema checks of rendered Kubernetes objects, as they are on disk: every built-in
 * kind against the generated schema (charts/imports/k8s-schema.json), every custom resource
 * against its CRD's OpenAPI schema. Unknown or misspelled fields, wrong types and missing
 * required fields are errors, as they are to an API server asked for strict field validation.
 * A custom resource whose CRD is not available offline (an operator's CRDs come from its chart
 * registry) is reported as skipped, by kind, never as checked.
 */

export const K8S_SCHEMA = path.join(PROJECT_ROOT, "charts", "imports", "k8s-schema.json");
/** CRDs of the operators we deploy, vendored from their pinned releases. */
export const CRD_DIR = path.join(PROJECT_ROOT, "charts", "imports", "crds");

export interface SchemaFailure {
  /** The manifest file, relative to the stack's output directory. */
  readonly file: string;
  /** `Kind namespace/name` of the object. */
  readonly object: string;
  /** The field path, `spec.template.spec.containers[0].image`. */
  readonly field: string;
  readonly message: string;
}

export interface K8sCheck {
  readonly objects: number;
  readonly files: number;
  readonly failures: readonly SchemaFailure[];
  /** Custom resources not checked, by `apiVersion/kind`: no CRD schema was available. */
  readonly skipped: Readonly<Record<string, number>>;
  /** The Helm charts in plan.json whose values were checked against their pinned defaults, and those that could not be. */
  readonly charts: { readonly checked: readonly string[]; readonly skipped: readonly string[] };
}

/**
 * Whether an API group is Kubernetes' own (core, `apps`, `batch`, `*.k8s.io`...), whose schema
 * is complete here: an unknown kind in one of these is a mistake, not a missing CRD.
 */
export function isBuiltInGroup(apiVersion: string): boolean {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

type Doc = Record<string, unknown>;

/** `spec.containers[0]` from ajv's `/spec/containers/0`. */
function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
}

function describe(e: ErrorObject, doc: Doc): { field: string; message: string } {
  const valueAt = () =>
    e.instancePath
      .split("/")
      .slice(1)
      .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], doc);
  switch (e.keyword) {
    case "additionalProperties":
      return { field: fieldPath(e.instancePath, String(e.params.additionalProperty)), message: "unknown field" };
    case "required":
      return { field: fieldPath(e.instancePath, String(e.params.missingProperty)), message: "required field is missing" };
    case "type": {
      const v = valueAt();
      return {
        field: fieldPath(e.instancePath),
        message: `expected ${[e.params.type].flat().join(" or ")}, got ${Array.isArray(v) ? "array" : v === null ? "null" : typeof v}`,
      };
    }
    case "enum":
      return {
        field: fieldPath(e.instancePath),
        message: `expected one of ${(e.params.allowedValues as unknown[]).join(", ")}, got ${JSON.stringify(valueAt())}`,
      };
    default:
      return { field: fieldPath(e.instancePath), message: e.message ?? e.keyword };
  }
}

/**
 * Makes a CRD's structural schema strict: an object that lists its properties accepts no
 * others unless it says `x-kubernetes-preserve-unknown-fields`, which is what pruning does to
 * unknown fields on the server (silently); here it is an error instead. OpenAPI's `nullable`
 * becomes a null type.
 */
export function strictCrdSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictCrdSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, sub]) => [p, strictCrdSchema(sub)])) : strictCrdSchema(v);
  }
  if (s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
  // OpenAPI's `nullable` is JSON Schema's null type; JSON Schema validators refuse the keyword
  // without a type (controller-gen writes it so on fields that keep unknown content).
  if (s.nullable !== undefined) {
    delete out.nullable;
    if (s.nullable === true && typeof s.type === "string") out.type = [s.type, "null"];
  }
  return out;
}

/**
 * A CRD's `pattern` as a JavaScript RegExp. CRD patterns are Go (RE2) expressions, checked by
 * the API server's Go code: a leading `(?i)`, after `^` or not (prometheus-operator's CRDs use it), becomes the
 * `i` flag and `(?P<name>` a named group. A pattern JavaScript still cannot read is treated
 * as matching everything, as a check of the pattern would otherwise stop every check.
 */
export function goRegExp(pattern: string, flags: string): RegExp {
  let source = pattern.replace(/\(\?P</g, "(?<");
  let extra = "";
  const caseless = /^(\^?)\(\?i\)/.exec(source);
  if (caseless) {
    source = caseless[1] + source.slice(caseless[0].length);
    extra = "i";
  }
  for (const f of [`${flags}${extra}`, `${flags}${extra}`.replace("u", "")]) {
    try {
      return new RegExp(source, f);
    } catch {
      // Try without the unicode flag, which refuses some escapes RE2 accepts.
    }
  }
  return /(?:)/;
}

/** {@link goRegExp} as ajv's RegExp engine (`code` names it in standalone code, which aisc does not generate). */
const GO_REGEXP = Object.assign((pattern: string, flags: string) => goRegExp(pattern, flags), { code: "goRegExp" });

/** Validators by `apiVersion/kind`, from the generated schema and the CRDs given. */
export class K8sValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: GO_REGEXP } });
  private readonly builtIn: Record<string, string>;
  private readonly crds = new Map<string, unknown>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(schemaFile: string = K8S_SCHEMA, crds: readonly Doc[] = []) {
    const doc = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as { kinds: Record<string, string> };
    this.builtIn = doc.kinds;
    this.ajv.addSchema(doc, "k8s");
    for (const crd of crds) this.addCrd(crd);
  }

  /** Registers a CustomResourceDefinition's served versions. */
  addCrd(crd: Doc): void {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> } }[];
    };
    for (const v of spec.versions ?? []) {
      if (v.served === false || !v.schema?.openAPIV3Schema) continue;
      const schema = strictCrdSchema(v.schema.openAPIV3Schema) as Record<string, unknown>;
      const properties = {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { $ref: "k8s#/$defs/meta.v1.ObjectMeta" },
        ...(schema.properties as object),
      };
      this.crds.set(`${spec.group}/${v.name}/${spec.names.kind}`, { ...schema, properties, additionalProperties: false });
    }
  }

  /** The resource names of the built-in kinds (`deployments.apps`, `pods`). */
  builtInResources(): Set<string> {
    return resourceNames(Object.keys(this.builtIn));
  }

  /** Whether there is a schema to check objects of this `apiVersion/kind` against. */
  knows(apiVersion: string, kind: string): boolean {
    const key = `${apiVersion}/${kind}`;
    return key in this.builtIn || this.crds.has(key);
  }

  /** The problems with one object; an empty list when it is valid. */
  validate(doc: Doc): { field: string; message: string }[] {
    const key = `${String(doc.apiVersion)}/${String(doc.kind)}`;
    let validator = this.compiled.get(key);
    if (!validator) {
      const ref = this.builtIn[key];
      const crd = this.crds.get(key);
      if (ref) validator = this.ajv.getSchema(`k8s${ref}`);
      else if (crd) validator = this.ajv.compile(crd);
      if (!validator)
        return [
          {
            field: "apiVersion",
            message: `no schema for ${key}: not a built-in kind and no CRD for it in ${path.relative(PROJECT_ROOT, CRD_DIR)} or the manifests`,
          },
        ];
      this.compiled.set(key, validator);
    }
    if (validator(doc)) return [];
    const seen = new Set<string>();
    return (validator.errors ?? [])
      .map((e) => describe(e, doc))
      .filter((p) => {
        const k = `${p.field}: ${p.message}`;
        return seen.has(k) ? false : (seen.add(k), true);
      });
  }
}

function listYaml(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listYaml(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []))
    .sort();
}

/**
 * Parses every document of every YAML file under `dir` (as YAML `version`: 1.1 is how
 * Kubernetes' decoders read `yes` and `on`, which the policy check needs). A file that cannot be read as
 * manifests (a YAML error, an alias bomb, a document that is not an object) is the user's
 * edit gone wrong: exit 2 naming the file and line, since nothing in it can be checked.
 */
export function readManifests(dir: string, relativeTo: string, version: "1.1" | "1.2" = "1.2"): { file: string; docs: Doc[] }[] {
  return listYaml(dir).map((full) => {
    const file = path.relative(relativeTo, full);
    const lineCounter = new YAML.LineCounter();
    const parsed = YAML.parseAllDocuments(fs.readFileSync(full, "utf8"), { prettyErrors: false, logLevel: "silent", lineCounter, version });
    const fail = (message: string, pos?: readonly number[]) => {
      const at = pos ? lineCounter.linePos(pos[0]) : undefined;
      return new InputError(
        `${full}: not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${message.split("\n")[0].replace(/[:\s]+$/, "")}; fix the edit or re-run aisc plan`,
      );
    };
    const docs: Doc[] = [];
    for (const d of parsed) {
      const error = d.errors[0];
      if (error) throw fail(error.message, error.pos);
      let value: unknown;
      try {
        // The YAML library's default alias limit (100) stops an alias bomb from expanding.
        value = d.toJS({ maxAliasCount: 100 });
      } catch (err) {
        throw fail((err as Error).message, d.range);
      }
      if (value === null || value === undefined) continue;
      if (typeof value !== "object" || Array.isArray(value)) throw fail("a document that is not a Kubernetes object", d.range);
      docs.push(value as Doc);
    }
    return { file, docs };
  });
}

/** Checks every manifest under `<stackDir>/manifests` as it is on disk. */
export function checkK8s(stackDir: string): K8sCheck {
  const manifests = readManifests(path.join(stackDir, "manifests"), stackDir);
  const vendored = readManifests(CRD_DIR, CRD_DIR).flatMap((m) => m.docs);
  const rendered = manifests.flatMap((m) => m.docs).filter((d) => d.kind === "CustomResourceDefinition");
  const validator = new K8sValidator(K8S_SCHEMA, [...vendored, ...rendered]);
  // What a quota's count/<resource> may name: every built-in kind's resource and every CRD's.
  const crdResources = [...vendored, ...rendered]
    .map((d) => d.spec as { group?: string; names?: { plural?: string } })
    .map((s) => `${s?.names?.plural}.${s?.group}`);
  const resources = new Set([...validator.builtInResources(), ...crdResources]);
  const failures: SchemaFailure[] = [];
  const skipped: Record<string, number> = {};
  let objects = 0;
  for (const m of manifests) {
    for (const doc of m.docs) {
      objects++;
      const apiVersion = String(doc.apiVersion);
      if (!isBuiltInGroup(apiVersion) && !validator.knows(apiVersion, String(doc.kind))) {
        const key = `${apiVersion}/${String(doc.kind)}`;
        skipped[key] = (skipped[key] ?? 0) + 1;
        continue;
      }
      const meta = (doc.metadata ?? {}) as { name?: string; namespace?: string };
      const object = `${String(doc.kind)} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? "(unnamed)"}`;
      for (const p of validator.validate(doc)) failures.push({ file: m.file, object, ...p });
      if (doc.kind === "ResourceQuota" && apiVersion === "v1") {
        for (const key of Object.keys(((doc.spec ?? {}) as { hard?: object }).hard ?? {})) {
          const problem = quotaKeyProblem(key, resources);
          if (problem) failures.push({ file: m.file, object, field: `spec.hard.${key}`, message: problem });
        }
      }
    }
  }
  const charts = chartValuesOf(stackDir);
  for (const u of charts.unknown) {
    failures.push({
      file: "plan.json",
      object: `Helm chart ${u.chart}`,
      field: `values.${u.path}`,
      message: "not a value of the chart at this version (its values.yaml has no such key, so Helm would ignore it)",
    });
  }
  return { objects, files: manifests.length, failures, skipped, charts: { checked: charts.checked, skipped: charts.skipped } };
}

/** The chart values check over the stack's plan.json (none when there is no plan). */
function chartValuesOf(stackDir: string): ChartValuesCheck {
  const file = path.join(stackDir, "plan.json");
  if (!fs.existsSync(file)) return { checked: [], skipped: [], unknown: [] };
  let plan: { resources?: { type: string; inputs: Record<string, unknown> }[] };
  try {
    plan = JSON.parse(fs.readFileSync(file, "utf8")) as typeof plan;
  } catch (err) {
    throw new InputError(`${file}: not a plan written by aisc plan (${(err as Error).message.split("\n")[0]}); re-run aisc plan`);
  }
  return checkChartValues(plan.resources ?? []);
}
