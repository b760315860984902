import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/**
 * The offline plan's stand-in for cloud providers: every resource gets a deterministic ID (and
 * AWS resources an ARN) derived from its type and name, and echoes its inputs back as its
 * state, plus the few outputs that only a provider computes and that the program reads (an EKS
 * endpoint, say). Kubernetes objects echo exactly their inputs, as the provider previews them.
 * Deterministic values keep `aisc plan` byte-identical from run to run.
 */

const ACCOUNT = "000000000000";

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 17);
}

/** Provider-computed outputs by resource type, beyond the generic id/arn/name. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>, region: string): Record<string, unknown> {
  switch (type) {
    case "aws:eks/cluster:Cluster":
      return {
        endpoint: `https://${shortHash(name).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`offline-plan-ca-${name}`).toString("base64") },
        status: "ACTIVE",
        platformVersion: "eks.1",
      };
    case "aws:ssm/activation:Activation":
      return { activationCode: pulumi.secret(`offline-${shortHash(name)}`), registrationCount: 0, expired: false };
    case "aws:eks/nodeGroup:NodeGroup":
      // EKS names the node group's Auto Scaling group; a capacity block's scheduled scale-up targets it.
      return {
        resources: [
          { autoscalingGroups: [{ name: `eks-${typeof inputs.nodeGroupName === "string" ? inputs.nodeGroupName : name}-${shortHash(name).slice(0, 8)}` }] },
        ],
      };
    case "aws:iam/role:Role":
      return { uniqueId: `AROA${shortHash(name).toUpperCase()}` };
    // Generated secrets: stand-in values, deterministic, and redacted wherever they are written.
    case "random:index/randomBytes:RandomBytes": {
      const bytes = Buffer.from(createHash("sha512").update(`offline-bytes-${name}`).digest()).subarray(0, Math.min(Number(inputs.length ?? 32), 64));
      return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }
    case "random:index/randomPassword:RandomPassword":
      return { result: `offline${shortHash(`password-${name}`)}`, bcryptHash: `$2a$10$${shortHash(`bcrypt-${name}`)}` };
    case "aws:kms/key:Key":
      return { keyId: `${shortHash(name).slice(0, 8)}-0000-4000-8000-${shortHash(name + "k").slice(0, 12)}` };
    default:
      return inputs.name === undefined ? { name } : {};
  }
}

/** The stand-in value the offline plan gives a generated secret, so tests can prove it never leaks. */
export function offlineSecretValues(type: string, name: string): string[] {
  const outputs = computedOutputs(type, name, {}, "");
  return Object.values(outputs).filter((v): v is string => typeof v === "string");
}

/** The deterministic ID the offline plan gives a resource. */
export function offlineId(type: string, name: string): string {
  return `${name}-${shortHash(`${type}::${name}`).slice(0, 8)}`;
}

/**
 * Whether a custom resource's offline state is exactly its inputs, as the Kubernetes provider
 * previews an object: no provider-computed output that the program reads. Registrations of
 * these are answered with their own inputs, unconverted (see ./run-program).
 */
export function echoesInputs(type: string): boolean {
  return type.startsWith("kubernetes:");
}

/** Mocks for `pulumi.runtime.setMocks`, answering for region `region`. */
export function offlineMocks(region: string): pulumi.runtime.Mocks {
  return {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
      const [pkg, mod] = args.type.split(":");
      const service = (mod ?? "").split("/")[0] || pkg;
      const id = offlineId(args.type, args.name);
      const state: Record<string, unknown> = echoesInputs(args.type)
        ? { ...(args.inputs as Record<string, unknown>) }
        : { ...(args.inputs as Record<string, unknown>), ...computedOutputs(args.type, args.name, args.inputs as Record<string, unknown>, region) };
      if (pkg === "aws") state.arn = `arn:aws:${service}:${region}:${ACCOUNT}:${args.name}`;
      return { id, state };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
      // The program asks the cloud only who it runs as (key policies and trust conditions name
      // the account), answered with the offline plan's stand-in account. Any other call is a new
      // dependency on live data: fail loudly rather than invent an answer.
      if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
        return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/offline-plan`, id: ACCOUNT, userId: "AROAOFFLINEPLAN" };
      }
      throw new Error(`the offline plan cannot answer the provider call ${args.token}; compute the value from the inventory instead`);
    },
  };
}
