import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkPlacement, declaredNodes, misfit, podRequests, quantity } from "../../cli/verify-placement";
import { parseSite } from "../../inventory/parse";
import { realSite, cloudPolicyConfig, cloudSite, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

/** Every pod template aisc renders fits a node the site declares: labels, taints, CPU, memory, GPUs. */

describe("aisc verify --only placement", function () {
  const site = parseSite(cloudSite());
  const [system, h100] = declaredNodes(site);

  it("declares the system nodes and each GPU pool with the labels, taints and sizes aisc gives them", () => {
    assert.deepStrictEqual(system, {
      name: "system",
      labels: { "kubernetes.io/os": "linux", "aisc.hk/node-role": "system" },
      taints: [],
      allocatable: { cpu: 7.5, memory: 30 * 2 ** 30 },
      gpu: false,
    });
    assert.deepStrictEqual(h100.labels, {
      "kubernetes.io/os": "linux",
      "aisc.hk/pool": "h100-a",
      "aisc.hk/gpu-model": "H100",
      "nvidia.com/device-plugin.config": "h100-a",
      "eks.amazonaws.com/compute-type": "hybrid",
    });
    assert.deepStrictEqual(h100.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }]);
    assert.strictEqual(h100.allocatable["nvidia.com/gpu"], 8);
    assert.deepStrictEqual(
      declaredNodes(site).map((n) => n.name),
      ["system", "h100-a", "l40s-ts", "h100-cloud"],
    );
  });

  it("says why a pod does not fit: a label, the affinity, a taint, a resource", () => {
    assert.strictEqual(
      misfit({ nodeSelector: { "aisc.hk/node-role": "infra" } }, system),
      "nodeSelector aisc.hk/node-role=infra (its nodes have aisc.hk/node-role=system)",
    );
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "aisc.hk/pool", operator: "Exists" }] }] },
      },
    };
    assert.strictEqual(misfit({ affinity }, system), "its required node affinity");
    assert.strictEqual(misfit({ affinity }, h100), "the taint nvidia.com/gpu=present:NoSchedule");
    const tolerant = { affinity, tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] };
    assert.strictEqual(misfit(tolerant, h100), undefined);
    assert.strictEqual(
      misfit({ ...tolerant, containers: [{ resources: { limits: { "nvidia.com/gpu": 9 } } }] }, h100),
      "nvidia.com/gpu: requests 9, a node offers 8",
    );
    assert.strictEqual(
      misfit({ containers: [{ resources: { requests: { memory: "64Gi" } } }] }, system),
      `memory: requests ${64 * 2 ** 30}, a node offers ${30 * 2 ** 30}`,
    );
    assert.strictEqual(misfit({ containers: [{ resources: { requests: { "nvidia.com/gpu": 1 } } }] }, system), "nvidia.com/gpu (its nodes offer none)");
  });

  it("adds up containers, takes the largest init container, and reads quantities", () => {
    assert.deepStrictEqual(
      podRequests({
        containers: [{ resources: { requests: { cpu: "500m" } } }, { resources: { limits: { cpu: "1", memory: "1Gi" } } }],
        initContainers: [{ resources: { requests: { cpu: "2" } } }],
      }),
      { cpu: 2, memory: 2 ** 30 },
    );
    assert.deepStrictEqual(["250m", "4Gi", "1k", 3].map(quantity), [0.25, 4 * 2 ** 30, 1000, 3]);
  });

  for (const stack of ["cyberport", "sandy-ridge"]) {
    it(`places every pod template of ${stack}`, () => {
      const run = aisc("verify", "--stack", stack, "--only", "placement", "--out", tempDir());
      assert.strictEqual(run.status, 0, run.stdout + run.stderr);
      const nodes = 1 + parseSite(realSite(stack)).pools.length;
      assert.match(
        run.stdout,
        new RegExp(`^${stack} placement: pod templates on the site's declared nodes: passed\\n {2}\\d+ pod templates against ${nodes} kinds of node`, "m"),
      );
    });
  }

  it("fails a platform workload that selects no declared node and a NodeSet asking for more GPUs than its pool has, naming each", () => {
    const out = tempDir();
    const file = writeStackFile("placed", smallSite());
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const slurm = path.join(out, "placed", "manifests", "namespaces", "slurm.yaml");
    const text = fs.readFileSync(slurm, "utf8");
    fs.writeFileSync(slurm, text.replace(/aisc\.hk\/node-role: system/g, "aisc.hk/node-role: infra").replace(/nvidia\.com\/gpu: 8/g, "nvidia.com/gpu: 16"));
    const result = checkPlacement(path.join(out, "placed"), parseSite(smallSite()));
    assert.strictEqual(result.status, "failed");
    const lines = result.report.slice(1);
    assert.ok(
      lines.includes(
        "manifests/namespaces/slurm.yaml: StatefulSet slurm/mariadb: platform work that does not fit the system nodes; system: nodeSelector aisc.hk/node-role=infra (its nodes have aisc.hk/node-role=system)",
      ),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((l) =>
        /^manifests\/namespaces\/slurm\.yaml: NodeSet slurm\/h100-a: fits no GPU pool; .*h100-a: nvidia\.com\/gpu: requests 16, a node offers 8/.test(l),
      ),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((l) => l.startsWith("manifests/namespaces/slurm.yaml: Controller slurm/slurm: platform work")),
      lines.join("\n"),
    );
  });

  it("fails every platform workload when the plan brings up no system nodes, and a pool whose nodes the plan lacks", () => {
    const out = tempDir();
    const file = writeStackFile("bare", smallSite());
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const planFile = path.join(out, "bare", "plan.json");
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
    const before = plan.resources.length;
    plan.resources = plan.resources.filter(
      (r: { type: string; inputs: Record<string, any> }) =>
        !(r.type === "aws:eks/nodeGroup:NodeGroup" && r.inputs.labels?.["aisc.hk/node-role"] === "system") &&
        !(r.type === "aws:ssm/activation:Activation" && r.inputs.tags?.["aisc.hk/pool"] === "h100-a"),
    );
    assert.strictEqual(plan.resources.length, before - 2);
    fs.writeFileSync(planFile, JSON.stringify(plan));
    const run = aisc("verify", "--config", file, "--only", "placement", "--out", out);
    assert.strictEqual(run.status, 1, run.stdout + run.stderr);
    const lines = run.stdout.split("\n").map((l) => l.trim());
    assert.ok(lines.includes("the plan brings up no nodes for system (no EKS node group labelled aisc.hk/node-role=system)"), run.stdout);
    assert.ok(lines.includes("the plan brings up no nodes for h100-a (no SSM activation tagged aisc.hk/pool=h100-a)"), run.stdout);
    for (const workload of ["Accounting slurm/slurm", "StatefulSet slurm/mariadb", "Controller slurm/slurm", "Job slurm/slurm-account-uni-a"]) {
      assert.ok(
        lines.some((l) => l.endsWith(`: ${workload}: platform work with no system nodes to run on`)),
        `${workload}\n${run.stdout}`,
      );
    }
    assert.ok(
      lines.some((l) => /: NodeSet slurm\/h100-a: fits no GPU pool; /.test(l)),
      run.stdout,
    );
  });

  it("reads a cloud pool's labels and taints from its planned node group", () => {
    const out = tempDir();
    const file = writeStackFile("relabelled", cloudSite());
    assert.strictEqual(aisc("plan", "--config", file, "--out", out, "--policy-config", cloudPolicyConfig()).status, 0);
    const plan = JSON.parse(fs.readFileSync(path.join(out, "relabelled", "plan.json"), "utf8"));
    const group = plan.resources.find(
      (r: { type: string; inputs: Record<string, any> }) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.inputs.labels?.["aisc.hk/pool"] === "h100-cloud",
    );
    group.inputs.taints = [
      { key: "nvidia.com/gpu", value: "present", effect: "NO_EXECUTE" },
      { key: "dedicated", value: "x", effect: "NO_SCHEDULE" },
    ];
    fs.writeFileSync(path.join(out, "relabelled", "plan.json"), JSON.stringify(plan));
    const result = checkPlacement(path.join(out, "relabelled"), parseSite(cloudSite()));
    assert.strictEqual(result.status, "failed");
    assert.ok(
      result.report.some((l) => /DaemonSet .*: a GPU agent that does not land on every GPU pool; h100-cloud: the taint dedicated=x:NoSchedule/.test(l)),
      result.report.join("\n"),
    );
  });
});
