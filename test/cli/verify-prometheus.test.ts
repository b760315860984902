import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { missingCommands } from "../../cli/verify-slurm/engine";
import { realSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

const RULES = path.join("manifests", "namespaces", "monitoring.yaml");

describe("aisc verify --only prometheus", function () {
  let file: string;
  let out: string;
  let original: string;
  before(function () {
    if (missingCommands(["promtool"]).length) {
      // promtool (Debian package prometheus) is installed by .ci/run.
      console.log("    (promtool not installed; pending here)");
      this.skip();
    }
    file = writeStackFile("cyberport", realSite("cyberport"));
    out = tempDir();
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    original = fs.readFileSync(path.join(out, "cyberport", RULES), "utf8");
  });
  afterEach(() => original && fs.writeFileSync(path.join(out, "cyberport", RULES), original));

  /** The monitoring namespace's manifest with `change` made to its PrometheusRule only (its dashboards hold the same expressions). */
  function editRules(change: (text: string) => string): string {
    const docs = original.split(/^---\n/m);
    const i = docs.findIndex((d) => /^kind: PrometheusRule$/m.test(d));
    assert.ok(i >= 0, "the alert rules are in the monitoring namespace's manifest");
    docs[i] = change(docs[i]);
    return docs.join("---\n");
  }

  it("passes promtool's check and every alert unit test on both stacks", () => {
    const run = aisc("verify", "--only", "prometheus", "--out", tempDir());
    assert.strictEqual(run.status, 0, run.stdout + run.stderr);
    for (const stack of ["cyberport", "sandy-ridge"]) {
      assert.match(run.stdout, new RegExp(`^${stack} prometheus: alert rules with the real promtool: passed$`, "m"));
    }
    assert.match(run.stdout, /promtool test rules: 13 alert scenarios pass/);
  });

  it("fails, before promtool, when a rule names a metric or label the pinned exporters do not emit", () => {
    fs.writeFileSync(
      path.join(out, "cyberport", RULES),
      editRules((t) =>
        t.replace("expr: slurm_nodes_down > 0", "expr: slurm_node_gpus_alloc > 0").replace('DCGM_FI_DEV_GPU_UTIL{pod!=""', 'DCGM_FI_DEV_GPU_UTIL{pod_name!=""'),
      ),
    );
    const run = aisc("verify", "--config", file, "--only", "prometheus", "--out", out);
    assert.strictEqual(run.status, 1, run.stdout);
    assert.match(run.stdout, /^cyberport prometheus: alert rules with the real promtool: failed\n {2}metric catalog \(charts\/imports\/metrics\): failed$/m);
    assert.match(run.stdout, /^ {4}manifests\/namespaces\/monitoring\.yaml: SlurmNodesDown: metric slurm_node_gpus_alloc: no pinned exporter emits it$/m);
    assert.match(
      run.stdout,
      /^ {4}manifests\/namespaces\/monitoring\.yaml: GpuAllocatedIdle: label pod_name on DCGM_FI_DEV_GPU_UTIL: the exporter does not emit it$/m,
    );
    assert.doesNotMatch(run.stdout, /promtool test rules/);
  });

  it("fails with promtool's message on a broken rule expression", () => {
    fs.writeFileSync(
      path.join(out, "cyberport", RULES),
      editRules((t) => t.replace("DCGM_FI_DEV_GPU_TEMP,", "DCGM_FI_DEV_GPU_TEMP[,")),
    );
    const run = aisc("verify", "--config", file, "--only", "prometheus", "--out", out);
    assert.strictEqual(run.status, 1);
    assert.match(run.stdout, /GpuTemperatureHigh": could not parse expression/);
  });

  it("fails when a rule no longer behaves as its unit test expects", () => {
    fs.writeFileSync(
      path.join(out, "cyberport", RULES),
      editRules((t) => t.replace("> 85", "> 95")),
    );
    const run = aisc("verify", "--config", file, "--only", "prometheus", "--out", out);
    assert.strictEqual(run.status, 1);
    assert.match(run.stdout, /promtool test rules: failed/);
    assert.match(run.stdout, /alertname: GpuTemperatureHigh/);
  });
});
