import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { onDisk } from "../out-dir";
import { Site } from "../../inventory/types";
import { chooseProbe, comparePartitions, compareQos, expectedGres, nodeGres, representativeNodes } from "./checks";
import { startDirectory, systemUsers } from "./directory";
import { Daemons, freePort, lastLines, missingCommands, run, waitFor } from "./engine";
import { overlay, slurmdbdConf } from "./overlay";
import { clearQueue, cpuJobLeavesGpus, limitHolds, oneGpuRuns, outsiderRefused, overEntitlementRefused, probeTenants, submitAs } from "./probes";

/**
 * `aisc verify --only slurm`: loads the site's Slurm files from OUT/<stack>/slurm/, as they are
 * on disk, into real munge, MariaDB, slurmdbd, slurmctld and slurmd processes and a real
 * OpenLDAP directory, after Slurm's own parser has read them. It proves that every partition
 * has its nodes, every node its GPUs, every tenant its QoS limit; then, as the site's users do,
 * with unprivileged members of the tenants' directory groups synced in by the site's own
 * members script: a member's job runs under the tenant's account and QoS with Slurm's defaults,
 * a job past the entitlement is refused at submission, the limit holds, a CPU-only job leaves a
 * node's GPUs usable, a member removed from the group and a user in no group are refused.
 */

export interface SlurmCheck {
  readonly status: "passed" | "failed" | "skipped";
  readonly report: readonly string[];
}

const COMMANDS = [
  "munged",
  "slurmdbd",
  "slurmctld",
  "slurmd",
  "sacctmgr",
  "scontrol",
  "sbatch",
  "squeue",
  "scancel",
  "sinfo",
  "mknod",
  "slapd",
  "slapadd",
  "ldapsearch",
  "ldapmodify",
  "curl",
  "runuser",
];
const FILES = ["slurm.conf", "gres.conf", "cgroup.conf", "accounts.cfg", "qos.cfg", "sync-members.sh", "members.tsv"];
const INSTALL = "apt-get install slurmctld slurmd slurmdbd slurm-client munge mariadb-server slapd ldap-utils curl";

function firstFound(candidates: string[]): string | undefined {
  return candidates.find((c) => missingCommands([c]).length === 0);
}

/** The setting `key` of a slurm.conf, as on disk. */
function confValue(conf: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}=(\\S+)`, "m").exec(conf)?.[1];
}

/** Slurm's own complaints in a tool's output, once each, without its timestamps and prefixes. */
function slurmSaid(text: string): string[] {
  const lines = text.split("\n").filter((l) => /error|fatal/i.test(l));
  return [
    ...new Set(
      lines.map((l) =>
        l
          .replace(/^\[[^\]]*\]\s*/, "")
          .replace(/^\w+:\s*(?=error|fatal)/i, "")
          .trim(),
      ),
    ),
  ].slice(-5);
}

export async function checkSlurm(stackDir: string, site: Site): Promise<SlurmCheck> {
  const dir = path.join(stackDir, "slurm");
  const absent = FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (absent.length) return { status: "failed", report: [`missing ${absent.map((f) => `slurm/${f}`).join(", ")} in ${stackDir}: run aisc plan`] };
  const mysqld = firstFound(["mariadbd", "mysqld", "/usr/sbin/mariadbd", "/usr/sbin/mysqld"]);
  const installDb = firstFound(["mariadb-install-db", "mysql_install_db"]);
  const mysqlClient = firstFound(["mariadb", "mysql"]);
  const missing = [
    ...missingCommands(COMMANDS),
    ...(mysqld ? [] : ["mariadbd"]),
    ...(installDb ? [] : ["mariadb-install-db"]),
    ...(mysqlClient ? [] : ["mariadb"]),
  ];
  if (missing.length) return { status: "skipped", report: [`skipped: not installed: ${missing.join(", ")} (${INSTALL})`] };
  if (process.getuid?.() !== 0)
    return { status: "skipped", report: ["skipped: needs root to make fake GPU device nodes (mknod), run slurmd and submit as other users (runuser)"] };

  const files = Object.fromEntries(
    FILES.map((f) => [f, onDisk(`${path.join(dir, f)}: cannot read it (re-run aisc plan)`, () => fs.readFileSync(path.join(dir, f), "utf8"))]),
  );
  const probe = chooseProbe(site);
  const nodes = representativeNodes(site, probe);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-slurm-"));
  // Members submit as themselves: they must reach slurm.conf and munge's socket (keys stay private).
  fs.chmodSync(tmp, 0o755);
  for (const sub of ["etc", "state", "spool", "run", "log", "munge", "db", "dev", "ldap"]) fs.mkdirSync(path.join(tmp, sub), { mode: 0o755 });
  const env = { ...process.env, SLURM_CONF: path.join(tmp, "etc", "slurm.conf") };
  const daemons = new Daemons(env);
  const report: string[] = [];
  const users: string[] = [];
  try {
    const ports = { slurmctld: await freePort(), slurmdbd: await freePort(), mysql: await freePort(), ldap: await freePort(), slurmd: [] as number[] };
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
    fs.writeFileSync(path.join(tmp, "etc", "slurm.conf"), local.slurmConf, { mode: 0o644 });
    fs.writeFileSync(path.join(tmp, "etc", "gres.conf"), local.gresConf, { mode: 0o644 });
    fs.writeFileSync(path.join(tmp, "etc", "cgroup.conf"), local.cgroupConf, { mode: 0o644 });
    fs.writeFileSync(path.join(tmp, "etc", "slurmdbd.conf"), slurmdbdConf(tmp, munge, ports.slurmdbd, ports.mysql, password), { mode: 0o600 });
    fs.writeFileSync(path.join(tmp, "etc", "munge.key"), randomBytes(1024), { mode: 0o400 });

    // Slurm's own parser first: slurm.conf, cgroup.conf and gres.conf as slurmd reads them, in seconds.
    const parsed = run(env, "slurmd", ["-G", "-N", nodes[0].name], 15000);
    const said = slurmSaid(parsed.out);
    if (parsed.status !== 0 || said.length) {
      return { status: "failed", report: [...report, `Slurm refuses the site's files (slurmd -G exited ${parsed.status}):`, ...said.map((l) => `  ${l}`)] };
    }
    report.push("parsed: slurm.conf, gres.conf and cgroup.conf by Slurm's own parser (slurmd -G)");

    const mungeD = daemons.start(
      "munged",
      "munged",
      [
        "-F",
        `--key-file=${tmp}/etc/munge.key`,
        `--socket=${munge}`,
        `--pid-file=${tmp}/run/munged.pid`,
        `--log-file=${tmp}/log/munged.log`,
        `--seed-file=${tmp}/munge/seed`,
        "--force",
      ],
      `${tmp}/log/munged.log`,
    );
    await waitFor("munged", () => fs.existsSync(munge), { timeoutMs: 15000, daemon: mungeD, daemons });
    const init = run(env, installDb!, [`--datadir=${tmp}/db`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"]);
    if (init.status !== 0) throw new Error(`${installDb} failed: ${init.out.trim()}`);
    const sock = `${tmp}/run/mysql.sock`;
    const db = daemons.start("mariadbd", mysqld!, [
      `--datadir=${tmp}/db`,
      `--socket=${sock}`,
      `--port=${ports.mysql}`,
      "--bind-address=127.0.0.1",
      "--user=root",
      "--skip-name-resolve",
      `--pid-file=${tmp}/run/mysqld.pid`,
      "--innodb-buffer-pool-size=256M",
      "--innodb-lock-wait-timeout=900",
    ]);
    await waitFor("MariaDB", () => run(env, mysqlClient!, [`--socket=${sock}`, "-uroot", "-e", "select 1"]).status === 0, {
      timeoutMs: 60000,
      daemon: db,
      daemons,
    });
    const grant = run(env, mysqlClient!, [
      `--socket=${sock}`,
      "-uroot",
      "-e",
      `create user 'slurm'@'127.0.0.1' identified by '${password}'; grant all on slurm_acct_db.* to 'slurm'@'127.0.0.1';`,
    ]);
    if (grant.status !== 0) throw new Error(`MariaDB: ${grant.out.trim()}`);
    const dbd = daemons.start("slurmdbd", "slurmdbd", ["-D"], `${tmp}/log/slurmdbd.log`);
    await waitFor("slurmdbd", () => run(env, "sacctmgr", ["-n", "-P", "show", "cluster"]).status === 0, { timeoutMs: 60000, daemon: dbd, daemons });
    const cluster = confValue(files["slurm.conf"], "ClusterName") ?? site.name;
    run(env, "sacctmgr", ["-i", "add", "cluster", cluster]);

    const ctld = daemons.start("slurmctld", "slurmctld", ["-D", "-i"], `${tmp}/log/slurmctld.log`);
    try {
      await waitFor("slurmctld", () => /UP/.test(run(env, "scontrol", ["ping"]).out), { timeoutMs: 60000, daemon: ctld, daemons });
    } catch (err) {
      return {
        status: "failed",
        report: [
          ...report,
          `slurmctld did not start on slurm/slurm.conf: ${(err as Error).message.split("\n")[0]}`,
          ...slurmSaid(lastLines(ctld, 40).join("\n")).map((l) => `  ${l}`),
        ],
      };
    }
    const slurmds = nodes.map((n) => daemons.start(`slurmd ${n.name}`, "slurmd", ["-D", "-N", n.name], `${tmp}/log/slurmd-${n.name}.log`));
    const idle = () => {
      const states = new Map(
        run(env, "sinfo", ["-N", "-h", "-o", "%N %t"])
          .out.trim()
          .split("\n")
          .map((l) => l.trim().split(/\s+/) as [string, string]),
      );
      return nodes.every((n) => /^(idle|mix|alloc)/.test(states.get(n.name) ?? ""));
    };
    try {
      await waitFor(`slurmd on ${nodes.length} nodes`, idle, { timeoutMs: 90000, daemon: [ctld, ...slurmds], daemons });
    } catch (err) {
      return {
        status: "failed",
        report: [
          ...report,
          `nodes did not come up: ${(err as Error).message.split("\n").join("\n  ")}`,
          `  ${run(env, "sinfo", ["-N", "-o", "%N %t %E"]).out.trim().replace(/\n/g, "\n  ")}`,
        ],
      };
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
    if (loaded.status !== 0 || /error|problem/i.test(loaded.out))
      problems.push(`sacctmgr load accounts.cfg: ${loaded.out.trim().split("\n").slice(-3).join(" ")}`);
    problems.push(...compareQos(site, run(env, "sacctmgr", ["-n", "-P", "show", "qos", "format=name,grptres"]).out));
    report.push(`accounts and QoS loaded for ${site.tenants.length} tenants`);
    if (problems.length) return { status: "failed", report: [...report, ...problems.map((p) => `FAILED ${p}`)] };

    const userProblems = await asUsers({ env, tmp, site, files, ports, daemons, report, users, probe, nodes: nodes.map((n) => n.name) });
    if (userProblems.length) return { status: "failed", report: [...report, ...userProblems.map((p) => `FAILED ${p}`)] };
    return { status: "passed", report };
  } catch (err) {
    return { status: "failed", report: [...report, (err as Error).message] };
  } finally {
    for (const u of ["root", ...users]) run(env, "scancel", ["--full", "--quiet", "-u", u]);
    await daemons.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface UserContext {
  readonly env: NodeJS.ProcessEnv;
  readonly tmp: string;
  readonly site: Site;
  readonly files: Record<string, string>;
  readonly ports: { readonly ldap: number };
  readonly daemons: Daemons;
  readonly report: string[];
  /** Filled with the users the probes submit as, so the caller cancels their jobs. */
  readonly users: string[];
  readonly probe: ReturnType<typeof chooseProbe>;
  readonly nodes: readonly string[];
}

/**
 * The probes as the site's users: a directory with a group per probed tenant (members from this
 * machine's system accounts), the site's members script run against it, then each probe.
 */
async function asUsers(c: UserContext): Promise<string[]> {
  const tenants = probeTenants(c.site);
  if (!tenants.length) {
    c.report.push("skipped: the user probes (no tenant has GPUs on a whole-GPU partition)");
    return [];
  }
  const groupOf = new Map(
    c.files["members.tsv"]
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t") as [string, string]),
  );
  const missingGroups = c.site.tenants
    .filter((t) => groupOf.get(t.name) !== t.directoryGroup)
    .map((t) => `tenant ${t.name}: members.tsv has ${JSON.stringify(groupOf.get(t.name) ?? null)}, expected its directoryGroup ${t.directoryGroup}`);
  if (missingGroups.length) return missingGroups;
  const stand = systemUsers(fs.readFileSync("/etc/passwd", "utf8"));
  const needed = tenants.length * 2 + 1;
  if (stand.length < needed) {
    c.report.push(`skipped: the user probes (this machine has ${stand.length} system accounts to stand in for directory users; they need ${needed})`);
    return [];
  }
  const members = tenants.map((_, i) => [stand[2 * i], stand[2 * i + 1]] as const);
  const outsider = stand[2 * tenants.length];
  c.users.push(...stand.slice(0, needed));
  const suffix = c.site.slurm.login.searchBase;
  const groups = tenants.map((t, i) => ({ name: groupOf.get(t.tenant)!, members: [...members[i]] }));
  const directory = await startDirectory(c.env, c.daemons, path.join(c.tmp, "ldap"), c.ports.ldap, suffix, groups, randomBytes(12).toString("hex"));
  c.report.push(
    `swapped: the site's directory (${c.site.slurm.login.ldapUri}) -> a real OpenLDAP at ${directory.uri} with the probed tenants' groups; this machine's accounts ${stand.slice(0, needed).join(", ")} stand in for its users`,
  );
  const script = path.join(c.tmp, "etc", "sync-members.sh");
  fs.writeFileSync(script, c.files["sync-members.sh"], { mode: 0o755 });
  const sync = (t: string) => {
    const r = run({ ...c.env, LDAP_URI: directory.uri, SEARCH_BASE: suffix, GROUP: groupOf.get(t)!, ACCOUNT: t }, "sh", [script]);
    if (r.status !== 0) throw new Error(`sync-members.sh for ${t}: ${r.out.trim()}`);
    return r.out.trim();
  };
  for (const t of tenants) c.report.push(`members of ${groupOf.get(t.tenant)} synced into ${t.tenant}: ${sync(t.tenant).replace(/\n/g, "; ")}`);

  const problems: string[] = [];
  const probeStep = async (step: () => Promise<string> | string) => {
    try {
      c.report.push(await step());
    } catch (err) {
      problems.push((err as Error).message);
    }
    await clearQueue(c.env, c.users);
  };
  for (const [i, t] of tenants.entries()) {
    await probeStep(() => oneGpuRuns(c.env, t, members[i][0]));
    await probeStep(() => overEntitlementRefused(c.env, t, members[i][0]));
  }
  const capped = c.probe && tenants.findIndex((t) => t.tenant === c.probe!.tenant);
  if (c.probe && capped !== undefined && capped >= 0) await probeStep(() => limitHolds(c.env, c.probe!, members[capped][0]));
  else c.report.push("skipped: the GPU-limit jobs (no probed tenant's limit fits within one partition's nodes)");
  const first = tenants[0];
  const node = c.nodes.find((n) => n.startsWith(`${first.pool.name}-`))!;
  await probeStep(() => cpuJobLeavesGpus(c.env, first, members[0][0], node));
  await probeStep(() => outsiderRefused(c.env, first, outsider));

  // A member who leaves the group loses the account at the next sync.
  const leaver = members[0][1];
  await probeStep(() => {
    const before = submitAs(c.env, leaver, ["-p", first.partition, "--gpus=1"]);
    if (!before.id) throw new Error(`tenant ${first.tenant}: member ${leaver} was refused before leaving its group: ${before.refused}`);
    return `tenant ${first.tenant}: member ${leaver} can submit while in ${groupOf.get(first.tenant)}`;
  });
  directory.removeMember(0, groupOf.get(first.tenant)!, leaver);
  const after = sync(first.tenant);
  await probeStep(() => {
    const job = submitAs(c.env, leaver, ["-p", first.partition, "--gpus=1"]);
    if (job.id)
      throw new Error(
        `tenant ${first.tenant}: ${leaver}, removed from ${groupOf.get(first.tenant)}, could still submit after the sync (${after || "it changed nothing"})`,
      );
    return `tenant ${first.tenant}: ${leaver}, removed from its group, is refused after the sync (${after}): ${job.refused}`;
  });
  return problems;
}
