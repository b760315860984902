import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { chooseProbe, comparePartitions, compareQos, nodeGres, representativeNodes } from "../../cli/verify-slurm/checks";
import { missingCommands } from "../../cli/verify-slurm/engine";
import { compressHostlist, expandHostlist, overlay } from "../../cli/verify-slurm/overlay";
import { parseSite } from "../../inventory/parse";
import { realSite, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

describe("aisc verify --only slurm", function () {
  describe("pure parts", () => {
    it("expands and compresses hostlists", () => {
      assert.deepStrictEqual(expandHostlist("a-[0-2,5],b-1"), ["a-0", "a-1", "a-2", "a-5", "b-1"]);
      assert.deepStrictEqual(expandHostlist("n[01-02]"), ["n01", "n02"]);
      assert.strictEqual(compressHostlist(["h-3", "h-1", "h-2", "h-7", "x"]), "h-[1-3,7],x");
    });

    it("swaps only auth, GRES detection, hosts, ports and paths, and runs the chosen nodes", () => {
      const conf = "ClusterName=s\nAuthType=auth/slurm\nSlurmctldHost=slurm-controller\nGresTypes=gpu\nNodeName=p-[0-3] CPUs=8 Gres=gpu:h100:8 State=UNKNOWN\n";
      const o = overlay(conf, "AutoDetect=nvidia\n", "CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n", { dir: "/t", mungeSocket: "/t/m", ports: { slurmctld: 1, slurmdbd: 2, slurmd: [3] }, cgroupV2: true, nodes: [{ name: "p-0", gresType: "h100", gpus: 8 }] });
      const lines = o.slurmConf.trim().split("\n");
      assert.ok(lines.includes("AuthType=auth/munge") && !lines.includes("AuthType=auth/slurm"));
      assert.ok(lines.includes("ClusterName=s") && lines.includes("GresTypes=gpu"));
      assert.ok(lines.includes("NodeName=p-0 NodeHostname=localhost NodeAddr=127.0.0.1 Port=3 CPUs=8 Gres=gpu:h100:8"));
      assert.ok(lines.includes("NodeName=p-[1-3] CPUs=8 Gres=gpu:h100:8 State=FUTURE"));
      assert.strictEqual(o.gresConf, "NodeName=p-0 Name=gpu Type=h100 File=/t/dev/p-0/nvidia[0-7]\n");
    });

    it("proves the smallest tenant's limit with one GPU more than it on the default partition", () => {
      const site = parseSite(smallSite());
      const probe = chooseProbe(site)!;
      assert.deepStrictEqual([probe.tenant, probe.limit, probe.partition, probe.pool.name, probe.nodes], ["gov-c", 4, "train", "h100-a", 1]);
      assert.deepStrictEqual(representativeNodes(site, probe).map((n) => n.name), ["h100-a-0", "h100-cloud-0"]);
      const sandy = chooseProbe(parseSite(realSite("sandy-ridge")))!;
      assert.deepStrictEqual([sandy.tenant, sandy.limit, sandy.pool.name, sandy.nodes], ["dpo", 100, "b200-p1", 13]);
    });

    it("compares partitions, node GRES and QoS with the inventory", () => {
      const site = parseSite(smallSite());
      assert.deepStrictEqual(comparePartitions(site, "PartitionName=train Nodes=h100-a-[0-3] State=UP\nPartitionName=burst Nodes=h100-cloud-0\n"), []);
      assert.deepStrictEqual(comparePartitions(site, "PartitionName=train Nodes=h100-a-[0-2]\nPartitionName=extra Nodes=(null)\n"), [
        "partition train: has 3 nodes, expected 4 (h100-a-0 ... h100-a-3)",
        "partition burst: missing",
        "partition extra: not in the inventory",
      ]);
      assert.strictEqual(nodeGres("NodeName=h100-a-0 Gres=gpu:h100:8(S:0-1) State=IDLE"), "gpu:h100:8");
      assert.deepStrictEqual(compareQos(site, "normal|\nuni-a|gres/gpu=8\nlab-b|gres/gpu=6\n"), [
        "tenant lab-b: QoS GrpTRES is \"gres/gpu=6\", expected gres/gpu=16 (its Kubernetes GPU quota)",
        "tenant gov-c: QoS GrpTRES is missing, expected gres/gpu=4 (its Kubernetes GPU quota)",
      ]);
    });
  });

  describe("on the real engines", function () {
    const engines = ["slurmctld", "slurmd", "slurmdbd", "munged", "sacctmgr"];
    let file: string;
    let out: string;
    let original: string;
    before(function () {
      const missing = missingCommands(engines);
      if (missing.length) {
        // The Debian engines are installed by .ci/run; a machine without them cannot run these.
        console.log(`    (engines not installed: ${missing.join(", ")}; the engine tests are pending here)`);
        this.skip();
      }
      file = writeStackFile("small", smallSite());
      out = tempDir();
      assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
      original = fs.readFileSync(path.join(out, "small", "slurm", "slurm.conf"), "utf8");
    });
    afterEach(() => original && fs.writeFileSync(path.join(out, "small", "slurm", "slurm.conf"), original));

    it("runs the site's files, proves partitions, GRES and QoS, and holds a job over the limit", () => {
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /^small slurm: the site's Slurm files on real slurmctld, slurmd and slurmdbd \(Slurm [\d.]+\): passed$/m);
      assert.match(run.stdout, /^ {2}swapped: auth\/slurm and cred\/slurm -> munge \(Slurm 22\.05 has no auth\/slurm\)$/m);
      assert.match(run.stdout, /^ {2}node GRES checked on h100-a-0, h100-cloud-0$/m);
      assert.match(run.stdout, /^ {2}tenant gov-c: job \d+ at its limit of 4 GPUs runs on 1 h100-a nodes; job \d+ for one more GPU waits \(QOSGrpGRES\)$/m);
    });

    it("fails with Slurm's own message on a broken slurm.conf", () => {
      fs.writeFileSync(path.join(out, "small", "slurm", "slurm.conf"), original.replace("SelectType=select/cons_tres", "SelectType=select/cons_tress"));
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 1);
      assert.match(run.stdout, /: failed$/m);
      assert.match(run.stdout, /fatal: Can't find plugin for select\/cons_tress/);
    });

    it("fails when a node's GRES in slurm.conf is not what the inventory declares", () => {
      fs.writeFileSync(path.join(out, "small", "slurm", "slurm.conf"), original.replace(/^(NodeName=h100-a-\S+ .*)Gres=gpu:h100:8/m, "$1Gres=gpu:h100:4"));
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 1, run.stdout);
      assert.match(run.stdout, /FAILED node h100-a-0: Gres=gpu:h100:4, expected gpu:h100:8 \(pool h100-a\)|nodes did not come up/);
    });
  });
});
