import * as assert from "assert";
import { App } from "cdk8s";
import { accountScript, membersScript, siteQos, SlurmChart, sssdConf } from "../../charts/slurm";
import { TenantChart } from "../../charts/tenant";
import { nodeConf, nodeLine, partitionLine, slurmConfExtra, topologyConf } from "../../charts/slurm-config";
import { K8sObject } from "../../components/k8s";
import { parseSite } from "../../inventory/parse";
import { issuesOf, mutated, realSite, cloudSite, smallSite } from "../helpers/fixtures";
import { ofType, realPlan } from "../helpers/plan";

function objects(site = parseSite(cloudSite())): any[] {
  return new SlurmChart(new App(), "slurm", { site }).toJson() as K8sObject[];
}

describe("Slurm chart", () => {
  it("adds limits enforced at submission, preemption by QoS, fair share and per-partition CPU and memory defaults", () => {
    const extra = slurmConfExtra(parseSite(cloudSite())).split("\n");
    for (const line of [
      "AccountingStorageEnforce=associations,limits,qos,safe",
      "PriorityType=priority/multifactor",
      "PriorityWeightFairshare=100000",
      "EnforcePartLimits=ALL",
      "PreemptType=preempt/qos",
      "PreemptMode=REQUEUE",
      "PartitionName=train Nodes=h100-a Default=YES MaxTime=3-00:00:00 DefCpuPerGPU=14 DefMemPerCPU=17788 MaxMemPerCPU=17788 State=UP",
      "PartitionName=burst Nodes=h100-cloud Default=NO MaxTime=1-00:00:00 DefCpuPerGPU=14 DefMemPerCPU=17788 MaxMemPerCPU=17788 State=UP",
    ])
      assert.ok(extra.includes(line), line);
    // The operator writes these itself (GresTypes, and a NodeSet line per NodeSet).
    assert.deepStrictEqual(
      extra.filter((l) => /^(GresTypes|NodeSet|SelectTypeParameters|AccountingStorageTRES)=/.test(l)),
      [],
    );
    // DefMemPerGPU excludes DefMemPerCPU (slurm.conf(5)); memory follows CPUs instead.
    assert.deepStrictEqual(
      extra.filter((l) => /DefMemPerGPU|TopologyPlugin/.test(l)),
      [],
    );
  });

  it("gives each GB200 NVL72 rack of 18 nodes its own topology block, and refuses a pool of part racks", () => {
    const site = parseSite(realSite("sandy-ridge"));
    const blocks = topologyConf(site)!.trim().split("\n");
    assert.strictEqual(blocks.length, 24);
    assert.deepStrictEqual([blocks[0], blocks[23]], ["BlockName=gb200-p2-rack0 Nodes=gb200-p2-[0-17]", "BlockName=gb200-p2-rack23 Nodes=gb200-p2-[414-431]"]);
    assert.ok(slurmConfExtra(site).split("\n").includes("TopologyPlugin=topology/block"));
    assert.strictEqual(topologyConf(parseSite(smallSite())), undefined);
    const files = new SlurmChart(new App(), "s", { site }).toJson().find((o) => o.metadata.name === "slurm-config-files").data;
    assert.strictEqual(files["topology.conf"], topologyConf(site));
    const withGb = (pool: object) =>
      mutated((s) => {
        s.pools.push({ name: "gb", gpu: "GB200", ...pool });
        s.slurm.partitions[0].pools.push("gb");
      });
    assert.deepStrictEqual(issuesOf(withGb({ gpusPerNode: 4, nodes: 20 })), [
      "aisc:site.pools[2].nodes: expected whole 72-GPU NVLink racks of 18 nodes for GB200 (Slurm schedules each rack as one block), got 20",
    ]);
    assert.deepStrictEqual(issuesOf(withGb({ gpusPerNode: 5, nodes: 18 })), [
      "aisc:site.pools[2].gpusPerNode: expected a number of GPUs that divides GB200's 72-GPU NVLink rack, got 5",
    ]);
    assert.strictEqual(
      topologyConf(parseSite(withGb({ gpusPerNode: 4, nodes: 36 }))),
      "BlockName=gb-rack0 Nodes=gb-[0-17]\nBlockName=gb-rack1 Nodes=gb-[18-35]\n",
    );
  });

  it("loads the scavenger QoS before any tenant's, and lets every tenant's QoS preempt it", () => {
    const objs = objects();
    const qos = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "slurm-site-qos");
    assert.deepStrictEqual(qos.data, { qos: "scavenger Priority=0 UsageFactor=0 PreemptMode=requeue\n" });
    const job = objs.find((o) => o.kind === "Job" && o.metadata.name === "slurm-site-qos");
    assert.deepStrictEqual(job.spec.template.spec.volumes.find((v: any) => v.name === "account").configMap, { name: "slurm-site-qos" });
    assert.strictEqual(siteQos(), qos.data.qos);
  });

  it("writes a NodeSet's node line as the operator builds slurmd's --conf: its name first among the features", () => {
    assert.strictEqual(
      nodeLine("h100-a", 4, "CPUs=112 Gres=gpu:h100:8 Features=h100"),
      "NodeName=h100-a-[0-3] Features=h100-a,h100 CPUs=112 Gres=gpu:h100:8 State=UNKNOWN",
    );
    assert.strictEqual(nodeLine("x", 1, "CPUs=2 Feature=a Features=b"), "NodeName=x-0 Features=x,a,b CPUs=2 State=UNKNOWN");
  });

  it("declares one NodeSet per whole-GPU pool with its replicas, GPUs, GRES and placement", () => {
    const site = parseSite(cloudSite());
    const nodeSets = objects(site).filter((o) => o.kind === "NodeSet");
    assert.deepStrictEqual(
      nodeSets.map((n) => n.metadata.name),
      ["h100-a", "h100-cloud"],
    );
    const [a] = nodeSets;
    assert.strictEqual(a.apiVersion, "slinky.slurm.net/v1beta1");
    assert.strictEqual(a.spec.replicas, 4);
    assert.deepStrictEqual(a.spec.controllerRef, { name: "slurm" });
    assert.deepStrictEqual(a.spec.slurmd.resources.limits, { "nvidia.com/gpu": 8 });
    assert.strictEqual(a.spec.extraConf, "CPUs=112 RealMemory=1992294 Gres=gpu:h100:8 Features=h100");
    assert.strictEqual(a.spec.extraConf, nodeConf(site.pools[0]));
    assert.deepStrictEqual(a.spec.template.spec.nodeSelector, { "aisc.hk/pool": "h100-a" });
    assert.deepStrictEqual(a.spec.template.spec.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
  });

  it("wires the Controller to Accounting, its keys, gres.conf and cgroup.conf", () => {
    const objs = objects();
    const controller = objs.find((o) => o.kind === "Controller");
    assert.strictEqual(controller.spec.clusterName, "testsite");
    assert.deepStrictEqual(controller.spec.accountingRef, { name: "slurm" });
    assert.deepStrictEqual(controller.spec.slurmKeyRef, { name: "slurm-auth-key", key: "slurm.key" });
    assert.deepStrictEqual(controller.spec.configFileRefs, [{ name: "slurm-config-files" }]);
    const files = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "slurm-config-files").data;
    assert.strictEqual(files["gres.conf"], "AutoDetect=nvidia\n");
    assert.strictEqual(files["cgroup.conf"], "CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\nConstrainCores=yes\nConstrainRAMSpace=yes\nConstrainDevices=yes\n");
    const accounting = objs.find((o) => o.kind === "Accounting");
    assert.deepStrictEqual(accounting.spec.storageConfig.passwordKeyRef, { name: "slurm-mariadb", key: "password" });
  });

  it("renders a LoginSet over LDAPS and a RestApi", () => {
    const objs = objects();
    const login = objs.find((o) => o.kind === "LoginSet");
    assert.deepStrictEqual(login.spec.sssdConfRef, { name: "slurm-login-sssd", key: "sssd.conf" });
    assert.match(sssdConf(parseSite(smallSite())), /^ldap_uri = ldaps:\/\/ldap\.test\.example$/m);
    assert.strictEqual(objs.find((o) => o.kind === "RestApi").spec.controllerRef.name, "slurm");
  });

  it("loads each tenant's account with its own Job, idempotently, re-run when the account changes", () => {
    const site = parseSite(smallSite());
    const jobOf = (s = site) => new TenantChart(new App(), "t", { site: s, tenant: s.tenants[1] }).toJson().find((o) => o.kind === "Job");
    const job = jobOf();
    assert.deepStrictEqual([job.metadata.name, job.metadata.namespace], ["slurm-account-lab-b", "slurm"]);
    const volumes = job.spec.template.spec.volumes;
    assert.deepStrictEqual(volumes.find((v: any) => v.name === "account").configMap, { name: "slurm-account-lab-b" });
    const digest = job.spec.template.metadata.annotations["aisc.hk/account-digest"];
    const bigger = smallSite();
    bigger.tenants[1].gpus = 24;
    assert.notStrictEqual(jobOf(parseSite(bigger)).spec.template.metadata.annotations["aisc.hk/account-digest"], digest);
    const script = accountScript("testsite");
    assert.match(script, /^while read -r name settings; do$/m);
    assert.match(script, /sacctmgr -i modify qos "\$name" set \$settings/);
    assert.match(script, /^\[ -f \/account\/account \] \|\| exit 0$/m);
    assert.match(script, /\{ echo "Cluster - 'testsite'"; echo "Parent - 'root'"; cat \/account\/account; \} > \/tmp\/account.cfg/);
  });

  it("syncs each tenant's directory group into its Slurm users with a CronJob of its own, one run at a time", () => {
    const site = parseSite(smallSite());
    const cron = new TenantChart(new App(), "t", { site, tenant: site.tenants[1] }).toJson().find((o) => o.kind === "CronJob");
    assert.deepStrictEqual(
      [cron.metadata.name, cron.metadata.namespace, cron.spec.schedule, cron.spec.concurrencyPolicy],
      ["slurm-members-lab-b", "slurm", "*/10 * * * *", "Forbid"],
    );
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const [container] = pod.containers;
    assert.strictEqual(container.image, "ghcr.io/slinkyproject/login:25.11-ubuntu24.04");
    assert.deepStrictEqual(container.command, ["/bin/sh", "/scripts/sync-members.sh"]);
    assert.deepStrictEqual(Object.fromEntries(container.env.map((e: any) => [e.name, e.value])), {
      SLURM_CONF: "/etc/slurm/slurm.conf",
      LDAP_URI: "ldaps://ldap.test.example",
      SEARCH_BASE: site.slurm.login.searchBase,
      GROUP: "lab-b-users",
      ACCOUNT: "lab-b",
    });
    assert.deepStrictEqual(pod.nodeSelector, { "aisc.hk/node-role": "system" });
    const script = objects().find((o) => o.kind === "ConfigMap" && o.metadata.name === "slurm-accounts-script").data["sync-members.sh"];
    assert.strictEqual(script, membersScript());
    // An empty or failed directory reply must never remove everyone.
    assert.match(script, /if \[ "\$groups" != 1 \]; then\n.*\n {2}exit 1\nfi/);
  });

  it("writes partitions as Slurm spells durations", () => {
    const site = parseSite(smallSite());
    assert.strictEqual(
      partitionLine({ name: "long", pools: ["h100-a"], default: false, maxTimeHours: 170 }, site.pools),
      "PartitionName=long Nodes=h100-a Default=NO MaxTime=7-02:00:00 DefCpuPerGPU=14 DefMemPerCPU=17788 MaxMemPerCPU=17788 State=UP",
    );
  });

  for (const stack of ["cyberport", "sandy-ridge"]) {
    it(`plans ${stack}'s operator, Controller, NodeSets, LoginSet, RestApi and Accounting with protected data`, () => {
      const plan = realPlan(stack);
      const site = parseSite(realSite(stack));
      const charts = ofType(plan, "kubernetes:helm.sh/v4:Chart").map((c) => [c.inputs.chart, c.inputs.version]);
      assert.deepStrictEqual(
        charts.filter(([c]) => String(c).includes("slinky")),
        [
          ["oci://ghcr.io/slinkyproject/charts/slurm-operator", "1.1.2"],
          ["oci://ghcr.io/slinkyproject/charts/slurm-operator-crds", "1.1.2"],
        ],
      );
      // cert-manager, pinned, with its CRDs, before the operator whose webhook certificate it issues.
      const certManager = ofType(plan, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "cert-manager")!;
      assert.deepStrictEqual(
        [certManager.inputs.version, certManager.inputs.repositoryOpts, certManager.inputs.namespace],
        ["v1.19.6", { repo: "https://charts.jetstack.io" }, "cert-manager"],
      );
      assert.deepStrictEqual(certManager.inputs.values, {
        crds: { enabled: true, keep: true },
        global: { nodeSelector: { "aisc.hk/node-role": "system" } },
        startupapicheck: { enabled: false },
      });
      const operator = ofType(plan, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "oci://ghcr.io/slinkyproject/charts/slurm-operator")!;
      assert.ok(operator.options.dependencies.includes(certManager.urn), "the operator waits for cert-manager");
      assert.deepStrictEqual([(operator.inputs.values as any).certManager, (operator.inputs.values as any).webhook.enabled], [{ enabled: true }, true]);
      const kinds = (k: string) => ofType(plan, `kubernetes:slinky.slurm.net/v1beta1:${k}`);
      assert.strictEqual(kinds("Controller").length, 1);
      assert.deepStrictEqual(
        kinds("NodeSet")
          .map((n) => (n.inputs.metadata as any).name)
          .sort(),
        site.slurm.partitions.flatMap((p) => p.pools).sort(),
      );
      for (const k of ["LoginSet", "RestApi", "Accounting"]) assert.strictEqual(kinds(k).length, 1, k);
      const volume = ofType(plan, "kubernetes:core/v1:PersistentVolumeClaim")[0];
      assert.deepStrictEqual([volume.options.protect, volume.options.retainOnDelete], [true, true]);
      const mariadb = ofType(plan, "kubernetes:apps/v1:StatefulSet").find((r) => (r.inputs.metadata as any).name === "mariadb")!;
      assert.strictEqual(mariadb.options.protect, true);
      const dbPasswords = ofType(plan, "random:index/randomPassword:RandomPassword").filter((p) => p.name.includes("-slurm-db-"));
      assert.strictEqual(dbPasswords.length, 2);
      for (const p of dbPasswords) assert.strictEqual(p.options.protect, true);
      const dbSecret = ofType(plan, "kubernetes:core/v1:Secret").find((r) => (r.inputs.metadata as any).name === "slurm-mariadb")!;
      assert.deepStrictEqual(dbSecret.inputs.data, { password: "[secret]", "root-password": "[secret]" });
    });
  }
});
