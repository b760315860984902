import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { onDisk } from "../out-dir";
import { Site } from "../../inventory/types";
import { chooseProbe, comparePartitions, compareQos, expectedGres, nodeGres, Probe, representativeNodes } from "./checks";
import { Daemons, freePort, missingCommands, run, waitFor } from "./engine";
import { overlay, slurmdbdConf } from "./overlay";

/**
 * `aisc verify --only slurm`: loads the site's Slurm files from OUT/<stack>/slurm/, as they are
 * on disk, into real munge, MariaDB, slurmdbd, slurmctld and slurmd processes, then proves that
 * every partition has its nodes, every node its GPUs, every tenant its QoS limit, and that the
 * limit holds: a job at the limit runs, one more GPU waits on the QoS.
 */

export interface SlurmCheck {
  readonly status: "passed" | "failed" | "skipped";
  readonly report: readonly string[];
}

const DAEMONS = ["munged", "slurmdbd", "slurmctld", "slurmd", "sacctmgr", "scontrol", "sbatch", "squeue", "scancel", "sinfo", "mknod"];
const FILES = ["slurm.conf", "gres.conf", "cgroup.conf", "accounts.cfg", "qos.cfg"];

function firstFound(candidates: string[]): string | undefined {
  return candidates.find((c) => missingCommands([c]).length === 0);
}

/** The setting `key` of a slurm.conf, as on disk. */
function confValue(conf: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}=(\\S+)`, "m").exec(conf)?.[1];
}

export async function checkSlurm(stackDir: string, site: Site): Promise<SlurmCheck> {
  const dir = path.join(stackDir, "slurm");
  const absent = FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (absent.length) return { status: "failed", report: [`missing ${absent.map((f) => `slurm/${f}`).join(", ")} in ${stackDir}: run aisc plan`] };
  const mysqld = firstFound(["mariadbd", "mysqld", "/usr/sbin/mariadbd", "/usr/sbin/mysqld"]);
  const installDb = firstFound(["mariadb-install-db", "mysql_install_db"]);
  const mysqlClient = firstFound(["mariadb", "mysql"]);
  const missing = [...missingCommands(DAEMONS), ...(mysqld ? [] : ["mariadbd"]), ...(installDb ? [] : ["mariadb-install-db"]), ...(mysqlClient ? [] : ["mariadb"])];
  if (missing.length) return { status: "skipped", report: [`skipped: not installed: ${missing.join(", ")} (apt-get install slurmctld slurmd slurmdbd slurm-client munge mariadb-server)`] };
  if (process.getuid?.() !== 0) return { status: "skipped", report: ["skipped: needs root to make fake GPU device nodes (mknod) and run slurmd"] };

  const files = Object.fromEntries(FILES.map((f) => [f, onDisk(`${path.join(dir, f)}: cannot read it (re-run aisc plan)`, () => fs.readFileSync(path.join(dir, f), "utf8"))]));
  const probe = chooseProbe(site);
  const nodes = representativeNodes(site, probe);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-slurm-"));
  for (const sub of ["etc", "state", "spool", "run", "log", "munge", "db", "dev"]) fs.mkdirSync(path.join(tmp, sub));
  const env = { ...process.env, SLURM_CONF: path.join(tmp, "etc", "slurm.conf") };
  const daemons = new Daemons(env);
  const report: string[] = [];
  try {
    const ports = { slurmctld: await freePort(), slurmdbd: await freePort(), mysql: await freePort(), slurmd: [] as number[] };
    for (const _ of nodes) ports.slurmd.push(await freePort());
    const munge = path.join(tmp, "munge", "munge.socket");
    const local = overlay(files["slurm.conf"], files["gres.conf"], files["cgroup.conf"], {
      dir: tmp,
      mungeSocket: munge,
      ports,
      cgroupV2: fs.existsSync("/sys/fs/cgroup/cgroup.controllers"),
      nodes: nodes.map((n) => ({ name: n.name, gresType: expectedGres(n.pool).split(":")[1], gpus: n.pool.gpusPerNode })),
    });
    report.push(...local.swaps.map((s) => `swapped: ${s}`));
    for (const n of nodes) {
      fs.mkdirSync(path.join(tmp, "dev", n.name));
      for (let i = 0; i < n.pool.gpusPerNode; i++) run(env, "mknod", [path.join(tmp, "dev", n.name, `nvidia${i}`), "c", "195", String(i)]);
    }
    const password = randomBytes(12).toString("hex");
    fs.writeFileSync(path.join(tmp, "etc", "slurm.conf"), local.slurmConf);
    fs.writeFileSync(path.join(tmp, "etc", "gres.conf"), local.gresConf);
    fs.writeFileSync(path.join(tmp, "etc", "cgroup.conf"), local.cgroupConf);
    fs.writeFileSync(path.join(tmp, "etc", "slurmdbd.conf"), slurmdbdConf(tmp, munge, ports.slurmdbd, ports.mysql, password), { mode: 0o600 });
    fs.writeFileSync(path.join(tmp, "etc", "munge.key"), randomBytes(1024), { mode: 0o400 });

    const mungeD = daemons.start("munged", "munged", ["-F", `--key-file=${tmp}/etc/munge.key`, `--socket=${munge}`, `--pid-file=${tmp}/run/munged.pid`, `--log-file=${tmp}/log/munged.log`, `--seed-file=${tmp}/munge/seed`, "--force"]);
    await waitFor("munged", () => fs.existsSync(munge), { timeoutMs: 15000, daemon: mungeD, daemons });
    const init = run(env, installDb!, [`--datadir=${tmp}/db`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"]);
    if (init.status !== 0) throw new Error(`${installDb} failed: ${init.out.trim()}`);
    const sock = `${tmp}/run/mysql.sock`;
    const db = daemons.start("mariadbd", mysqld!, [`--datadir=${tmp}/db`, `--socket=${sock}`, `--port=${ports.mysql}`, "--bind-address=127.0.0.1", "--user=root", "--skip-name-resolve", `--pid-file=${tmp}/run/mysqld.pid`, "--innodb-buffer-pool-size=256M", "--innodb-lock-wait-timeout=900"]);
    await waitFor("MariaDB", () => run(env, mysqlClient!, [`--socket=${sock}`, "-uroot", "-e", "select 1"]).status === 0, { timeoutMs: 60000, daemon: db, daemons });
    const grant = run(env, mysqlClient!, [`--socket=${sock}`, "-uroot", "-e", `create user 'slurm'@'127.0.0.1' identified by '${password}'; grant all on slurm_acct_db.* to 'slurm'@'127.0.0.1';`]);
    if (grant.status !== 0) throw new Error(`MariaDB: ${grant.out.trim()}`);
    const dbd = daemons.start("slurmdbd", "slurmdbd", ["-D"]);
    await waitFor("slurmdbd", () => run(env, "sacctmgr", ["-n", "-P", "show", "cluster"]).status === 0, { timeoutMs: 60000, daemon: dbd, daemons });
    const cluster = confValue(files["slurm.conf"], "ClusterName") ?? site.name;
    run(env, "sacctmgr", ["-i", "add", "cluster", cluster]);

    const ctld = daemons.start("slurmctld", "slurmctld", ["-D", "-i"]);
    try {
      await waitFor("slurmctld", () => /UP/.test(run(env, "scontrol", ["ping"]).out), { timeoutMs: 60000, daemon: ctld, daemons });
    } catch (err) {
      const log = fs.existsSync(`${tmp}/log/slurmctld.log`) ? fs.readFileSync(`${tmp}/log/slurmctld.log`, "utf8") : "";
      // Slurm's own words, once each (it writes them to stderr and to its log).
      const lines = [ctld.output(), log].join("\n").split("\n").filter((l) => /error|fatal/i.test(l));
      const said = [...new Set(lines.map((l) => l.replace(/^\[[^\]]*\]\s*/, "").replace(/^slurmctld:\s*/, "").trim()))].slice(-5);
      return { status: "failed", report: [...report, `slurmctld did not start on slurm/slurm.conf: ${(err as Error).message.split("\n")[0]}`, ...said.map((l) => `  ${l.trim()}`)] };
    }
    const slurmds = nodes.map((n) => daemons.start(`slurmd ${n.name}`, "slurmd", ["-D", "-N", n.name]));
    const idle = () => {
      const states = new Map(run(env, "sinfo", ["-N", "-h", "-o", "%N %t"]).out.trim().split("\n").map((l) => l.trim().split(/\s+/) as [string, string]));
      return nodes.every((n) => /^(idle|mix|alloc)/.test(states.get(n.name) ?? ""));
    };
    try {
      await waitFor(`slurmd on ${nodes.length} nodes`, idle, { timeoutMs: 90000 });
    } catch (err) {
      const dead = slurmds.filter((d) => daemons.exited(d)).map((d) => `${d.name}: ${d.output().trim().split("\n").slice(-2).join(" ")}`);
      return { status: "failed", report: [...report, `nodes did not come up: ${(err as Error).message}`, ...dead.map((l) => `  ${l}`), `  ${run(env, "sinfo", ["-N", "-o", "%N %t %E"]).out.trim().replace(/\n/g, "\n  ")}`] };
    }

    const problems: string[] = [];
    problems.push(...comparePartitions(site, run(env, "scontrol", ["-o", "show", "partition"]).out));
    report.push(`partitions: ${site.slurm.partitions.map((p) => p.name).join(", ")}`);
    for (const n of nodes) {
      const gres = nodeGres(run(env, "scontrol", ["-o", "show", "node", n.name]).out);
      if (gres !== expectedGres(n.pool)) problems.push(`node ${n.name}: Gres=${gres}, expected ${expectedGres(n.pool)} (pool ${n.pool.name})`);
    }
    report.push(`node GRES checked on ${nodes.map((n) => n.name).join(", ")}`);

    for (const line of files["qos.cfg"].split("\n").filter((l) => l.trim())) {
      const [name, ...settings] = line.trim().split(/\s+/);
      const added = run(env, "sacctmgr", ["-i", "add", "qos", name, ...settings]);
      if (added.status !== 0) problems.push(`sacctmgr add qos ${name}: ${added.out.trim()}`);
    }
    fs.writeFileSync(`${tmp}/etc/accounts.cfg`, files["accounts.cfg"]);
    const loaded = run(env, "sacctmgr", ["-i", "load", `file=${tmp}/etc/accounts.cfg`]);
    if (loaded.status !== 0 || /error|problem/i.test(loaded.out)) problems.push(`sacctmgr load accounts.cfg: ${loaded.out.trim().split("\n").slice(-3).join(" ")}`);
    problems.push(...compareQos(site, run(env, "sacctmgr", ["-n", "-P", "show", "qos", "format=name,grptres"]).out));
    report.push(`accounts and QoS loaded for ${site.tenants.length} tenants`);

    if (probe) problems.push(...(await proveLimit(env, probe, report)));
    else report.push("skipped: the GPU-limit jobs (no tenant's limit fits within one partition's nodes)");
    if (problems.length) return { status: "failed", report: [...report, ...problems.map((p) => `FAILED ${p}`)] };
    return { status: "passed", report };
  } catch (err) {
    return { status: "failed", report: [...report, (err as Error).message] };
  } finally {
    run(env, "scancel", ["--full", "--quiet", "-u", "root"]);
    await daemons.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** A job at the tenant's GPU limit runs; one GPU more waits on the QoS, with a GPU free. */
async function proveLimit(env: NodeJS.ProcessEnv, probe: Probe, report: string[]): Promise<string[]> {
  const added = run(env, "sacctmgr", ["-i", "add", "user", "root", `account=${probe.tenant}`]);
  if (added.status !== 0) return [`sacctmgr add user: ${added.out.trim()}`];
  const submit = (gpus: number, nodes: number) =>
    run(env, "sbatch", ["--parsable", "-A", probe.tenant, "--qos", probe.tenant, "-p", probe.partition, `--gpus=${gpus}`, "-N", String(nodes), "--mem-per-gpu=64", "-o", "/dev/null", "--wrap", "sleep 300"]);
  const state = (id: string) => {
    const [st, reason] = run(env, "squeue", ["-h", "-j", id, "-o", "%T %r"]).out.trim().split(/\s+/);
    return { st, reason };
  };
  const a = submit(probe.limit, Math.ceil(probe.limit / probe.pool.gpusPerNode));
  if (a.status !== 0) return [`sbatch at the limit: ${a.out.trim()}`];
  const jobA = a.out.trim().split(";")[0];
  try {
    await waitFor(`job ${jobA} to run`, () => state(jobA).st === "RUNNING", { timeoutMs: 60000 });
  } catch {
    return [`tenant ${probe.tenant}: a job for its ${probe.limit} GPUs did not run: ${JSON.stringify(state(jobA))}`];
  }
  const b = submit(1, 1);
  if (b.status !== 0) return [`sbatch over the limit: ${b.out.trim()}`];
  const jobB = b.out.trim().split(";")[0];
  // Give the scheduler a few passes; the job must still wait, and on the limit.
  await new Promise((r) => setTimeout(r, 6000));
  run(env, "scontrol", ["schedule"]);
  await new Promise((r) => setTimeout(r, 2000));
  const over = state(jobB);
  if (over.st !== "PENDING" || !/^(QOSGrp|AssocGrp)/.test(over.reason ?? "")) {
    return [`tenant ${probe.tenant}: a job for GPU ${probe.limit + 1} is ${over.st} (${over.reason}), expected PENDING on its QoS limit`];
  }
  report.push(`tenant ${probe.tenant}: job ${jobA} at its limit of ${probe.limit} GPUs runs on ${probe.nodes} ${probe.pool.name} nodes; job ${jobB} for one more GPU waits (${over.reason})`);
  return [];
}

