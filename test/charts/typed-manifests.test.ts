import * as assert from "assert";
import * as path from "path";
import * as ts from "typescript";

/**
 * Kubernetes objects are built through the Kubernetes provider's generated types
 * (charts/common.ts KindBodies): a misspelled field of a DaemonSet is a compile error. Checked by
 * compiling a chart snippet with the project's own compiler options, once spelled right (no
 * error: the check can pass) and once misspelled.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** The compiler's diagnostics for `source`, compiled as if it were charts/<name>.ts. */
function diagnostics(name: string, source: string, old?: ts.Program): { messages: string[]; program: ts.Program } {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), (file) => ts.sys.readFile(file));
  const options = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options, noEmit: true };
  const file = path.join(ROOT, "charts", `${name}.ts`);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, language, ...rest) => (path.resolve(f) === file ? ts.createSourceFile(f, source, language) : getSourceFile(f, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => path.resolve(f) === file || fileExists(f);
  const program = ts.createProgram([file], options, host, old);
  const messages = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  return { messages, program };
}

const snippet = (template: string) => `
import { Chart, Testing } from "cdk8s";
import { object } from "./common";
const chart = new Chart(Testing.app(), "c");
object(chart, "ds", "apps/v1", "DaemonSet", { name: "x" }, { spec: { selector: { matchLabels: { a: "b" } }, ${template}: { spec: { containers: [] } } } });
`;

describe("typed manifests", function () {
  this.timeout(300000);

  it("make a misspelled DaemonSet field a compile error", () => {
    const right = diagnostics("typed-manifest-check", snippet("template"));
    assert.deepStrictEqual(right.messages, []);
    const wrong = diagnostics("typed-manifest-check", snippet("tempalte"), right.program);
    assert.strictEqual(wrong.messages.length, 1, wrong.messages.join("\n"));
    assert.match(wrong.messages[0], /'tempalte' does not exist in type/);
  });
});
