import * as assert from "assert";
import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SECTIONS } from "../../inventory/input";
import { parseSite } from "../../inventory/parse";
import { fieldsText } from "../../inventory/reader";
import { INVENTORY_SCHEMA_FILE, inventorySchema, README_FILE, readmeWithTable } from "../../tools/generate-inventory-schema";
import { issuesOf, mutated, smallSite } from "../helpers/fixtures";

/** One description of the inventory's input, and everything derived from it kept in step. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const STACKS = ["cyberport", "sandy-ridge"];
const stackFile = (stack: string) => path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`);

describe("the inventory's one description (inventory/input.ts)", () => {
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(inventorySchema());
  const errors = (doc: unknown) => (validate(doc) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`));

  it("is what stacks/inventory.schema.json and the README's key table hold (npm run schema regenerates them)", () => {
    assert.strictEqual(
      fs.readFileSync(INVENTORY_SCHEMA_FILE, "utf8"),
      `${JSON.stringify(inventorySchema(), null, 2)}\n`,
      "stacks/inventory.schema.json is stale: npm run schema",
    );
    const readme = fs.readFileSync(README_FILE, "utf8");
    assert.strictEqual(readme, readmeWithTable(readme), "the README's inventory table is stale: npm run schema");
  });

  it("accepts both real stack files, each of which names the schema for editors", () => {
    for (const stack of STACKS) {
      const text = fs.readFileSync(stackFile(stack), "utf8");
      assert.match(text.split("\n")[0], /^# yaml-language-server: \$schema=\.\/inventory\.schema\.json$/, stack);
      assert.deepStrictEqual(errors(YAML.parse(text)), [], stack);
    }
  });

  it("flags a misspelled key, at the top and in a pool, and a missing required section, as the parser does", () => {
    const doc = (site: Record<string, unknown>) => ({ config: { "aisc:site": site } });
    const typo = mutated((s) => (s.tennants = []));
    assert.ok(
      errors(doc(typo)).some((e) => e === " must NOT have additional properties" || e === "/config/aisc:site must NOT have additional properties"),
      errors(doc(typo)).join("; "),
    );
    const poolTypo = mutated((s) => (s.pools[0].gpuPerNode = 8));
    assert.ok(errors(doc(poolTypo)).includes("/config/aisc:site/pools/0 must NOT have additional properties"));
    const noPower = mutated((s) => delete s.power);
    assert.ok(errors(doc(noPower)).includes("/config/aisc:site must have required property 'power'"));
    assert.deepStrictEqual(errors(doc(smallSite())), []);
  });

  it("gives the parser its key lists: an unknown key is answered with the description's keys", () => {
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[0].gpuPerNode = 8))), [
      `aisc:site.pools[0].gpuPerNode: unknown key; expected one of ${Object.keys(SECTIONS.pool).join(", ")}`,
    ]);
  });

  it("names the fields a missing or malformed section needs", () => {
    assert.deepStrictEqual(issuesOf(mutated((s) => delete s.power)), [`aisc:site.power: expected a mapping ${fieldsText(SECTIONS.power)}, got nothing`]);
    assert.strictEqual(fieldsText(SECTIONS.power), "with envelopeMW, pue");
    assert.match(fieldsText(SECTIONS.login), /^with ldapUri, searchBase; optional /);
  });

  it("takes a new site written from the README's table alone: its required keys, and podRouting since it has on-premises nodes", () => {
    const yaml = `
name: tko
power: { envelopeMW: 2, pue: 1.3 }
capacity: { precision: fp8-dense, milestones: [{ name: Opening, date: "2027-06-30", pflops: 50 }] }
cluster:
  identity: { issuerUrl: "https://sso.example.hk/realms/aisc", clientId: aisc-tko }
  access: [{ principalArn: "arn:aws:iam::111122223333:role/aisc-admin", policy: cluster-admin }]
networks:
  vpcCidr: 10.60.0.0/16
  onPremNodeCidrs: [10.61.0.0/20]
  onPremPodCidrs: [10.62.0.0/16]
  podRouting: { mode: bgp, localAsn: 65010, peers: [{ address: 10.61.0.1, asn: 65000 }] }
pools: [{ name: h100-a, gpu: H100, gpusPerNode: 8, nodes: 4 }]
tenants: [{ name: lab-a, kind: university, gpus: 8, adminGroup: lab-a-admins, directoryGroup: lab-a-users }]
slurm:
  partitions: [{ name: gpu, pools: [h100-a], default: true }]
  login: { ldapUri: "ldaps://ldap.example.hk", searchBase: "dc=example,dc=hk" }
`;
    const site = YAML.parse(yaml) as Record<string, unknown>;
    assert.deepStrictEqual(errors({ config: { "aisc:site": site } }), []);
    assert.deepStrictEqual(issuesOf(site), []);
  });

  it("documents every key, and every default the parser applies", () => {
    for (const [name, section] of Object.entries(SECTIONS)) {
      for (const [key, k] of Object.entries(section)) assert.ok(k.doc.length > 10 && /[.)]$/.test(k.doc), `${name}.${key}: a sentence`);
    }
    // Spot checks of defaults against what the parser does when the key is absent.
    const site = parseSite(mutated((s) => (delete s.region, delete s.tenants[0].fairShare)));
    assert.strictEqual(site.region, "ap-east-1");
    assert.match(SECTIONS.site.region.default ?? "", /ap-east-1/);
    assert.strictEqual(site.tenants[0].fairShare, site.tenants[0].gpus);
  });
});
