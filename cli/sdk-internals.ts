import type * as pulumiSdk from "@pulumi/pulumi";
import type * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";

/**
 * Every part of the Pulumi SDK the offline plan uses that is not its public API, in one place:
 * the mock monitor's record of resources and its two registration methods, the register
 * request's getters, the register response, the wire's special values, and the private static
 * that captures a stack trace per resource. `sdkInternalsProblems` names each one an SDK
 * upgrade has moved (test/cli/sdk-internals.test.ts fails with those names), and the plan
 * refuses to run on a monitor of another shape rather than record a wrong plan. The SDK proper
 * and its protobuf classes are loaded on first use: `aisc diff` reads plans through ./record,
 * which needs only the wire's markers.
 */

/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = (): typeof pulumiSdk => require("@pulumi/pulumi") as typeof pulumiSdk;
const pb = (): typeof resourcePb => require("@pulumi/pulumi/proto/resource_pb") as typeof resourcePb;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The response the mock monitor would give a registration: the URN, ID and state (a wire struct). */
export function registerResponse(urn: string, id: string, object: WireStruct | undefined): unknown {
  const response = new (pb().RegisterResourceResponse)();
  response.setUrn(urn);
  response.setId(id);
  response.setObject(object as never);
  return response;
}

/** The wire's markers (`4dabf18193072939515e22adb298388d` and friends), by what they mark. */
export const WIRE = {
  sigKey: rpc.specialSigKey,
  secretSig: rpc.specialSecretSig,
  assetSig: rpc.specialAssetSig,
  archiveSig: rpc.specialArchiveSig,
  resourceSig: rpc.specialResourceSig,
  outputValueSig: rpc.specialOutputValueSig,
  unknownValue: rpc.unknownValue,
} as const;

/** The register request's getters the plan reads. */
export const REQUEST_GETTERS = [
  "getType",
  "getName",
  "getParent",
  "getCustom",
  "getRemote",
  "getObject",
  "getProtect",
  "getRetainondelete",
  "getDeletebeforereplace",
  "getProvider",
  "getDependenciesList",
  "getIgnorechangesList",
  "getReplaceonchangesList",
  "getAdditionalsecretoutputsList",
  "getDeletedwith",
  "getAliasurnsList",
] as const;

/** A register request as the plan reads it: {@link REQUEST_GETTERS}, typed. */
export interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getRemote(): boolean;
  getObject(): WireStruct | undefined;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getDeletedwith(): string;
  /** Aliases as URNs the SDK computed itself, children's included (a monitor without alias specs). */
  getAliasurnsList(): string[];
}

export interface WireStruct {
  toJavaScript(): unknown;
}

export interface OutputsRequest {
  getUrn(): string;
  getOutputs(): WireStruct | undefined;
}

export type Callback = (err: unknown, resp: unknown) => void;

/** The SDK's mock monitor as the plan uses it. */
export interface MockMonitor {
  /** What it has registered, read for outputs and `getResource`; the plan answers some registrations itself and records them here. */
  readonly resources: Map<string, { urn: string; id: string | null; state: unknown }>;
  registerResource(req: RegisterRequest, cb: Callback): void;
  registerResourceOutputs(req: OutputsRequest, cb: Callback): void;
  supportsFeature(req: { getId(): string }, cb: Callback): void;
  /** How it names a registration (a simplification of the engine's scheme, which the plan replaces). */
  newUrn(parent: string, type: string, name: string): string;
}

/** What is wrong with `monitor` as a mock monitor, one line per member. */
export function monitorProblems(monitor: unknown): string[] {
  const m = (monitor ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (!(m.resources instanceof Map)) problems.push("MockMonitor.resources: expected a Map of registered resources");
  for (const method of ["registerResource", "registerResourceOutputs", "supportsFeature", "newUrn"])
    if (typeof m[method] !== "function") problems.push(`MockMonitor.${method}: expected a method`);
  return problems;
}

/** The monitor `setMocks` installed, checked; an SDK that changed it is an internal error naming the members. */
export function mockMonitor(): MockMonitor {
  const monitor = sdk().runtime.getMonitor();
  const problems = monitorProblems(monitor);
  if (problems.length)
    throw new Error(`the Pulumi SDK's mock runtime is not what aisc plan was written against (cli/sdk-internals.ts): ${problems.join("; ")}`);
  return monitor as unknown as MockMonitor;
}

/** The SDK's Resource class, with the private static that captures each resource's stack trace. */
const sdkResource = () => sdk().Resource as unknown as { stackTrace?: (...args: unknown[]) => unknown };

/**
 * Runs `fn` with the SDK's per-resource stack trace capture off (it sends the engine source
 * positions, which the offline plan never records; the capture was about a tenth of a plan's
 * time), and restores it. With an SDK that no longer has it, runs `fn` as it is.
 */
export async function withoutStackTraces<T>(fn: () => Promise<T>): Promise<T> {
  const resource = sdkResource();
  const original = resource.stackTrace;
  if (typeof original !== "function") return fn();
  resource.stackTrace = () => [];
  try {
    return await fn();
  } finally {
    resource.stackTrace = original;
  }
}

/**
 * Makes the mock monitor answer, as an engine without alias specs would, that it does not take
 * them (the mock says it does, as today's engine does). The SDK then computes alias URNs itself,
 * where a test can read them: a resource's own, and one level of inherited ones (from its
 * direct parent's declared aliases). With specs the engine derives every level, out of sight.
 */
export function withoutAliasSpecs(monitor: MockMonitor): void {
  const supportsFeature = monitor.supportsFeature.bind(monitor);
  monitor.supportsFeature = (req, cb) => (req.getId() === "aliasSpecs" ? cb(null, { getHassupport: () => false }) : supportsFeature(req, cb));
}

/**
 * Every SDK internal above that is missing or changed shape, named (empty when all is as
 * written against). `monitor` is a mock monitor to check, when one is installed.
 */
export function sdkInternalsProblems(monitor?: unknown): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(WIRE))
    if (typeof value !== "string" || value.length === 0) problems.push(`runtime/rpc ${name}: expected a string marker`);
  for (const getter of REQUEST_GETTERS) {
    if (typeof (pb().RegisterResourceRequest.prototype as unknown as Record<string, unknown>)[getter] !== "function")
      problems.push(`RegisterResourceRequest.${getter}: expected a method`);
  }
  for (const setter of ["setUrn", "setId", "setObject"]) {
    if (typeof (pb().RegisterResourceResponse.prototype as unknown as Record<string, unknown>)[setter] !== "function")
      problems.push(`RegisterResourceResponse.${setter}: expected a method`);
  }
  if (typeof sdkResource().stackTrace !== "function") problems.push("Resource.stackTrace: expected the private static that captures a resource's stack trace");
  if (monitor !== undefined) problems.push(...monitorProblems(monitor));
  return problems;
}
