import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { planOnDisk } from "../../cli/verify-policy";
import { costedCity, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, plannedResource } from "../helpers/plan";

/** `aisc verify --only policy`: the pack over the artifacts as they are on disk. */

const SNEAKY = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: sneaky
  namespace: uni-a
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: oidc:uni-a-admins
`;

describe("aisc verify --only policy", function () {
  let file: string;
  let out: string;
  let stackDir: string;
  before(() => {
    // With the subsidy scheme's rates, so the ledger's advisory about uncosted tenants does not show.
    file = writeStackFile("testsite", smallSite(), { "aisc:city": costedCity() });
    out = tempDir();
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    stackDir = path.join(out, "testsite");
  });

  it("passes the artifacts as planned, judging every manifest object", () => {
    const run = aisc("verify", "--config", file, "--only", "policy", "--out", out);
    assert.strictEqual(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^testsite policy: the policy pack over the artifacts as they are on disk: passed$/m);
    assert.match(
      run.stdout,
      /^ {2}\d+ Kubernetes objects from manifests\/ \(0 not in plan\.json\), every other resource from plan\.json; reports rewritten from this verdict$/m,
    );
  });

  it("fails a cluster-admin RoleBinding appended to a tenant's manifest, exit 1, and the reports say so; plan.json is untouched", () => {
    const manifest = path.join(stackDir, "manifests", "namespaces", "uni-a.yaml");
    const planJson = fs.readFileSync(path.join(stackDir, "plan.json"), "utf8");
    fs.appendFileSync(manifest, SNEAKY);
    const run = aisc("verify", "--config", file, "--only", "policy", "--out", out);
    assert.strictEqual(run.status, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /\[mandatory\] tenancy-rolebinding-own-group: Tenant namespace uni-a binds ClusterRole cluster-admin in RoleBinding sneaky, not the platform's ClusterRole aisc-tenant-admin\./,
    );
    assert.match(fs.readFileSync(path.join(stackDir, "policy-report.md"), "utf8"), /^\*\*FAIL\*\*: 1 mandatory violation\./m);
    const sarif = JSON.parse(fs.readFileSync(path.join(stackDir, "policy-report.sarif"), "utf8")) as { runs: { results: { ruleId: string }[] }[] };
    assert.deepStrictEqual(
      sarif.runs[0].results.map((r) => r.ruleId),
      ["tenancy-rolebinding-own-group"],
    );
    assert.strictEqual(fs.readFileSync(path.join(stackDir, "plan.json"), "utf8"), planJson);
    assert.deepStrictEqual(
      fs.readdirSync(stackDir).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });

  it("opens a List appended to a manifest, and refuses a value turned into [unknown] to escape the rules (exit 2)", () => {
    const manifest = path.join(stackDir, "manifests", "namespaces", "uni-a.yaml");
    const original = fs.readFileSync(manifest, "utf8");
    const pod =
      "apiVersion: v1\n    kind: Pod\n    metadata: { name: listed, namespace: uni-a }\n    spec: { hostPID: yes, containers: [{ name: c, image: 'x:1' }] }";
    fs.writeFileSync(manifest, `${original}---\napiVersion: v1\nkind: List\nitems:\n  - ${pod.replace(/\n {4}/g, "\n    ")}\n`);
    const run = aisc("verify", "--config", file, "--only", "policy", "--out", out);
    assert.strictEqual(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /tenancy-pods-restricted-outside-platform: Pod listed in namespace uni-a sets hostPID;/);
    fs.writeFileSync(manifest, original.replace(/name: tenant-admin\n/, "name: tenant-admin\n  annotations: { note: '[unknown]' }\n"));
    const forged = aisc("verify", "--config", file, "--only", "policy", "--out", out);
    assert.strictEqual(forged.status, 2, forged.stdout + forged.stderr);
    assert.match(forged.stderr, /holds \[unknown\] at metadata\.annotations\.note, where plan\.json has a value/);
    fs.writeFileSync(manifest, original);
  });

  it("takes each object as its manifest reads, a new one unprotected, and drops one deleted from disk", () => {
    const ns = (name: string, labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
    const planned = plannedResource("kubernetes:core/v1:Namespace", "ns-a", { ...ns("a", { x: "planned" }) }, { protect: true });
    const gone = plannedResource("kubernetes:core/v1:ConfigMap", "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "a" } });
    const aws = plannedResource("aws:kms/key:Key", "key", {}, { protect: true });
    const { plan, added } = planOnDisk({ project: "aisc", stack: "s", outputs: {}, resources: [planned, gone, aws] }, [
      { file: "manifests/cluster.yaml", docs: [ns("a", { x: "edited" }), ns("b", {})] },
    ]);
    assert.strictEqual(added, 1);
    assert.deepStrictEqual(
      plan.resources.map((r) => [r.type, r.name, r.options.protect, (r.inputs.metadata as { labels?: object } | undefined)?.labels]),
      [
        ["aws:kms/key:Key", "key", true, undefined],
        ["kubernetes:core/v1:Namespace", "ns-a", true, { x: "edited" }],
        ["kubernetes:core/v1:Namespace", "manifests/cluster.yaml:Namespace//b", false, {}],
      ],
    );
  });
});
