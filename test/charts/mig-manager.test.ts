import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { App } from "cdk8s";
import * as YAML from "yaml";
import { MigManagerChart, migPartedConfig, needsMigManager } from "../../charts/mig-manager";
import { PROJECT_ROOT } from "../../cli/paths";
import { gpuNodeLabels } from "../../components/cluster/node-groups";
import { K8sObject } from "../../components/k8s";
import { GPU_CATALOG, GPU_MODELS } from "../../inventory/catalog";
import { poolResources } from "../../inventory/gpu-resources";
import { parseSite } from "../../inventory/parse";
import { mutated, realSite } from "../helpers/fixtures";

/** MIG: the catalog's profiles against NVIDIA's own layouts, and the MIG manager that applies a pool's. */

const MIG_CONFIG = path.join(PROJECT_ROOT, "charts", "imports", "mig", "gpu-operator-v25.10.1-default-mig-parted-config.yaml");

type Layout = { "device-filter"?: string[]; devices: string; "mig-enabled": boolean; "mig-devices"?: Record<string, number> }[];

describe("MIG", () => {
  it("knows each model's profiles as NVIDIA's default mig-parted config (GPU Operator v25.10.1) lays them out", () => {
    const text = fs.readFileSync(MIG_CONFIG, "utf8");
    assert.match(text, /^# Vendored, unedited: NVIDIA\/gpu-operator v25\.10\.1 \(commit [0-9a-f]{40}\),\n/);
    const configs = YAML.parse(YAML.parse(text).data["config.yaml"])["mig-configs"] as Record<string, Layout>;
    let checked = 0;
    for (const model of GPU_MODELS) {
      const gpu = GPU_CATALOG[model];
      assert.strictEqual(Object.keys(gpu.migProfiles).length > 0, gpu.migCapable, model);
      for (const [profile, perGpu] of Object.entries(gpu.migProfiles)) {
        const layout = configs[`all-${profile}`];
        assert.ok(layout, `${model}: no all-${profile} layout`);
        const entry = layout.find((e) => e["device-filter"]?.includes(gpu.pciDeviceId)) ?? layout.find((e) => !e["device-filter"]);
        assert.ok(entry, `${model}: all-${profile} has no entry for ${gpu.pciDeviceId}`);
        assert.deepStrictEqual(entry["mig-devices"], { [profile]: perGpu }, `${model} all-${profile}`);
        checked++;
      }
    }
    assert.strictEqual(checked, 36);
  });

  const site = parseSite(realSite("cyberport"));
  const mig = site.pools.find((p) => p.name === "h100-mig")!;

  it("labels a MIG pool's nodes with its layout and for the MIG manager, and counts its slices", () => {
    assert.deepStrictEqual(gpuNodeLabels(mig), {
      "aisc.hk/pool": "h100-mig",
      "aisc.hk/gpu-model": "H100",
      "nvidia.com/device-plugin.config": "h100-mig",
      "nvidia.com/mig.config": "all-1g.10gb",
      "nvidia.com/gpu.deploy.mig-manager": "true",
    });
    assert.deepStrictEqual(poolResources(mig), { "nvidia.com/mig-1g.10gb": 8 * 8 * 7 });
    assert.ok(!("nvidia.com/mig.config" in gpuNodeLabels(site.pools[0])));
  });

  it("gives mig-parted the layouts the pools use, and runs the manager only where a pool has one", () => {
    assert.deepStrictEqual(YAML.parse(migPartedConfig(site)), {
      version: "v1",
      "mig-configs": {
        "all-disabled": [{ devices: "all", "mig-enabled": false }],
        "all-1g.10gb": [{ devices: "all", "mig-enabled": true, "mig-devices": { "1g.10gb": 7 } }],
      },
    });
    assert.ok(needsMigManager(site));
    assert.ok(!needsMigManager(parseSite(mutated(() => undefined))));
  });

  it("runs the manager as mig-parted's example does, with only the rights it uses", () => {
    const objects = new MigManagerChart(new App(), "mig", { site }).toJson() as K8sObject[];
    const find = (kind: string) => objects.find((o) => o.kind === kind) as any;
    const pod = find("DaemonSet").spec.template.spec;
    assert.deepStrictEqual(pod.nodeSelector, { "nvidia.com/gpu.deploy.mig-manager": "true" });
    assert.strictEqual(pod.runtimeClassName, "nvidia");
    assert.strictEqual(pod.hostPID, true);
    const manager = pod.containers[0];
    assert.strictEqual(manager.image, "nvcr.io/nvidia/cloud-native/k8s-mig-manager:v0.13.1");
    const env = Object.fromEntries(manager.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
    assert.deepStrictEqual(env, {
      CONFIG_FILE: "/mig-parted-config/config.yaml",
      HOST_ROOT_MOUNT: "/host",
      HOST_NVIDIA_DIR: "/usr/local/nvidia",
      HOST_MIG_MANAGER_STATE_FILE: "/etc/systemd/system/nvidia-mig-manager.service.d/override.conf",
      DEFAULT_GPU_CLIENTS_NAMESPACE: "nvidia-gpu",
      WITH_REBOOT: "false",
    });
    assert.deepStrictEqual(find("ClusterRole").rules, [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "update", "patch"] }]);
    assert.deepStrictEqual(find("Role").rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "delete"] }]);
    assert.strictEqual(find("Role").metadata.namespace, "nvidia-gpu");
  });
});
