import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cloudGpuContainerdConfig, gpuContainerdConfig } from "../../charts/containerd";
import { nodeGroups } from "../../components/cluster/node-groups";
import { nodeadmConfig } from "../../components/cluster/hybrid-spec";
import { PROJECT_ROOT } from "../../cli/paths";
import { parseSite } from "../../inventory/parse";
import { EKS_REGISTRY_ACCOUNTS } from "../../inventory/platform";
import { cloudSite, issuesOf, mutated } from "../helpers/fixtures";

/**
 * The containerd config of GPU nodes. On hybrid nodes nodeadm (aws/eks-hybrid v1.0.9, its
 * template vendored under charts/imports/nodeadm) writes it as a drop-in that containerd
 * imports; the real containerd from Debian shows what the node ends up with.
 */

const TEMPLATE = path.join(PROJECT_ROOT, "charts", "imports", "nodeadm", "eks-hybrid-v1.0.9-containerd-config.template.toml");
const PAUSE = "800184023465.dkr.ecr.ap-east-1.amazonaws.com/eks/pause:3.5";

/** `containerd config dump` of nodeadm's config with `dropIn` imported as nodeadm imports it; undefined without containerd. */
function dump(dropIn: string): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-containerd-"));
  fs.mkdirSync(path.join(dir, "config.d"));
  const base = fs
    .readFileSync(TEMPLATE, "utf8")
    .replace("{{.SandboxImage}}", PAUSE)
    .replace('root = "/var/lib/containerd"', `root = "${dir}/root"`)
    .replace('state = "/run/containerd"', `state = "${dir}/state"`)
    .replace('imports = ["/etc/containerd/config.d/*.toml"]', `imports = ["${dir}/config.d/*.toml"]`);
  fs.writeFileSync(path.join(dir, "config.toml"), base);
  fs.writeFileSync(path.join(dir, "config.d", "00-nodeadm.toml"), dropIn);
  const run = spawnSync("containerd", ["--config", path.join(dir, "config.toml"), "config", "dump"], { encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  if (run.error) return undefined;
  assert.strictEqual(run.status, 0, run.stderr);
  return run.stdout;
}

/** The dumped value of `key` in table `table` (the line after the table header, before the next one). */
function valueIn(text: string, table: string, key: string): string | undefined {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === `[${table}]`);
  if (start < 0) return undefined;
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith("[")) break;
    const m = new RegExp(`^\\s*${key} = (.*)$`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

const CRI = 'plugins."io.containerd.grpc.v1.cri"';

describe("containerd on GPU nodes", () => {
  it("keeps nodeadm's runc, pause image, registry and CNI paths and adds NVIDIA's runtime, under the real containerd", function () {
    const text = dump(gpuContainerdConfig("ap-east-1"));
    if (text === undefined) {
      console.log("      skipped: containerd is not installed (apt-get install containerd)");
      return this.skip();
    }
    assert.strictEqual(valueIn(text, CRI, "sandbox_image"), `"${PAUSE}"`);
    assert.strictEqual(valueIn(text, `${CRI}.containerd`, "default_runtime_name"), '"runc"');
    assert.strictEqual(valueIn(text, `${CRI}.containerd.runtimes.runc.options`, "SystemdCgroup"), "true");
    assert.strictEqual(valueIn(text, `${CRI}.containerd.runtimes.nvidia.options`, "BinaryName"), '"/usr/bin/nvidia-container-runtime"');
    assert.strictEqual(valueIn(text, `${CRI}.containerd.runtimes.nvidia.options`, "SystemdCgroup"), "true");
    assert.strictEqual(valueIn(text, `${CRI}.registry`, "config_path"), '"/etc/containerd/certs.d:/etc/docker/certs.d"');
    assert.strictEqual(valueIn(text, `${CRI}.cni`, "bin_dir"), '"/opt/cni/bin"');
  });

  it("shows why the drop-in restates nodeadm's section: a partial one loses runc's systemd cgroups and the pause image", function () {
    const text = dump(cloudGpuContainerdConfig());
    if (text === undefined) return this.skip();
    // containerd 1.6 (Debian's) replaces a plugin's section on import; the cloud config is
    // merged key by key by the EKS AMI's nodeadm instead, so it may be partial there.
    assert.notStrictEqual(valueIn(text, CRI, "sandbox_image"), `"${PAUSE}"`);
    assert.strictEqual(valueIn(text, `${CRI}.containerd.runtimes.runc.options`, "SystemdCgroup"), undefined);
  });

  it("puts the config in every hybrid GPU pool's NodeConfig and in every cloud GPU pool's launch template", () => {
    const site = parseSite(cloudSite());
    const config = JSON.parse(
      nodeadmConfig("aisc-testsite", "ap-east-1", "act", "code", { labels: {}, taints: [], containerdConfig: gpuContainerdConfig("ap-east-1") }),
    );
    assert.strictEqual(config.spec.containerd.config, gpuContainerdConfig("ap-east-1"));
    const system = JSON.parse(nodeadmConfig("aisc-testsite", "ap-east-1", "act", "code", { labels: {}, taints: [] }));
    assert.strictEqual(system.spec.containerd, undefined);
    const [systemGroup, cloud] = nodeGroups(site);
    assert.strictEqual(systemGroup.userData, undefined);
    const mime = Buffer.from(cloud.userData!, "base64").toString("utf8");
    assert.match(mime, /^MIME-Version: 1\.0\nContent-Type: multipart\/mixed; boundary="BOUNDARY"\n\n--BOUNDARY\nContent-Type: application\/node\.eks\.aws\n\n/);
    const part = JSON.parse(mime.split("\n")[6]);
    assert.deepStrictEqual(part, { apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: { containerd: { config: cloudGpuContainerdConfig() } } });
  });

  it("refuses a region whose EKS registry it does not know for hybrid GPU nodes, keyed", () => {
    assert.strictEqual(Object.keys(EKS_REGISTRY_ACCOUNTS).length, 35);
    assert.strictEqual(EKS_REGISTRY_ACCOUNTS["ap-east-1"], "800184023465");
    assert.deepStrictEqual(
      issuesOf(mutated((s) => (s.region = "cn-north-1"))).filter((i) => i.startsWith("aisc:site.region")),
      [
        `aisc:site.region: expected a region whose EKS image registry aisc knows for hybrid GPU nodes (${Object.keys(EKS_REGISTRY_ACCOUNTS).sort().join(", ")}), got "cn-north-1"`,
      ],
    );
  });
});
