import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { loadSite } from "../../stacks/config";
import { smallSite } from "../helpers/fixtures";

describe("loadSite (the program's config reader)", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}));

  it("reads aisc:site from Pulumi config as the CLI passes it", () => {
    pulumi.runtime.setAllConfig({ "aisc:site": JSON.stringify(smallSite()) });
    const { site, kubeconfig } = loadSite();
    assert.strictEqual(site.name, "testsite");
    assert.strictEqual(kubeconfig, undefined);
  });

  it("turns an invalid inventory into a RunError, which Pulumi prints without a stack trace", () => {
    const s = smallSite();
    s.tenants[0].gpus = -1;
    pulumi.runtime.setAllConfig({ "aisc:site": JSON.stringify(s) });
    assert.throws(() => loadSite(), (err: Error) => {
      assert.ok(err instanceof pulumi.RunError);
      assert.strictEqual(err.message, "invalid site inventory:\naisc:site.tenants[0].gpus: expected a non-negative integer, got -1");
      return true;
    });
  });

  it("says which key is missing when a stack has no inventory", () => {
    pulumi.runtime.setAllConfig({});
    assert.throws(() => loadSite(), (err: Error) => err instanceof pulumi.RunError && err.message === "invalid site inventory:\naisc:site: expected a mapping, got nothing");
  });
});
