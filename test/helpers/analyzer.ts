import * as grpc from "@grpc/grpc-js";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { onTheWire, PolicyConfig } from "../../cli/policy-eval";
import { Plan, PlannedResource } from "../../cli/record";

/**
 * The policy pack run as the Pulumi CLI runs it for `pulumi preview --policy-pack policies`, and
 * driven over the analyzer gRPC protocol with the SDK's own stubs. The CLI's launcher
 * (`pulumi-analyzer-policy`, shipped with the CLI, not in npm) resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` from the pack's folder and runs it with node, the engine's
 * address and the pack's path as arguments and the pack's folder as working directory; the pack
 * (TypeScript, compiled by the SDK's ts-node) prints the port it serves on. That is done here,
 * step for step, so what answers is the pack a user's `pulumi preview` would load.
 */

export const PACK_DIR = path.resolve(__dirname, "..", "..", "..", "policies");

export interface Finding {
  readonly policy: string;
  readonly level: string;
  readonly message: string;
  readonly urn?: string;
}

const LEVELS: Record<number, string> = {
  [pb.EnforcementLevel.ADVISORY]: "advisory",
  [pb.EnforcementLevel.MANDATORY]: "mandatory",
  [pb.EnforcementLevel.DISABLED]: "disabled",
  [pb.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_OF: Record<string, pb.EnforcementLevel> = {
  advisory: pb.EnforcementLevel.ADVISORY,
  mandatory: pb.EnforcementLevel.MANDATORY,
  disabled: pb.EnforcementLevel.DISABLED,
  remediate: pb.EnforcementLevel.REMEDIATE,
};

const struct = (value: Readonly<Record<string, unknown>>) => Struct.fromJavaScript(onTheWire(value) as Record<string, never>);

export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
  ) {}

  /** Starts the pack as the CLI does, with `PULUMI_CONFIG` the stack's config; resolves once it serves. */
  static async start(stackConfig: Record<string, string>, engineAddress = "127.0.0.1:1"): Promise<PolicyPackProcess> {
    const runner = execFileSync(process.execPath, ["-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"], {
      cwd: PACK_DIR,
      encoding: "utf8",
    }).trim();
    const child = spawn(process.execPath, [runner, engineAddress, PACK_DIR], {
      cwd: PACK_DIR,
      env: { ...process.env, PULUMI_CONFIG: JSON.stringify(stackConfig) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        const m = /^(\d+)\s*$/m.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving: ${stderr.slice(0, 2000)}`)));
    });
    return new PolicyPackProcess(child, new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()));
  }

  stop(): void {
    this.client.close();
    this.child.kill();
  }

  private call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => method(req, (err, res) => (err ? reject(err) : resolve(res))));
  }

  /** The pack's name, version and policies with their levels, as GetAnalyzerInfo reports them. */
  async info(): Promise<{ name: string; version: string; policies: { name: string; level: string }[] }> {
    const info = await this.call<Empty, pb.AnalyzerInfo>((req, cb) => this.client.getAnalyzerInfo(req, cb), new Empty());
    return {
      name: info.getName(),
      version: info.getVersion(),
      policies: info.getPoliciesList().map((p) => ({ name: p.getName(), level: LEVELS[p.getEnforcementlevel()] })),
    };
  }

  /**
   * Configures the pack as the engine does once it has validated `--policy-pack-config`: every
   * policy named, with its enforcement level and its settings as properties. An empty config
   * resets the pack to its own levels.
   */
  async configure(config: PolicyConfig): Promise<void> {
    const req = new pb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, { enforcementLevel, ...settings }] of Object.entries(config)) {
      const pc = new pb.PolicyConfig();
      if (typeof enforcementLevel === "string") pc.setEnforcementlevel(LEVEL_OF[enforcementLevel]);
      pc.setProperties(Struct.fromJavaScript(settings as Record<string, never>));
      map.set(name, pc);
    }
    await this.call((req, cb) => this.client.configure(req, cb), req);
  }

  /** What `pulumi preview --policy-pack` reports for a plan: Analyze for every resource, then AnalyzeStack. */
  async findings(plan: Plan): Promise<Finding[]> {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const provider = (r: PlannedResource) => {
      const p = r.provider === undefined ? undefined : byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")));
      return p && new pb.AnalyzerProviderResource().setType(p.type).setName(p.name).setUrn(p.urn).setProperties(struct(p.inputs));
    };
    const options = (r: PlannedResource) =>
      new pb.AnalyzerResourceOptions()
        .setProtect(r.options.protect)
        .setIgnorechangesList([...r.options.ignoreChanges])
        .setDeletebeforereplace(r.options.deleteBeforeReplace)
        .setDeletebeforereplacedefined(true)
        .setAdditionalsecretoutputsList([...r.options.additionalSecretOutputs])
        .setParent(r.parent ?? "");
    const out: Finding[] = [];
    const collect = (res: pb.AnalyzeResponse, urn?: string) => {
      for (const d of res.getDiagnosticsList()) {
        // A violation's message is the policy's description, a newline, and what the policy
        // reported (`aisc plan` reports the description once per policy instead); the engine's
        // own "can't run during preview" notes have no such prefix.
        const prefix = `${d.getDescription()}\n`;
        const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
        out.push({ policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()], message, ...(d.getUrn() || urn ? { urn: d.getUrn() || urn } : {}) });
      }
    };
    for (const r of plan.resources) {
      const req = new pb.AnalyzeRequest().setType(r.type).setName(r.name).setUrn(r.urn).setProperties(struct(r.inputs)).setOptions(options(r));
      const p = provider(r);
      if (p) req.setProvider(p);
      // The engine ties a resource policy's diagnostic with no URN to the resource analyzed.
      collect(await this.call((req, cb) => this.client.analyze(req, cb), req), r.urn);
    }
    const resources = plan.resources.map((r) => {
      const a = new pb.AnalyzerResource()
        .setType(r.type)
        .setName(r.name)
        .setUrn(r.urn)
        .setProperties(struct(r.inputs))
        .setOptions(options(r))
        .setParent(r.parent ?? "")
        .setDependenciesList([...r.options.dependencies]);
      const p = provider(r);
      if (p) a.setProvider(p);
      return a;
    });
    collect(await this.call((req, cb) => this.client.analyzeStack(req, cb), new pb.AnalyzeStackRequest().setResourcesList(resources)));
    return out;
  }
}

/** Findings in one order, for comparing two lists that need not arrive in the same one. */
export function sorted(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => JSON.stringify([f.policy, f.urn ?? "", f.level, f.message]);
  return [...findings]
    .map((f) => ({ policy: f.policy, level: f.level, message: f.message, ...(f.urn ? { urn: f.urn } : {}) }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
