import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { evaluatePolicies, PolicyConfig } from "../../cli/policy-eval";
import { parsePolicyConfig } from "../../cli/policy-config";
import { Plan, PlannedResource, UNKNOWN } from "../../cli/record";
import { PACK_NAME, PACK_VERSION, POLICIES } from "../../policies/pack";
import { Finding, PolicyPackProcess, sorted } from "../helpers/analyzer";
import { plannedResource, realPlan } from "../helpers/plan";

/**
 * Engine parity: the pack started as the Pulumi CLI starts it and driven over the analyzer
 * protocol gives, for the same plan and config, exactly the findings `aisc plan` reports: the
 * same policies, levels, URNs and messages. The cases are Cyberport's plan as it is and with each
 * escalation a tenancy review found added to it, each of which must fail a mandatory policy
 * naming the object; and the engine's own behaviours: unknown values, options the protocol does
 * not carry, outputs that carry a region, and policy config in its shorthand forms.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const TENANT = "hkgai";
const GROUP = "oidc:aisc-hkgai-admins";
const RBAC = "rbac.authorization.k8s.io";
const SAFE = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };

const k8s = (type: string, name: string, namespace: string | undefined, body: Record<string, unknown>) =>
  plannedResource(`kubernetes:${type}`, `escalation-${namespace ?? "cluster"}-${name}`, { metadata: { name, ...(namespace ? { namespace } : {}) }, ...body });
const binding = (name: string, namespace: string | undefined, role: string, subjects: unknown[], kind = "ClusterRole") =>
  k8s(`${RBAC}/v1:${namespace ? "RoleBinding" : "ClusterRoleBinding"}`, name, namespace, { roleRef: { apiGroup: RBAC, kind, name: role }, subjects });
const pod = (name: string, namespace: string | undefined, spec: Record<string, unknown>) => k8s("core/v1:Pod", name, namespace, { spec });
const container = (sc: Record<string, unknown> = {}) => ({ name: "c", image: "trainer:1.0", securityContext: { ...SAFE, ...sc } });
const egress = (name: string, to: unknown[]) =>
  k8s("networking.k8s.io/v1:NetworkPolicy", name, TENANT, { spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to }] } });

/** Each escalation: the objects added to the plan, and the object a mandatory finding must name. */
const ESCALATIONS: [string, PlannedResource[], string][] = [
  ["a tenant's own binding to cluster-admin", [binding("own-admin", TENANT, "cluster-admin", [{ kind: "Group", name: GROUP }])], "own-admin"],
  ["a tenant's own binding to admin", [binding("own-admin", TENANT, "admin", [{ kind: "Group", name: GROUP }])], "own-admin"],
  ["a tenant's own binding to edit", [binding("own-edit", TENANT, "edit", [{ kind: "Group", name: GROUP }])], "own-edit"],
  [
    "a Role granting * on * bound to the tenant's group",
    [
      k8s(`${RBAC}/v1:Role`, "everything", TENANT, { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }),
      binding("everything", TENANT, "everything", [{ kind: "Group", name: GROUP }], "Role"),
    ],
    "everything",
  ],
  ["a RoleBinding in slurm for a tenant's group", [binding("tenant-in-slurm", "slurm", "edit", [{ kind: "Group", name: GROUP }])], "tenant-in-slurm"],
  [
    "cluster-admin for system:authenticated",
    [binding("everyone-admin", undefined, "cluster-admin", [{ kind: "Group", name: "system:authenticated" }])],
    "everyone-admin",
  ],
  [
    "cluster-admin for a tenant's ServiceAccount",
    [binding("sa-admin", undefined, "cluster-admin", [{ kind: "ServiceAccount", name: "runner", namespace: TENANT }])],
    "sa-admin",
  ],
  [
    "a privileged host pod with hostPath / and no namespace",
    [pod("root-escape", undefined, { hostNetwork: true, containers: [container({ privileged: true })], volumes: [{ name: "root", hostPath: { path: "/" } }] })],
    "root-escape",
  ],
  ["hostPID in a tenant namespace", [pod("pid", TENANT, { hostPID: true, containers: [container()] })], "pid"],
  ["hostIPC in a tenant namespace", [pod("ipc", TENANT, { hostIPC: true, containers: [container()] })], "ipc"],
  [
    "SYS_ADMIN in a tenant namespace",
    [pod("sysadmin", TENANT, { containers: [container({ capabilities: { add: ["SYS_ADMIN"], drop: ["ALL"] } })] })],
    "sysadmin",
  ],
  ["allowPrivilegeEscalation in a tenant namespace", [pod("escalate", TENANT, { containers: [container({ allowPrivilegeEscalation: true })] })], "escalate"],
  [
    "a privileged ephemeral container",
    [pod("debugger", TENANT, { containers: [container()], ephemeralContainers: [{ ...container({ privileged: true }), name: "debug" }] })],
    "debugger",
  ],
  ["egress to 0.0.0.0/1 and 128.0.0.0/1", [egress("halves", [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }])], "halves"],
  ["egress to the instance metadata address", [egress("metadata", [{ ipBlock: { cidr: "169.254.169.254/32" } }])], "metadata"],
  ["egress to ::/0", [egress("ipv6", [{ ipBlock: { cidr: "::/0" } }])], "ipv6"],
  [
    "egress to every namespace by an Exists selector",
    [egress("all-ns", [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] } }])],
    "all-ns",
  ],
  [
    "a privileged pod inside a yaml/v2 ConfigGroup",
    [
      plannedResource("kubernetes:yaml/v2:ConfigGroup", "extras", {
        yaml: `apiVersion: v1\nkind: Pod\nmetadata: { name: hidden, namespace: ${TENANT} }\nspec:\n  containers: [{ name: c, image: "x:1", securityContext: { privileged: true } }]\n`,
      }),
    ],
    "hidden",
  ],
  ["an image tagged LATEST", [pod("shouting", TENANT, { containers: [{ ...container(), image: "trainer:LATEST" }] })], "trainer:LATEST"],
];

function withAdded(base: Plan, added: PlannedResource[]): Plan {
  return { ...base, resources: [...base.resources, ...added] };
}

/** The stack's config as the engine hands it to a policy pack in PULUMI_CONFIG: each value a string. */
function stackConfig(stack: string): Record<string, string> {
  const config = (YAML.parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** What Cyberport's plan finds as shipped: the subsidy ledger cannot be costed until the scheme's rates are configured. */
const SHIPPED_ADVISORY = "capacity-subsidy-headroom";

describe("the policy pack under the Pulumi engine's analyzer protocol", function () {
  let pack: PolicyPackProcess;
  let base: Plan;
  let compared = 0;

  before(async function () {
    // The SDK compiles the TypeScript pack with ts-node and type-checks it before it serves.
    this.timeout(600000);
    base = realPlan("cyberport");
    pack = await PolicyPackProcess.start(stackConfig("cyberport"));
  });
  after(() => pack?.stop());

  /** Both verdicts for `plan` under `config`, compared; returns them. */
  async function both(plan: Plan, config: PolicyConfig = {}): Promise<Finding[]> {
    await pack.configure(config);
    const engine = sorted(await pack.findings(plan));
    const offline = sorted(
      (await evaluatePolicies(plan, config)).violations.map((v) => ({
        policy: v.policy,
        level: v.level,
        message: v.message,
        ...(v.urn ? { urn: v.urn } : {}),
      })),
    );
    assert.deepStrictEqual(offline, engine);
    compared++;
    return engine;
  }

  it("serves the pack aisc evaluates: its name, version, policies and levels", async () => {
    const info = await pack.info();
    assert.deepStrictEqual(
      { name: info.name, version: info.version, policies: info.policies },
      { name: PACK_NAME, version: PACK_VERSION, policies: POLICIES.map((p) => ({ name: p.name, level: p.enforcementLevel ?? "advisory" })) },
    );
  });

  it("finds in Cyberport's and Sandy Ridge's plans as they are only that the shipped subsidy ledger has no rates, offline or under the engine", async () => {
    const found = await both(base);
    assert.deepStrictEqual(
      found.map((f) => [f.policy, f.level]),
      [["capacity-subsidy-headroom", "advisory"]],
    );
    assert.match(found[0].message, /^ai-subsidy-scheme: aisc:city\.subsidy\.ai-subsidy-scheme\.rates has no rate for H100, H200, H800, L40S, /);
    const sandy = await both(realPlan("sandy-ridge"));
    assert.deepStrictEqual(
      sandy.map((f) => [f.policy, f.level]),
      [["capacity-subsidy-headroom", "advisory"]],
    );
    assert.match(sandy[0].message, /^ai-subsidy-scheme: aisc:city\.subsidy\.ai-subsidy-scheme\.rates has no rate for B200, GB200, L40S, /);
  });

  for (const [what, added, named] of ESCALATIONS) {
    it(`fails ${what} with a mandatory finding naming it, the same under both`, async () => {
      const findings = await both(withAdded(base, added));
      assert.ok(
        findings.some((f) => f.level === "mandatory" && f.message.includes(named)),
        `${what}: ${JSON.stringify(findings, null, 1)}`,
      );
    });
  }

  it("leaves what an unknown quota hides undecided, as an advisory note, and decides the rest the same", async () => {
    const plan = {
      ...base,
      resources: base.resources.map((r) =>
        r.type === "kubernetes:core/v1:ResourceQuota" && (r.inputs.metadata as { namespace?: string }).namespace === TENANT
          ? { ...r, inputs: { ...r.inputs, spec: { hard: { ...(r.inputs.spec as { hard: object }).hard, "requests.nvidia.com/gpu": UNKNOWN } } } }
          : r,
      ),
    };
    const findings = (await both(plan)).filter((f) => f.policy !== SHIPPED_ADVISORY);
    assert.ok(
      findings.length > 0 && findings.every((f) => f.level === "advisory" && f.message.includes("during preview") && f.message.includes(TENANT)),
      JSON.stringify(findings, null, 1),
    );
  });

  it("judges a retained but unprotected volume the same: the protocol carries protect only", async () => {
    const volume = plannedResource(
      "kubernetes:core/v1:PersistentVolumeClaim",
      "kept",
      { metadata: { name: "kept", namespace: TENANT } },
      { retainOnDelete: true },
    );
    const findings = (await both(withAdded(base, [volume]))).filter((f) => f.policy !== SHIPPED_ADVISORY);
    assert.deepStrictEqual(
      findings.map((f) => [f.policy, f.level]),
      [["security-stateful-resources-protected", "mandatory"]],
    );
  });

  it("reports a foreign region once, at the provider, though every resource's outputs carry it", async () => {
    const provider = base.resources.find((r) => r.type === "pulumi:providers:aws")!;
    const plan = {
      ...base,
      resources: base.resources.map((r) =>
        r === provider
          ? { ...r, inputs: { ...r.inputs, region: "ap-northeast-1" } }
          : r.type.startsWith("aws:") && r.provider?.startsWith(provider.urn)
            ? { ...r, inputs: { ...r.inputs, region: "ap-northeast-1" } }
            : r,
      ),
    };
    const findings = (await both(plan)).filter((f) => f.policy === "security-aws-region-hong-kong");
    assert.deepStrictEqual(
      findings.map((f) => f.urn),
      [provider.urn],
    );
  });

  it("applies policy config in the engine's forms: all, a level alone, and settings", async () => {
    const escalated = withAdded(base, ESCALATIONS[0][1]);
    const config = (json: unknown) => parsePolicyConfig("test.json", JSON.stringify(json), POLICIES);
    const all = await both(escalated, config({ all: "advisory" }));
    assert.ok(all.length > 0 && all.every((f) => f.level === "advisory"));
    const off = await both(escalated, config({ "tenancy-rolebinding-own-group": "disabled" }));
    assert.ok(off.every((f) => f.policy !== "tenancy-rolebinding-own-group"));
    const tight = await both(base, config({ all: "mandatory", "capacity-tenant-share-within-limit": { maxShare: 0.05 } }));
    assert.ok(tight.some((f) => f.policy === "capacity-tenant-share-within-limit" && f.level === "mandatory"));
    await pack.configure({});
  });

  it("compared at least 20 cases", () => {
    assert.ok(compared >= 20, `${compared} cases`);
  });
});
