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
    assert.throws(
      () => loadSite(),
      (err: Error) => {
        assert.ok(err instanceof pulumi.RunError);
        assert.strictEqual(err.message, "invalid site inventory:\naisc:site.tenants[0].gpus: expected a non-negative integer, got -1");
        return true;
      },
    );
  });

  it("says which key is missing when a stack has no inventory", () => {
    pulumi.runtime.setAllConfig({});
    assert.throws(
      () => loadSite(),
      (err: Error) =>
        err instanceof pulumi.RunError &&
        err.message ===
          "invalid site inventory:\naisc:site: expected a mapping with name, power, capacity, cluster, networks, pools, tenants, slurm; optional displayName, region, system, monitoring, got nothing",
    );
  });

  describe("alert receivers' webhook URLs", () => {
    const alerting = { receivers: ["oncall", "channel"], critical: "oncall", warning: "channel" };
    const withAlerting = () => JSON.stringify({ ...smallSite(), monitoring: { alerting } });

    it("reads each as a secret from aisc:alertWebhook-<receiver>", async () => {
      pulumi.runtime.setAllConfig(
        {
          "aisc:site": withAlerting(),
          "aisc:alertWebhook-oncall": "https://pager.example/hook?token=t1",
          "aisc:alertWebhook-channel": "https://chat.example/hook",
        },
        ["aisc:alertWebhook-oncall", "aisc:alertWebhook-channel"],
      );
      const { alertWebhooks } = loadSite();
      assert.deepStrictEqual(Object.keys(alertWebhooks), ["oncall", "channel"]);
      assert.strictEqual(await pulumi.isSecret(alertWebhooks.oncall), true);
    });

    it("refuses to deploy a receiver without its URL, naming the key to set", () => {
      pulumi.runtime.setAllConfig({ "aisc:site": withAlerting(), "aisc:alertWebhook-oncall": "https://pager.example/hook" }, ["aisc:alertWebhook-oncall"]);
      assert.throws(
        () => loadSite(),
        (err: Error) =>
          err instanceof pulumi.RunError &&
          err.message ===
            "aisc:site.monitoring.alerting.receivers: channel has no webhook URL; expected the secret aisc:alertWebhook-channel (pulumi config set --secret aisc:alertWebhook-channel <webhook URL>)",
      );
    });
  });
});
