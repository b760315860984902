// @ts-check
/**
 * `npm run mutation`: mutation testing of the policy pack and the inventory parser.
 *
 * Stryker instruments the TypeScript sources in a sandbox, `buildCommand` compiles them to
 * dist/ as `npm test` does, and mocha runs only the in-process unit tests that call the
 * policies and the parser directly (stryker.mocharc.json): test/inventory and
 * test/policies. Tests that spawn `aisc plan` (policies.test.ts plans its baseline that way)
 * or the Slurm and Prometheus engines cannot see a mutant (it is switched on in this process
 * only) and take minutes, so they stay out; so does test/stacks/config.test.ts, whose parser
 * checks the parser tests repeat, since loading @pulumi/pulumi costs half a second each time
 * Stryker restarts mocha for a mutant in module-level code.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: "npm",
  testRunner: "mocha",
  buildCommand: "npx tsc -p tsconfig.json",
  mutate: [
    "policies/**/*.ts",
    // Constructing the PolicyPack starts the policy server; pack.ts holds the list it uses.
    "!policies/index.ts",
    "inventory/parse.ts",
    "inventory/parse-*.ts",
    "inventory/reader.ts",
  ],
  // A clean build in the sandbox, never a stale dist/ from the work tree.
  // out/ holds plans (and aisc's links into OUT/.aisc-plans/), never sources.
  ignorePatterns: ["dist", "reports", "out"],
  // Mutants are often ill-typed (a string where a number was); tsc must still emit them.
  disableTypeChecks: "{policies,inventory}/**/*.ts",
  mochaOptions: { config: "stryker.mocharc.json" },
  coverageAnalysis: "perTest",
  // Two test runners on CI's two cores: mutation runs alone there, and with one runner it took
  // 57 minutes of CI's 90 (5,039 mutants, after the policies gained their evidence).
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: ".stryker-tmp",
};
