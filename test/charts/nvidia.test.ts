import * as assert from "assert";
import { App } from "cdk8s";
import * as YAML from "yaml";
import { countersCsv, DcgmExporterChart } from "../../charts/dcgm-exporter";
import { devicePluginConfig, NvidiaDevicePluginChart } from "../../charts/nvidia-device-plugin";
import { PlatformNamespacesChart } from "../../charts/platform-namespaces";
import { K8sObject } from "../../components/k8s";
import { parseSite } from "../../inventory/parse";
import { cloudSite, smallSite } from "../helpers/fixtures";

function objects(site = parseSite(cloudSite())): K8sObject[] {
  const app = new App();
  return [...new NvidiaDevicePluginChart(app, "nvidia", { site }).toJson(), ...new DcgmExporterChart(app, "dcgm", { site }).toJson()] as K8sObject[];
}

function find(objs: K8sObject[], kind: string, name: string): any {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} rendered`);
  return o;
}

describe("NVIDIA charts", () => {
  it("gives each pool a named device-plugin config: exclusive, MIG mixed, time-sliced", () => {
    const FLAGS = { failOnInitError: true, nvidiaDriverRoot: "/", plugin: { deviceListStrategy: ["cdi-cri"], deviceIDStrategy: "uuid" } };
    const s = cloudSite();
    s.pools[0].sharing = { migStrategy: "mixed", migLayout: "all-1g.10gb" };
    s.slurm.partitions = [s.slurm.partitions[1]];
    const site = parseSite(s);
    const data = find(objects(site), "ConfigMap", "nvidia-device-plugin-configs").data;
    assert.deepStrictEqual(Object.keys(data), ["aisc-default", "h100-a", "h100-cloud", "l40s-ts"]);
    assert.deepStrictEqual(YAML.parse(data["aisc-default"]), { version: "v1", flags: { migStrategy: "none", ...FLAGS } });
    assert.deepStrictEqual(YAML.parse(data["h100-a"]), { version: "v1", flags: { migStrategy: "mixed", ...FLAGS } });
    assert.deepStrictEqual(YAML.parse(data["h100-cloud"]), { version: "v1", flags: { migStrategy: "none", ...FLAGS } });
    assert.deepStrictEqual(YAML.parse(data["l40s-ts"]), {
      version: "v1",
      flags: { migStrategy: "none", ...FLAGS },
      sharing: { timeSlicing: { failRequestsGreaterThanOne: true, resources: [{ name: "nvidia.com/gpu", rename: "nvidia.com/gpu.shared", replicas: 4 }] } },
    });
  });

  it("keeps the plain resource name when a pool asks to share nvidia.com/gpu itself", () => {
    const s = smallSite();
    s.pools[1].sharing.timeSlicing.resourceName = "nvidia.com/gpu";
    const config = devicePluginConfig(parseSite(s).pools[1]) as any;
    assert.deepStrictEqual(config.sharing.timeSlicing.resources, [{ name: "nvidia.com/gpu", replicas: 4 }]);
  });

  it("runs the device plugin on GPU nodes only, node-critical, unprivileged, with the kubelet socket", () => {
    const ds = find(objects(), "DaemonSet", "nvidia-device-plugin");
    const pod = ds.spec.template.spec;
    assert.strictEqual(ds.metadata.namespace, "nvidia-gpu");
    assert.strictEqual(pod.priorityClassName, "system-node-critical");
    assert.deepStrictEqual(pod.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    // Any GPU node, unless the MIG manager has paused the plugin there.
    const gpu = { key: "aisc.hk/pool", operator: "Exists" };
    assert.deepStrictEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
      { matchExpressions: [gpu, { key: "nvidia.com/gpu.deploy.device-plugin", operator: "DoesNotExist" }] },
      { matchExpressions: [gpu, { key: "nvidia.com/gpu.deploy.device-plugin", operator: "In", values: ["true"] }] },
    ]);
    assert.strictEqual(ds.spec.template.metadata.labels.app, "nvidia-device-plugin-daemonset");
    const plugin = pod.containers.find((c: any) => c.name === "nvidia-device-plugin");
    assert.strictEqual(plugin.image, "nvcr.io/nvidia/k8s-device-plugin:v0.17.1");
    assert.strictEqual(plugin.securityContext.allowPrivilegeEscalation, false);
    assert.deepStrictEqual(plugin.securityContext.capabilities, { drop: ["ALL"] });
    assert.ok(pod.volumes.some((v: any) => v.hostPath?.path === "/var/lib/kubelet/device-plugins"));
    for (const c of [...pod.containers, ...pod.initContainers]) assert.notStrictEqual(c.securityContext.privileged, true, c.name);
  });

  it("lets each node pick its config by the nvidia.com/device-plugin.config label", () => {
    const pod = find(objects(), "DaemonSet", "nvidia-device-plugin").spec.template.spec;
    const sidecar = pod.containers.find((c: any) => c.name === "nvidia-device-plugin-config");
    const env = Object.fromEntries(sidecar.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
    assert.strictEqual(env.NODE_LABEL, "nvidia.com/device-plugin.config");
    assert.strictEqual(env.PROCESS_TO_SIGNAL, "nvidia-device-plugin");
    assert.strictEqual(pod.shareProcessNamespace, true);
    assert.strictEqual(pod.initContainers[0].env.find((e: any) => e.name === "ONESHOT").value, "true");
    assert.strictEqual(env.DEFAULT_CONFIG, "aisc-default");
  });

  it("renders GPU Feature Discovery and the DCGM exporter with pod attribution", () => {
    const objs = objects();
    assert.strictEqual(find(objs, "DaemonSet", "gpu-feature-discovery").spec.template.spec.containers[1].command[0], "gpu-feature-discovery");
    const dcgm = find(objs, "DaemonSet", "dcgm-exporter").spec.template.spec;
    const env = Object.fromEntries(dcgm.containers[0].env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
    assert.strictEqual(env.DCGM_EXPORTER_KUBERNETES, "true");
    assert.ok(dcgm.volumes.some((v: any) => v.hostPath?.path === "/var/lib/kubelet/pod-resources"));
    assert.deepStrictEqual(dcgm.containers[0].securityContext.capabilities, { drop: ["ALL"], add: ["SYS_ADMIN"] });
    // The device plugin registers GPUs by UUID; the exporter's uid ID type matches them.
    assert.strictEqual(env.DCGM_EXPORTER_KUBERNETES_GPU_ID_TYPE, "uid");
  });

  it("turns on every counter the alerts need", () => {
    const csv = countersCsv();
    for (const field of [
      "DCGM_FI_DEV_XID_ERRORS",
      "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
      "DCGM_FI_DEV_ROW_REMAP_FAILURE",
      "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
      "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL",
      "DCGM_FI_DEV_POWER_USAGE",
      "DCGM_FI_DEV_GPU_TEMP",
      "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
      "DCGM_FI_DEV_FB_USED",
    ]) {
      assert.match(csv, new RegExp(`^${field}, (gauge|counter), `, "m"), field);
    }
    assert.strictEqual(find(objects(), "ConfigMap", "dcgm-exporter-counters").data["counters.csv"], csv);
  });

  it("adds the MPS control daemon only for MPS pools, on their nodes", () => {
    assert.ok(!objects().some((o) => o.metadata.name === "nvidia-device-plugin-mps-control-daemon"));
    const s = smallSite();
    s.pools[1].sharing = { mps: { replicas: 2 } };
    const mps = find(objects(parseSite(s)), "DaemonSet", "nvidia-device-plugin-mps-control-daemon");
    const terms = mps.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    assert.deepStrictEqual(terms, [{ matchExpressions: [{ key: "aisc.hk/pool", operator: "In", values: ["l40s-ts"] }] }]);
  });

  it("puts the agents in a privileged platform namespace, the Slurm operator and cert-manager in restricted ones", () => {
    const namespaces = (new PlatformNamespacesChart(new App(), "ns").toJson() as K8sObject[]).filter((o) => o.kind === "Namespace");
    const levels = Object.fromEntries(namespaces.map((n: any) => [n.metadata.name, n.metadata.labels["pod-security.kubernetes.io/enforce"]]));
    assert.deepStrictEqual(levels, {
      "nvidia-gpu": "privileged",
      slinky: "restricted",
      slurm: "privileged",
      monitoring: "privileged",
      "cert-manager": "restricted",
    });
  });
});
