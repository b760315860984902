import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { chooseProbe, comparePartitions, compareQos, nodeGres, representativeNodes } from "../../cli/verify-slurm/checks";
import { missingCommands } from "../../cli/verify-slurm/engine";
import { compressHostlist, expandHostlist, overlay } from "../../cli/verify-slurm/overlay";
import { parseSite } from "../../inventory/parse";
import { realSite, cloudSite, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
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
      const o = overlay(conf, "AutoDetect=nvidia\n", "CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n", {
        dir: "/t",
        mungeSocket: "/t/m",
        ports: { slurmctld: 1, slurmdbd: 2, slurmd: [3] },
        cgroupV2: true,
        nodes: [{ name: "p-0", gresType: "h100", gpus: 8 }],
      });
      const lines = o.slurmConf.trim().split("\n");
      assert.ok(lines.includes("AuthType=auth/munge") && !lines.includes("AuthType=auth/slurm"));
      assert.ok(lines.includes("ClusterName=s") && lines.includes("GresTypes=gpu"));
      assert.ok(lines.includes("NodeName=p-0 NodeHostname=localhost NodeAddr=127.0.0.1 Port=3 CPUs=8 Gres=gpu:h100:8"));
      assert.ok(lines.includes("NodeName=p-[1-3] CPUs=8 Gres=gpu:h100:8 State=FUTURE"));
      assert.strictEqual(o.gresConf, "NodeName=p-0 Name=gpu Type=h100 File=/t/dev/p-0/nvidia[0-7]\n");
    });

    it("drops what Slurm 22.05 lacks, and uses cgroup v1 only where the machine has no v2, saying so", () => {
      const conf = "ClusterName=s\nMetricsType=metrics/openmetrics\nTopologyPlugin=topology/block\nEnforcePartLimits=ALL\n";
      const local = { dir: "/t", mungeSocket: "/t/m", ports: { slurmctld: 1, slurmdbd: 2, slurmd: [] }, nodes: [] };
      const v1 = overlay(conf, "", "CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n", { ...local, cgroupV2: false });
      assert.ok(!/MetricsType|TopologyPlugin/.test(v1.slurmConf) && v1.slurmConf.includes("EnforcePartLimits=ALL\n"));
      assert.strictEqual(v1.cgroupConf, "CgroupPlugin=cgroup/v1\nIgnoreSystemd=yes\n");
      assert.deepStrictEqual(v1.swaps.slice(5), [
        "MetricsType=metrics/openmetrics dropped (Slurm 22.05 has no metrics plugins; the site's Prometheus scrapes 25.11's)",
        "TopologyPlugin=topology/block and topology.conf dropped (Slurm 22.05 has no topology/block; 23.11 added it)",
        "CgroupPlugin=cgroup/v2 -> cgroup/v1 (this machine mounts cgroup v1; the site's nodes run v2)",
      ]);
      const v2 = overlay(conf, "", "CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n", { ...local, cgroupV2: true });
      assert.strictEqual(v2.cgroupConf, "CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n");
      assert.strictEqual(v2.swaps.length, 7);
    });

    it("proves the smallest tenant's limit with one GPU more than it on the default partition", () => {
      const site = parseSite(cloudSite());
      const probe = chooseProbe(site)!;
      assert.deepStrictEqual([probe.tenant, probe.limit, probe.partition, probe.pool.name, probe.nodes], ["gov-c", 4, "train", "h100-a", 1]);
      assert.deepStrictEqual(
        representativeNodes(site, probe).map((n) => n.name),
        ["h100-a-0", "h100-cloud-0"],
      );
      const sandy = chooseProbe(parseSite(realSite("sandy-ridge")))!;
      assert.deepStrictEqual([sandy.tenant, sandy.limit, sandy.pool.name, sandy.nodes], ["dpo", 100, "b200-p1", 13]);
    });

    it("compares partitions, node GRES and QoS with the inventory", () => {
      const site = parseSite(cloudSite());
      assert.deepStrictEqual(comparePartitions(site, "PartitionName=train Nodes=h100-a-[0-3] State=UP\nPartitionName=burst Nodes=h100-cloud-0\n"), []);
      assert.deepStrictEqual(comparePartitions(site, "PartitionName=train Nodes=h100-a-[0-2]\nPartitionName=extra Nodes=(null)\n"), [
        "partition train: has 3 nodes, expected 4 (h100-a-0 ... h100-a-3)",
        "partition burst: missing",
        "partition extra: not in the inventory",
      ]);
      assert.strictEqual(nodeGres("NodeName=h100-a-0 Gres=gpu:h100:8(S:0-1) State=IDLE"), "gpu:h100:8");
      assert.deepStrictEqual(compareQos(site, "normal|\nuni-a|gres/gpu=8\nlab-b|gres/gpu=6\n"), [
        'tenant lab-b: QoS GrpTRES is "gres/gpu=6", expected gres/gpu=16 (its Kubernetes GPU quota)',
        "tenant gov-c: QoS GrpTRES is missing, expected gres/gpu=4 (its Kubernetes GPU quota)",
      ]);
    });
  });

  describe("on the real engines", function () {
    const engines = ["slurmctld", "slurmd", "slurmdbd", "munged", "sacctmgr", "slapd", "ldapsearch", "curl"];
    let file: string;
    let out: string;
    const originals = new Map<string, string>();
    const slurmFile = (name: string) => path.join(out, "small", "slurm", name);
    const edit = (name: string, change: (text: string) => string) => {
      const text = fs.readFileSync(slurmFile(name), "utf8");
      const changed = change(text);
      assert.notStrictEqual(changed, text, `the edit changes ${name}`);
      fs.writeFileSync(slurmFile(name), changed);
    };
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
      for (const name of ["slurm.conf", "accounts.cfg"]) originals.set(name, fs.readFileSync(slurmFile(name), "utf8"));
    });
    afterEach(() => {
      for (const [name, text] of originals) fs.writeFileSync(slurmFile(name), text);
    });

    it("runs the site's files, and every probe as the site's users, each with its report line", () => {
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 0, run.stdout + run.stderr);
      for (const line of [
        /^small slurm: the site's Slurm files on real slurmctld, slurmd and slurmdbd \(Slurm [\d.]+\): passed$/,
        /^ {2}swapped: auth\/slurm and cred\/slurm -> munge \(Slurm 22\.05 has no auth\/slurm\)$/,
        /^ {2}parsed: slurm\.conf, gres\.conf and cgroup\.conf by Slurm's own parser \(slurmd -G\)$/,
        /^ {2}node GRES checked on h100-a-0$/,
        /^ {2}swapped: the site's directory \(ldaps:\/\/ldap\.test\.example\) -> a real OpenLDAP at ldap:\/\/127\.0\.0\.1:\d+ with the probed tenants' groups; this machine's accounts (\S+, ){6}\S+ stand in for its users$/,
        /^ {2}members of gov-c-users synced into gov-c: added \S+ to gov-c; added \S+ to gov-c$/,
        /^ {2}members of lab-b-users synced into lab-b: added \S+ to lab-b; added \S+ to lab-b$/,
        /^ {2}tenant gov-c: member \S+'s 1-GPU job on train runs under its default account and QoS gov-c, with no --qos or --mem$/,
        /^ {2}tenant uni-a: a job for 9 GPUs, one more than its entitlement, is refused at submission: .*QOS policy.*$/,
        /^ {2}tenant lab-b: member \S+'s 1-GPU job on train runs under its default account and QoS lab-b, with no --qos or --mem$/,
        /^ {2}tenant gov-c: job \d+ at its limit of 4 GPUs runs on 1 h100-a nodes; job \d+ for one more GPU waits \(QOSGrpGRES\)$/,
        /^ {2}a 1-core job with no --mem on h100-a-0 leaves its GPUs usable: a 1-GPU job runs beside it$/,
        /^ {2}\S+, a member of no tenant's group, is refused: .*Invalid account.*$/,
        /^ {2}tenant gov-c: \S+, removed from its group, is refused after the sync \(removed \S+ from gov-c\): .*Invalid account.*$/,
      ])
        assert.match(run.stdout, new RegExp(line.source, "m"));
    });

    it("fails within seconds, in Slurm's own words, on a misspelled slurm.conf key", () => {
      edit("slurm.conf", (t) => t.replace(/^GresTypes=gpu$/m, "GresTipes=gpu"));
      const started = Date.now();
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 1);
      assert.ok(Date.now() - started < 15000, `took ${Date.now() - started} ms`);
      assert.match(
        run.stdout,
        /^ {2}Slurm refuses the site's files \(slurmd -G exited 1\):\n {4}error: _parse_next_key: Parsing error at unrecognized key: GresTipes$/m,
      );
    });

    it("fails with Slurm's own message on a plugin Slurm does not have", () => {
      edit("slurm.conf", (t) => t.replace("SelectType=select/cons_tres", "SelectType=select/cons_tress"));
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 1);
      assert.match(run.stdout, /: failed$/m);
      assert.match(run.stdout, /fatal: Can't find plugin for select\/cons_tress/);
    });

    it("fails, naming the default QoS, when tenants' accounts default to Slurm's uncapped normal QoS", () => {
      edit("accounts.cfg", (t) => t.replace(/DefaultQOS='(\S+?)'/g, "DefaultQOS='normal'"));
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 1, run.stdout);
      assert.match(
        run.stdout,
        /^ {2}FAILED tenant gov-c: member \S+'s 1-GPU job on train was refused at submission: .* \(\S+'s association with gov-c: default QoS normal, QoS .*\)$/m,
      );
    });

    it("fails, naming the default, when a job's default memory is more than a node has", () => {
      edit("slurm.conf", (t) => t.replace(/^EnforcePartLimits=ALL$/m, "EnforcePartLimits=ALL\nDefMemPerGPU=99999999"));
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 1, run.stdout);
      assert.match(
        run.stdout,
        /^ {2}FAILED tenant gov-c: member \S+'s 1-GPU job on train was refused at submission: .*; defaults: site DefMemPerGPU=99999999; partition train .*\)$/m,
      );
    });

    it("fails when a node's GRES in slurm.conf is not what the inventory declares", () => {
      edit("slurm.conf", (t) => t.replace(/^(NodeName=h100-a-\S+ .*)Gres=gpu:h100:8/m, "$1Gres=gpu:h100:4"));
      const run = aisc("verify", "--config", file, "--only", "slurm", "--out", out);
      assert.strictEqual(run.status, 1, run.stdout);
      assert.match(run.stdout, /FAILED node h100-a-0: Gres=gpu:h100:4, expected gpu:h100:8 \(pool h100-a\)|nodes did not come up/);
    });
  });
});
