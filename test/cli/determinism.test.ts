import * as assert from "assert";
import * as path from "path";
import { offlineSecretValues } from "../../cli/mocks";
import { costedCity, readTree, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, planFile } from "../helpers/plan";

/** A deterministic shuffle (a fixed rotation and reversal), so a failure reproduces. */
function shuffled<T>(items: T[]): T[] {
  const rotated = [...items.slice(1), items[0]];
  return rotated.reverse();
}

describe("determinism and secrets", () => {
  it("gives the same resources, names and inputs whatever the order of tenants and pools", () => {
    const site = smallSite();
    site.tenants.push(
      { name: "startup-d", kind: "startup", gpus: 0, migSlices: {}, adminGroup: "startup-d-admins", directoryGroup: "startup-d-users" },
      { name: "corp-e", kind: "enterprise", gpus: 0, sharedGpus: { "nvidia.com/gpu.shared": 2 }, adminGroup: "corp-e-admins", directoryGroup: "corp-e-users" },
    );
    const reordered = JSON.parse(JSON.stringify(site));
    reordered.tenants = shuffled(reordered.tenants);
    reordered.pools = shuffled(reordered.pools);
    const [a, b] = [tempDir(), tempDir()];
    const city = { "aisc:city": costedCity() };
    const first = planFile(writeStackFile("order", site, city), a);
    const second = planFile(writeStackFile("order", reordered, city), b);
    assert.deepStrictEqual(second.resources, first.resources);
    assert.deepStrictEqual(second.outputs, first.outputs);
    // Every artifact, manifests and Slurm files included, is byte-identical.
    assert.deepStrictEqual(readTree(path.join(b, "order")), readTree(path.join(a, "order")));
  });

  it("writes no generated secret value into any artifact", () => {
    const out = tempDir();
    assert.strictEqual(aisc("plan", "--config", writeStackFile("testsite", smallSite()), "--out", out).status, 0);
    const files = readTree(path.join(out, "testsite"));
    const plan = JSON.parse(files.get("plan.json")!);
    const generated = plan.resources.filter((r: { type: string }) => /^random:|ssm\/activation/.test(r.type));
    assert.deepStrictEqual(generated.map((r: { type: string }) => r.type).sort(), [
      "aws:ssm/activation:Activation",
      "aws:ssm/activation:Activation",
      "random:index/randomBytes:RandomBytes",
      "random:index/randomBytes:RandomBytes",
      "random:index/randomPassword:RandomPassword",
      "random:index/randomPassword:RandomPassword",
      "random:index/randomPassword:RandomPassword",
    ]);
    const secrets = generated.flatMap((r: { type: string; name: string }) => offlineSecretValues(r.type, r.name)).filter((v: string) => v.length >= 12);
    assert.ok(secrets.length >= 10, `${secrets.length} known secret values`);
    for (const [file, text] of files) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${file} contains a generated secret`);
    }
    assert.match(files.get("manifests/namespaces/slurm.yaml")!, /^kind: Secret\nmetadata:\n(?: {2}.*\n)* {2}name: slurm-mariadb\n/m);
    assert.match(files.get("manifests/namespaces/slurm.yaml")!, /password: '\[secret\]'/);
  });
});
