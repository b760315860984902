import * as assert from "assert";
import { Plan } from "../../../cli/record";
import { ofType, realPlan } from "../../helpers/plan";

describe("NvidiaGpu through the bridge, under the offline plan", () => {
  let plan: Plan;
  before(() => {
    plan = realPlan("cyberport");
  });

  it("creates every chart object as its own typed resource under the site's provider", () => {
    const daemonSets = ofType(plan, "kubernetes:apps/v1:DaemonSet")
      .map((r) => (r.inputs.metadata as any).name)
      .sort();
    assert.deepStrictEqual(daemonSets, ["dcgm-exporter", "gpu-feature-discovery", "nvidia-device-plugin", "nvidia-mig-manager"]);
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    for (const r of plan.resources.filter((x) => (x.inputs.metadata as any)?.namespace === "nvidia-gpu")) {
      assert.ok(r.provider?.startsWith(`${provider.urn}::`), r.urn);
      assert.ok(r.parent?.includes("aisc:k8s:ChartResources"), r.urn);
    }
  });

  it("creates the namespace before the objects in it", () => {
    const ns = ofType(plan, "kubernetes:core/v1:Namespace").find((r) => (r.inputs.metadata as any).name === "nvidia-gpu")!;
    assert.ok(ns.parent?.includes("aisc:platform:Namespaces"));
    for (const r of plan.resources.filter((x) => (x.inputs.metadata as any)?.namespace === "nvidia-gpu")) {
      assert.ok(r.options.dependencies.includes(ns.urn), `${r.urn} waits for the namespace`);
    }
  });

  it("names resources by namespace and name, so they survive reordering", () => {
    const names = ofType(plan, "kubernetes:core/v1:ConfigMap")
      .map((r) => r.name)
      .filter((n) => n.startsWith("cyberport-nvidia-"))
      .sort();
    assert.deepStrictEqual(names, [
      "cyberport-nvidia-objects:nvidia-gpu/dcgm-exporter-counters",
      "cyberport-nvidia-objects:nvidia-gpu/nvidia-device-plugin-configs",
      "cyberport-nvidia-objects:nvidia-gpu/nvidia-mig-parted-config",
    ]);
  });
});
