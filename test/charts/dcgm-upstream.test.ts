import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { App } from "cdk8s";
import { DcgmExporterChart } from "../../charts/dcgm-exporter";
import { MonitoringChart } from "../../charts/monitoring";
import { PROJECT_ROOT } from "../../cli/paths";
import { parseSite } from "../../inventory/parse";
import { realSite } from "../helpers/fixtures";

/**
 * The DCGM exporter container as its image at the pinned tag needs it: the entrypoint
 * (dcgm-exporter 4.2.3-4.1.3's docker/dcgm-exporter-entrypoint.sh, vendored unedited under
 * charts/imports/templates/) runs `ldconfig` under `set -e` and `setcap` unless `NO_SETCAP` is
 * set, then execs the exporter with the container's args. Each expectation names the lines it
 * stands on, and fails if the vendored file no longer has them.
 */

const ENTRYPOINT = fs
  .readFileSync(path.join(PROJECT_ROOT, "charts", "imports", "templates", "dcgm-exporter-4.2.3-4.1.3", "dcgm-exporter-entrypoint.sh"), "utf8")
  .split("\n")
  .map((l) => l.trim());

function cites(line: string): void {
  assert.ok(ENTRYPOINT.includes(line), `the vendored entrypoint no longer has: ${line}`);
}

describe("the DCGM exporter against its image's entrypoint (4.2.3-4.1.3)", () => {
  const site = parseSite(realSite("cyberport"));
  const objects = new DcgmExporterChart(new App(), "dcgm", { site }).toJson();
  const container = objects.find((o) => o.kind === "DaemonSet").spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));

  it("keeps the root filesystem writable, since the entrypoint rewrites the linker cache and stops on any error", () => {
    cites("set -euo pipefail");
    cites("ldconfig #Must refresh the cache to find libdcgm.so");
    assert.strictEqual(container.securityContext.readOnlyRootFilesystem, false);
  });

  it("runs the image's entrypoint with the counters file as arguments, as root with SYS_ADMIN for profiling", () => {
    cites('set -- $DCGM_EXPORTER "$@"');
    assert.strictEqual(container.command, undefined, "the entrypoint stays");
    assert.deepStrictEqual(container.args, ["-f", "/etc/dcgm-exporter/counters.csv"]);
    assert.deepStrictEqual([container.securityContext.runAsUser, container.securityContext.runAsNonRoot], [0, false]);
    assert.deepStrictEqual(container.securityContext.capabilities, { drop: ["ALL"], add: ["SYS_ADMIN"] });
  });

  it("skips the entrypoint's setcap, which needs CAP_SETFCAP the container does not have", () => {
    cites('if [ -z "$NO_SETCAP" ]; then');
    assert.notStrictEqual(env.NO_SETCAP ?? "", "");
  });

  it("maps GPUs to pods by UUID, with the site's shared resource names", () => {
    assert.strictEqual(env.DCGM_EXPORTER_KUBERNETES_GPU_ID_TYPE, "uid");
    assert.strictEqual(env.NVIDIA_RESOURCE_NAMES, "nvidia.com/gpu.shared");
  });

  it("scrapes it keeping the exporter's pod labels: the target's are dropped and its node added", () => {
    const monitor = new MonitoringChart(new App(), "m", { site }).toJson().find((o) => o.kind === "ServiceMonitor");
    assert.deepStrictEqual(monitor.spec.endpoints, [
      {
        port: "metrics",
        interval: "30s",
        honorLabels: false,
        relabelings: [
          { sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node", action: "replace" },
          { regex: "namespace|pod|container", action: "labeldrop" },
        ],
      },
    ]);
  });
});
