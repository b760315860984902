/**
 * Generates `charts/imports/k8s-schema.json`: a strict JSON Schema for every built-in Kubernetes
 * kind, derived with the TypeScript compiler from the input types of the pinned
 * `@pulumi/kubernetes` SDK, which Pulumi generates from the Kubernetes OpenAPI specification.
 * No internet is needed, and the schema moves with the provider we deploy through: upgrading
 * the pin and re-running `npm run import:k8s` is how the schema follows the cluster.
 *
 * Strict means: every object type lists its fields and rejects others (as the API server does
 * with `fieldValidation=Strict`), required fields are the ones the types do not mark optional,
 * and scalar types are exact. Patch types are skipped: we render whole objects.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

type Schema = Record<string, unknown>;

const ROOT = path.resolve(__dirname, "..", "..");
const SDK = path.join(ROOT, "node_modules", "@pulumi", "kubernetes");
export const SCHEMA_FILE = path.join(ROOT, "charts", "imports", "k8s-schema.json");

/** Drops what `pulumi.Input<T>` adds around T: promises, outputs and `undefined`. */
function unwrapped(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  const members = type.isUnion() ? type.types : [type];
  return members.filter((t) => {
    if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) return false;
    const name = t.getSymbol()?.getName() ?? t.aliasSymbol?.getName();
    return name !== "Promise" && name !== "OutputInstance" && name !== "Output" && name !== "OutputConstructor" && !checker.isTupleType(t);
  });
}

class Generator {
  readonly defs: Record<string, Schema> = {};
  private readonly checker: ts.TypeChecker;

  constructor(program: ts.Program) {
    this.checker = program.getTypeChecker();
  }

  /** The schema of a (possibly Input-wrapped) type. */
  schemaOf(type: ts.Type, name: string): Schema {
    const members = unwrapped(this.checker, type).flatMap((t) => (t.isUnion() ? unwrapped(this.checker, t) : [t]));
    if (members.length === 0) return {};
    const kinds = new Set<string>();
    const literals: string[] = [];
    let object: ts.Type | undefined;
    for (const t of members) {
      if (t.flags & ts.TypeFlags.Any || t.flags & ts.TypeFlags.Unknown) return {};
      if (t.flags & ts.TypeFlags.StringLiteral) literals.push((t as ts.StringLiteralType).value);
      else if (t.flags & ts.TypeFlags.String) kinds.add("string");
      else if (t.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) kinds.add("number");
      else if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) kinds.add("boolean");
      else if (this.checker.isArrayType(t)) {
        const element = this.checker.getTypeArguments(t as ts.TypeReference)[0];
        const items = this.schemaOf(element, name);
        // A field typed as one value or a list of it is kept as a list, as Kubernetes has it.
        return { type: "array", items };
      } else object = t;
    }
    if (object) return this.objectSchema(object, name);
    if (literals.length && !kinds.has("string")) return kinds.size ? { type: [...kinds].sort() } : { type: "string", enum: [...new Set(literals)].sort() };
    if (literals.length) kinds.add("string");
    const list = [...kinds].sort();
    return list.length === 1 ? { type: list[0] } : { type: list };
  }

  private objectSchema(type: ts.Type, name: string): Schema {
    const symbol = type.getSymbol();
    const declaration = symbol?.declarations?.[0];
    const named = declaration && ts.isInterfaceDeclaration(declaration) ? qualifiedName(declaration) : undefined;
    if (named) {
      if (!(named in this.defs)) {
        this.defs[named] = {};
        this.defs[named] = this.properties(type, named);
      }
      return { $ref: `#/$defs/${named}` };
    }
    const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (index && this.checker.getPropertiesOfType(type).length === 0) {
      return { type: "object", additionalProperties: this.schemaOf(index.type, name) };
    }
    return this.properties(type, name);
  }

  private properties(type: ts.Type, name: string): Schema {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const prop of this.checker.getPropertiesOfType(type)) {
      const declaration = prop.valueDeclaration ?? prop.declarations?.[0];
      if (!declaration) continue;
      const propType = this.checker.getTypeOfSymbolAtLocation(prop, declaration);
      properties[prop.getName()] = this.schemaOf(propType, `${name}.${prop.getName()}`);
      if (!(prop.flags & ts.SymbolFlags.Optional)) required.push(prop.getName());
    }
    return { type: "object", properties, ...(required.length ? { required: required.sort() } : {}), additionalProperties: false };
  }
}

/** `core.v1.Container` from the namespaces around an interface declaration. */
function qualifiedName(declaration: ts.InterfaceDeclaration): string {
  const parts = [declaration.name.text];
  let node: ts.Node | undefined = declaration.parent;
  while (node) {
    if (ts.isModuleDeclaration(node)) parts.unshift(node.name.getText());
    node = node.parent;
  }
  return parts.join(".");
}

/** Every top-level kind: an interface whose apiVersion and kind are string literals. */
function kinds(program: ts.Program, file: string): ts.InterfaceDeclaration[] {
  const out: ts.InterfaceDeclaration[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node) && !node.name.text.endsWith("Patch")) {
      const members = new Map(node.members.filter(ts.isPropertySignature).map((m) => [m.name.getText(), m]));
      const literal = (m?: ts.PropertySignature) => m?.type !== undefined && /"[^"]+"/.test(m.type.getText());
      if (literal(members.get("apiVersion")) && literal(members.get("kind"))) out.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(program.getSourceFile(file)!);
  return out;
}

/** Builds the schema document. */
export function generateK8sSchema(): Schema {
  const file = path.join(SDK, "types", "input.d.ts");
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const generator = new Generator(program);
  const checker = program.getTypeChecker();
  const byKind: Record<string, string> = {};
  for (const declaration of kinds(program, file)) {
    const type = checker.getTypeAtLocation(declaration.name);
    const ref = generator.schemaOf(type, declaration.name.text).$ref as string;
    const props = new Map(declaration.members.filter(ts.isPropertySignature).map((m) => [m.name.getText(), m.type!.getText()]));
    const apiVersion = /"([^"]+)"/.exec(props.get("apiVersion")!)![1];
    const kind = /"([^"]+)"/.exec(props.get("kind")!)![1];
    byKind[`${apiVersion}/${kind}`] = ref;
  }
  const version = (JSON.parse(fs.readFileSync(path.join(SDK, "package.json"), "utf8")) as { version: string }).version;
  const sorted = (o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  return {
    $comment: `Generated by tools/generate-k8s-schema.ts from @pulumi/kubernetes ${version} types/input.d.ts; do not edit.`,
    source: `@pulumi/kubernetes@${version}`,
    kinds: sorted(byKind),
    $defs: sorted(generator.defs),
  };
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, `${JSON.stringify(generateK8sSchema())}\n`);
  process.stdout.write(`wrote ${path.relative(ROOT, SCHEMA_FILE)}\n`);
}
