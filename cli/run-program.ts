import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { echoesInputs, offlineId, offlineMocks } from "./mocks";
import { normalise, Plan, PlannedResource } from "./record";
import { PROJECT } from "./paths";
import { URN_SCHEME, urnOf } from "./urns";
import { mockMonitor, registerResponse, withoutAliasSpecs, withoutStackTraces } from "./sdk-internals";
import { StackConfig } from "./stack-config";

/**
 * Runs the real Pulumi program (`stacks/index.ts`, compiled) under the SDK's mock runtime, the
 * way the Pulumi CLI's Node.js language host runs it, and records every resource registration
 * as the engine would receive it: type, name, parent, provider, inputs and options. The SDK's
 * runtime is process-global, so this runs once per process; `aisc plan` forks one per stack.
 */

export { PROJECT };
/** The compiled program entry, beside this file in dist/. */
export const PROGRAM = path.resolve(__dirname, "..", "stacks", "index.js");

/**
 * Runs the program for one stack's config and returns what it registered. With `sdkAliases`,
 * the monitor says, as an engine before alias specs would, that it takes none: the SDK then
 * computes alias URNs itself, a resource's own and those its direct parent's declared aliases
 * give it (one level: deeper ones are the engine's to derive), and the plan records them
 * (test/components/aliases.test.ts). Plans are made without it, as the engine runs today.
 */
export async function runProgram(stack: StackConfig, region: string, program: string = PROGRAM, { sdkAliases = false } = {}): Promise<Plan> {
  pulumi.runtime.setAllConfig({ ...stack.config }, [...stack.secretKeys]);
  await pulumi.runtime.setMocks(offlineMocks(region), PROJECT, stack.stack, true);
  const monitor = mockMonitor();
  monitor.newUrn = (parent, type, name) => urnOf(stack.stack, parent, type, name);
  if (sdkAliases) withoutAliasSpecs(monitor);
  const resources = new Map<string, PlannedResource>();
  let outputs: Record<string, unknown> = {};
  let stackUrn = "";

  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const type = req.getType();
    const name = req.getName();
    const parent = req.getParent();
    const urn = urnOf(stack.stack, parent, type, name);
    if (type === "pulumi:pulumi:Stack") stackUrn = urn;
    if (resources.has(urn)) throw new Error(`duplicate resource URN ${urn}`);
    const wire = req.getObject()?.toJavaScript() ?? {};
    resources.set(urn, {
      urn,
      type,
      name,
      ...(parent ? { parent } : {}),
      custom: req.getCustom(),
      ...(req.getProvider() ? { provider: req.getProvider() } : {}),
      remote: req.getRemote(),
      inputs: (normalise(wire) ?? {}) as Record<string, unknown>,
      options: {
        protect: req.getProtect(),
        retainOnDelete: req.getRetainondelete(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependencies: [...req.getDependenciesList()].sort(),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
        ...(sdkAliases && req.getAliasurnsList().length ? { aliases: req.getAliasurnsList() } : {}),
      },
    });
    if (req.getCustom() && echoesInputs(type)) {
      // The state is the inputs (see echoesInputs): answer with the request's own struct, as
      // the mock monitor would after converting it to JavaScript and back three times.
      const id = offlineId(type, name);
      monitor.resources.set(urn, { urn, id, state: wire });
      cb(null, registerResponse(urn, id, req.getObject()));
      return;
    }
    register(req, cb);
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    if (req.getUrn() === stackUrn) outputs = (normalise(req.getOutputs()?.toJavaScript() ?? {}) ?? {}) as Record<string, unknown>;
    registerOutputs(req, cb);
  };

  // The SDK captures and parses a full stack trace for every resource, to send the engine its
  // source position; the offline plan records none (./sdk-internals).
  await withoutStackTraces(() =>
    pulumi.runtime.runInPulumiStack(async () => {
      // As the language host does: the module's exports are the stack's outputs, and a module
      // that exports a function has that function's result as its outputs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(program) as unknown;
      return typeof mod === "function" ? ((await (mod as () => unknown)()) as Record<string, unknown>) : mod;
    }),
  );
  await pulumi.runtime.disconnect();
  const sorted = [...resources.values()].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { project: PROJECT, stack: stack.stack, urns: URN_SCHEME, resources: sorted, outputs };
}
