import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../cli/paths";
import { Plan } from "../../cli/record";
import { SLINKY_API, SLINKY_CONTAINERS, SLURM_NAMES } from "../../charts/slurm";
import { cgroupConf, slurmConfExtra } from "../../charts/slurm-config";
import { parseSite } from "../../inventory/parse";
import { realSite } from "../helpers/fixtures";
import { ofType, realPlan } from "../helpers/plan";

/**
 * The Slinky objects as the pinned operator (slurm-operator v1.1.2) needs them. The containers
 * each kind must name an image for are read from SchedMD's own CR templates in `helm/slurm`,
 * vendored unedited under charts/imports/templates/slinky-slurm-v1.1.2/: the v1.1.2 builders
 * (`internal/builder/*builder/*_app.go`) take every container's image from the CR, with no
 * default, and those templates set each one.
 */

const DIR = path.join(PROJECT_ROOT, "charts", "imports", "templates", "slinky-slurm-v1.1.2");

/** The kind a vendored CR template renders, and the spec fields it fills with `format-container`. */
function upstreamContainers(file: string): { kind: string; fields: string[] } {
  const lines = fs.readFileSync(path.join(DIR, file), "utf8").split("\n");
  const kind = lines.map((l) => /^kind: (\w+)$/.exec(l)?.[1]).find(Boolean);
  assert.ok(kind, `${file} renders no kind`);
  const fields = lines.flatMap((line, i) => {
    const field = /^ {2}(\w+):\s*$/.exec(line)?.[1];
    return field && lines.slice(i + 1, i + 3).some((l) => l.includes('include "format-container"')) ? [field] : [];
  });
  return { kind: kind, fields: fields.sort() };
}

const TEMPLATES = ["controller-cr.yaml", "nodeset-cr.yaml", "loginset-cr.yaml", "restapi-cr.yaml", "accounting-cr.yaml"];

/**
 * Keys the v1.1.2 operator writes into slurm.conf itself (`controllerbuilder.buildSlurmConf`)
 * for a Controller with accounting, metrics and cgroups on; the Controller's `extraConf`
 * follows them.
 */
const OPERATOR_KEYS = [
  "ClusterName",
  "SlurmUser",
  "SlurmctldHost",
  "SlurmctldPort",
  "StateSaveLocation",
  "SlurmdUser",
  "SlurmdPort",
  "SlurmdSpoolDir",
  "ReturnToService",
  "MaxNodeCount",
  "GresTypes",
  "SlurmctldLogFile",
  "SlurmSchedLogFile",
  "SlurmdLogFile",
  "LogTimeFormat",
  "AuthType",
  "CredType",
  "AuthAltTypes",
  "AuthAltParameters",
  "AuthInfo",
  "CommunicationParameters",
  "SelectTypeParameters",
  "SlurmctldParameters",
  "ProctrackType",
  "PrologFlags",
  "TaskPlugin",
  "MetricsType",
  "AccountingStorageType",
  "AccountingStorageHost",
  "AccountingStoragePort",
  "AccountingStorageTRES",
  "JobAcctGatherType",
  "NodeSet",
];

describe("Slinky objects against slurm-operator v1.1.2", () => {
  const plans: Record<string, Plan> = {};
  before(function () {
    for (const stack of ["cyberport", "sandy-ridge"]) plans[stack] = realPlan(stack);
  });

  it("names an image for exactly the containers SchedMD's chart sets on each kind", () => {
    const upstream = TEMPLATES.map(upstreamContainers);
    assert.deepStrictEqual(upstream.map((u) => u.kind).sort(), Object.keys(SLINKY_CONTAINERS).sort());
    for (const { kind, fields } of upstream) {
      assert.deepStrictEqual(Object.keys(SLINKY_CONTAINERS[kind as keyof typeof SLINKY_CONTAINERS]).sort(), fields, kind);
    }
    assert.deepStrictEqual(upstreamContainers("controller-cr.yaml").fields, ["logfile", "reconfigure", "slurmctld"]);
  });

  for (const stack of ["cyberport", "sandy-ridge"]) {
    it(`${stack}: every Slinky object in plan.json sets a pinned image on each of its containers`, () => {
      const objects = plans[stack].resources.filter((r) => r.type.startsWith(`kubernetes:${SLINKY_API}:`));
      assert.deepStrictEqual([...new Set(objects.map((r) => r.type.split(":").pop()))].sort(), ["Accounting", "Controller", "LoginSet", "NodeSet", "RestApi"]);
      for (const r of objects) {
        const kind = r.type.split(":").pop() as keyof typeof SLINKY_CONTAINERS;
        const spec = (r.inputs as { spec: Record<string, { image?: string }> }).spec;
        for (const field of Object.keys(SLINKY_CONTAINERS[kind])) {
          const image = spec[field]?.image;
          assert.match(image ?? "", /^[\w./-]+:[\w.-]+$/, `${kind} ${r.urn}: ${field}`);
          assert.doesNotMatch(image!, /:latest$/, `${kind}: ${field}`);
        }
      }
    });

    it(`${stack}: each Slinky object depends on the ConfigMaps, Secrets and objects it names`, () => {
      const plan = plans[stack];
      const urnOf = (type: string, name: string) => plan.resources.find((r) => r.type === type && (r.inputs as any).metadata?.name === name)?.urn;
      const deps = (kind: string, name: string) =>
        plan.resources.find((r) => r.type === `kubernetes:${SLINKY_API}:${kind}` && (r.inputs as any).metadata.name === name)!.options.dependencies;
      const configFiles = urnOf("kubernetes:core/v1:ConfigMap", SLURM_NAMES.configFiles)!;
      const sssd = urnOf("kubernetes:core/v1:Secret", SLURM_NAMES.sssdSecret)!;
      const controller = urnOf(`kubernetes:${SLINKY_API}:Controller`, SLURM_NAMES.controller)!;
      assert.ok(deps("Controller", SLURM_NAMES.controller).includes(configFiles), "the webhook refuses a Controller whose configFileRefs do not exist");
      assert.ok(deps("LoginSet", SLURM_NAMES.loginSet).includes(sssd) && deps("LoginSet", SLURM_NAMES.loginSet).includes(controller));
      for (const nodeSet of ofType(plan, `kubernetes:${SLINKY_API}:NodeSet`)) assert.ok(nodeSet.options.dependencies.includes(controller), nodeSet.urn);
      for (const secret of [SLURM_NAMES.authKeySecret, SLURM_NAMES.jwtKeySecret, SLURM_NAMES.databaseSecret]) {
        assert.ok(deps("Accounting", SLURM_NAMES.accounting).includes(urnOf("kubernetes:core/v1:Secret", secret)!), secret);
      }
    });
  }

  it("keeps the operator's own cgroup.conf settings, which slurmd in a pod without systemd needs", () => {
    const lines = cgroupConf().trim().split("\n");
    assert.deepStrictEqual(lines.slice(0, 2), ["CgroupPlugin=cgroup/v2", "IgnoreSystemd=yes"]);
  });

  it("repeats no slurm.conf key the operator writes (Slurm logs a repeated key as an error)", () => {
    for (const stack of ["cyberport", "sandy-ridge"]) {
      const keys = slurmConfExtra(parseSite(realSite(stack)))
        .trim()
        .split("\n")
        .map((l) => l.split("=")[0]);
      assert.deepStrictEqual(
        keys.filter((k) => OPERATOR_KEYS.includes(k)),
        [],
        stack,
      );
    }
  });
});
