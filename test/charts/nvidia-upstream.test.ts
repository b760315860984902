import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { App } from "cdk8s";
import { NvidiaDevicePluginChart } from "../../charts/nvidia-device-plugin";
import { K8sObject } from "../../components/k8s";
import { PROJECT_ROOT } from "../../cli/paths";
import { parseSite } from "../../inventory/parse";
import { mutated, withCloudPool } from "../helpers/fixtures";

/**
 * The NVIDIA agents as the upstream chart runs them: NVIDIA/k8s-device-plugin v0.17.1's
 * templates, vendored unedited under charts/imports/templates/, rendered (by reading them) with
 * the values aisc's choices amount to: an embedded config map, `nvidiaDriverRoot: /`,
 * `runtimeClassName: nvidia`, no `migStrategy`/`failOnInitError` values (each pool's config
 * holds those). Each expectation names the template lines it stands on, and the test fails if
 * the vendored template no longer has them, so a version bump means reading them again.
 */

const DIR = path.join(PROJECT_ROOT, "charts", "imports", "templates", "nvidia-device-plugin-v0.17.1");
const template = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");

/** Every line of `lines` occurs in the vendored file, in order. */
function assertCites(file: string, lines: readonly string[]): void {
  const text = template(file)
    .split("\n")
    .map((l) => l.trim());
  let at = 0;
  for (const line of lines) {
    const found = text.indexOf(line, at);
    assert.ok(found >= 0, `${file} no longer has, after line ${at + 1}: ${line}`);
    at = found + 1;
  }
}

function daemonSet(site: ReturnType<typeof parseSite>, name: string): any {
  const objs = new NvidiaDevicePluginChart(new App(), "nvidia", { site }).toJson() as K8sObject[];
  const ds = objs.find((o) => o.kind === "DaemonSet" && o.metadata.name === name);
  assert.ok(ds, name);
  return (ds as any).spec.template.spec;
}

const envNames = (c: any) => c.env.map((e: any) => e.name);
const mounts = (c: any) => Object.fromEntries(c.volumeMounts.map((m: any) => [m.name, m.mountPath]));
const main = (pod: any, name: string) => pod.containers.find((c: any) => c.name === name);

const plain = parseSite(mutated((s) => (s.pools[1].sharing = { mps: { replicas: 4 } })));
const mig = parseSite(
  mutated(
    (s) => (
      withCloudPool(s),
      (s.pools[0].sharing = { migStrategy: "mixed", migLayout: "all-1g.10gb" }),
      (s.slurm.partitions = [s.slurm.partitions[1]]),
      (s.pools[1].sharing = { mps: { replicas: 4 } })
    ),
  ),
);

describe("NVIDIA agents against the upstream chart's templates (v0.17.1)", () => {
  it("vendors the templates unedited, naming where they came from", () => {
    for (const f of fs.readdirSync(DIR)) {
      assert.match(
        template(f),
        /^# Vendored, unedited: NVIDIA\/k8s-device-plugin v0\.17\.1 \(commit [0-9a-f]{40}\),\n# deployments\/helm\/nvidia-device-plugin\/templates\//,
        f,
      );
    }
  });

  it("device plugin: the environment, mounts and volumes of daemonset-device-plugin.yml", () => {
    assertCites("daemonset-device-plugin.yml", [
      "- name: MPS_ROOT",
      '{{- if typeIs "string" .Values.nvidiaDriverRoot }}',
      "- name: NVIDIA_DRIVER_ROOT",
      "{{- if $options.hasConfigMap }}",
      "- name: CONFIG_FILE",
      "{{- if $options.addMigMonitorDevices }}",
      "- name: NVIDIA_MIG_MONITOR_DEVICES",
      "- name: NVIDIA_VISIBLE_DEVICES",
      "- name: NVIDIA_DRIVER_CAPABILITIES",
      "mountPath: /var/lib/kubelet/device-plugins",
      "mountPath: /driver-root",
      "mountPath: /dev/shm",
      "mountPath: /mps",
      "mountPath: /var/run/cdi",
      "mountPath: /available-configs",
      "mountPath: /config",
      "path: /var/lib/kubelet/device-plugins",
      "type: DirectoryOrCreate",
      "path: /var/run/cdi",
    ]);
    for (const [site, migEnv] of [
      [plain, []],
      [mig, ["NVIDIA_MIG_MONITOR_DEVICES"]],
    ] as const) {
      const pod = daemonSet(site, "nvidia-device-plugin");
      const plugin = main(pod, "nvidia-device-plugin");
      assert.deepStrictEqual(envNames(plugin), [
        "MPS_ROOT",
        "NVIDIA_DRIVER_ROOT",
        "CONFIG_FILE",
        ...migEnv,
        "NVIDIA_VISIBLE_DEVICES",
        "NVIDIA_DRIVER_CAPABILITIES",
      ]);
      assert.deepStrictEqual(mounts(plugin), {
        "device-plugin": "/var/lib/kubelet/device-plugins",
        "driver-root": "/driver-root",
        "mps-shm": "/dev/shm",
        "mps-root": "/mps",
        "cdi-root": "/var/run/cdi",
        "available-configs": "/available-configs",
        config: "/config",
      });
      assert.strictEqual(plugin.volumeMounts.find((m: any) => m.name === "driver-root").readOnly, true);
      const volumes = Object.fromEntries(pod.volumes.filter((v: any) => v.hostPath).map((v: any) => [v.name, v.hostPath]));
      assert.deepStrictEqual(volumes, {
        "device-plugin": { path: "/var/lib/kubelet/device-plugins" },
        "driver-root": { path: "/" },
        "mps-root": { path: "/run/nvidia/mps", type: "DirectoryOrCreate" },
        "mps-shm": { path: "/run/nvidia/mps/shm" },
        "cdi-root": { path: "/var/run/cdi", type: "DirectoryOrCreate" },
      });
      assert.strictEqual(pod.runtimeClassName, "nvidia");
      assert.strictEqual(pod.shareProcessNamespace, true);
    }
  });

  it("device plugin: SYS_ADMIN exactly when some pool uses MIG, as nvidia-device-plugin.securityContext gives it", () => {
    assertCites("_helpers.tpl", [
      '{{- define "nvidia-device-plugin.securityContext" -}}',
      '{{- else if eq (include "nvidia-device-plugin.requiresCapSysAdmin" .) "true" -}}',
      "- SYS_ADMIN",
      "allowPrivilegeEscalation: false",
      'drop: ["ALL"]',
      '{{- define "nvidia-device-plugin.requiresCapSysAdmin" -}}',
      '{{- if ne (include "nvidia-device-plugin.allPossibleMigStrategiesAreNone" .) "true" -}}',
      '{{- else if eq (include "nvidia-device-plugin.deviceListStrategyIncludesVolumeMount" .) "true" -}}',
    ]);
    const none = daemonSet(plain, "nvidia-device-plugin");
    const some = daemonSet(mig, "nvidia-device-plugin");
    assert.deepStrictEqual(main(none, "nvidia-device-plugin").securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    assert.deepStrictEqual(main(some, "nvidia-device-plugin").securityContext, { capabilities: { add: ["SYS_ADMIN"] } });
    // The config sidecar runs with the plugin's context, as upstream's does.
    assertCites("daemonset-device-plugin.yml", [
      "name: nvidia-device-plugin-sidecar",
      'value: "nvidia-device-plugin"',
      "securityContext:",
      '{{- include "nvidia-device-plugin.securityContext" . | nindent 10 }}',
    ]);
    assert.deepStrictEqual(main(some, "nvidia-device-plugin-config").securityContext, { capabilities: { add: ["SYS_ADMIN"] } });
  });

  it("GPU feature discovery: privileged by the chart's default, the environment and mounts of daemonset-gfd.yml", () => {
    assertCites("daemonset-gfd.yml", [
      "- name: NODE_NAME",
      "- name: NAMESPACE",
      "- name: GFD_SLEEP_INTERVAL",
      "- name: CONFIG_FILE",
      "- name: NVIDIA_MIG_MONITOR_DEVICES",
      '{{- include "gpu-feature-discovery.securityContext" . | nindent 10 }}',
      'mountPath: "/etc/kubernetes/node-feature-discovery/features.d"',
      'mountPath: "/sys"',
      "mountPath: /available-configs",
      "mountPath: /config",
    ]);
    assertCites("_helpers.tpl", [
      '{{- define "gpu-feature-discovery.securityContext" -}}',
      "{{- if ne (len .Values.gfd.securityContext) 0 -}}",
      "{{ toYaml .Values.gfd.securityContext }}",
    ]);
    for (const [site, migEnv] of [
      [plain, []],
      [mig, ["NVIDIA_MIG_MONITOR_DEVICES"]],
    ] as const) {
      const pod = daemonSet(site, "gpu-feature-discovery");
      const gfd = main(pod, "gpu-feature-discovery");
      assert.deepStrictEqual(envNames(gfd), ["NODE_NAME", "NAMESPACE", "GFD_SLEEP_INTERVAL", "CONFIG_FILE", ...migEnv]);
      assert.deepStrictEqual(gfd.securityContext, { privileged: true });
      assert.deepStrictEqual(mounts(gfd), {
        "output-dir": "/etc/kubernetes/node-feature-discovery/features.d",
        "host-sys": "/sys",
        "available-configs": "/available-configs",
        config: "/config",
      });
      assert.strictEqual(pod.runtimeClassName, "nvidia");
    }
  });

  it("MPS control daemon: the privileged shm mounter, the daemon and its signal of daemonset-mps-control-daemon.yml", () => {
    assertCites("daemonset-mps-control-daemon.yml", [
      "name: mps-control-daemon-mounts",
      "command: [mps-control-daemon, mount-shm]",
      "privileged: true",
      "mountPropagation: Bidirectional",
      'value: "/usr/bin/mps-control-daemon"',
      "command: [mps-control-daemon]",
      "- name: CONFIG_FILE",
      "- name: NVIDIA_MIG_MONITOR_DEVICES",
      "- name: NVIDIA_VISIBLE_DEVICES",
      "- name: NVIDIA_DRIVER_CAPABILITIES",
      "privileged: true",
    ]);
    for (const [site, migEnv] of [
      [plain, []],
      [mig, ["NVIDIA_MIG_MONITOR_DEVICES"]],
    ] as const) {
      const pod = daemonSet(site, "nvidia-device-plugin-mps-control-daemon");
      assert.deepStrictEqual(
        pod.initContainers.map((c: any) => c.name),
        ["mps-control-daemon-mounts", "mps-control-daemon-init"],
      );
      assert.deepStrictEqual(pod.initContainers[0].command, ["mps-control-daemon", "mount-shm"]);
      assert.deepStrictEqual(pod.initContainers[0].volumeMounts, [{ name: "mps-root", mountPath: "/mps", mountPropagation: "Bidirectional" }]);
      const daemon = main(pod, "mps-control-daemon");
      assert.deepStrictEqual(envNames(daemon), ["NODE_NAME", "CONFIG_FILE", ...migEnv, "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES"]);
      assert.deepStrictEqual(daemon.securityContext, { privileged: true });
      const sidecar = main(pod, "mps-control-daemon-config");
      assert.strictEqual(sidecar.env.find((e: any) => e.name === "PROCESS_TO_SIGNAL").value, "/usr/bin/mps-control-daemon");
      assert.notStrictEqual(sidecar.securityContext.privileged, true);
    }
  });
});
