import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { monitorProblems, sdkInternalsProblems } from "../../cli/sdk-internals";
import { offlineMocks } from "../../cli/mocks";

/**
 * The offline plan leans on members of the Pulumi SDK that are not its public API. An SDK
 * upgrade that moves one must fail here, naming it, rather than silently plan wrong or slowly.
 */
describe("the Pulumi SDK internals the offline plan uses", () => {
  it("are all where cli/sdk-internals.ts expects them, in the pinned SDK", async () => {
    await pulumi.runtime.setMocks(offlineMocks("ap-east-1"), "aisc", "sdk-check", true);
    assert.deepStrictEqual(sdkInternalsProblems(pulumi.runtime.getMonitor()), []);
  });

  it("names each member a changed mock monitor lacks", () => {
    assert.deepStrictEqual(monitorProblems({ resources: {}, registerResource: () => undefined }), [
      "MockMonitor.resources: expected a Map of registered resources",
      "MockMonitor.registerResourceOutputs: expected a method",
    ]);
  });
});
