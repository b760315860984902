import * as assert from "assert";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { monitorProblems, sdkInternalsProblems, WIRE } from "../../cli/sdk-internals";
import { offlineMocks } from "../../cli/mocks";
import { isOfType, policySdkProblems, unknownCheckingProxy, UnknownValueError } from "../../policies/policy-sdk";

/**
 * The offline plan leans on members of the Pulumi SDK that are not its public API. An SDK
 * upgrade that moves one must fail here, naming it, rather than silently plan wrong or slowly.
 */
describe("the Pulumi SDK internals the offline plan uses", () => {
  it("are all where cli/sdk-internals.ts expects them, in the pinned SDK", () => {
    // The monitor setMocks installs, built directly: installing one would change the runtime's global state for later tests.
    assert.deepStrictEqual(sdkInternalsProblems(new MockMonitor(offlineMocks("ap-east-1"))), []);
  });

  it("include the policy SDK's hidden error class and proxy, which its typings declare as nothing", () => {
    assert.deepStrictEqual(policySdkProblems(), []);
    // The class is the one the SDK's own proxy throws (the engine tells an undecided policy by
    // instanceof), with the path read; the wire's unknown is the SDK's unknown string.
    const props = unknownCheckingProxy({ spec: { hard: WIRE.unknownValue } });
    assert.throws(
      () => props.spec.hard,
      (err: unknown) =>
        err instanceof UnknownValueError && err.message === "string value at .spec.hard can't be known during preview" && err.props.join(".") === "spec.hard",
    );
  });

  it("answers isType as the engine's policy host does: by the class's type token, else by its isInstance", () => {
    const isInstance = (o: { __pulumiType?: string }) => o.__pulumiType === "acme:index:Thing";
    assert.deepStrictEqual(
      [
        isOfType("acme:index:Thing", { __pulumiType: "acme:index:Thing" }),
        isOfType("acme:index:Other", { __pulumiType: "acme:index:Thing" }),
        isOfType("acme:index:Thing", { isInstance }),
        isOfType("acme:index:Other", { isInstance }),
        isOfType("acme:index:Thing", {}),
      ],
      [true, false, true, false, false],
    );
  });

  it("names each member a changed mock monitor lacks", () => {
    assert.deepStrictEqual(monitorProblems({ resources: {}, registerResource: () => undefined }), [
      "MockMonitor.resources: expected a Map of registered resources",
      "MockMonitor.registerResourceOutputs: expected a method",
      "MockMonitor.supportsFeature: expected a method",
      "MockMonitor.newUrn: expected a method",
    ]);
  });
});
