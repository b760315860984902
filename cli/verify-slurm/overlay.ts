/**
 * What `aisc verify --only slurm` changes in the site's Slurm files to run them on this
 * machine's Slurm, and nothing more: Debian's Slurm 22.05 has neither `auth/slurm` nor
 * `AutoDetect=nvidia`, so munge and explicit `File=` lines on fake device nodes stand in;
 * hosts, ports and paths move into a temporary directory; representative nodes of each pool
 * run a slurmd on this host and the rest are declared FUTURE. Every swap is listed in the
 * report. Everything else in the files is loaded as it is on disk.
 */

/** Expands a Slurm hostlist such as `h800-p1-[0-3,7]` or `a-1,b-[01-02]`. */
export function expandHostlist(list: string): string[] {
  const out: string[] = [];
  const parts = list.match(/[^,[]+(\[[^\]]*\])?[^,]*/g) ?? [];
  for (const part of parts) {
    const m = /^(.*)\[([^\]]*)\](.*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    for (const range of m[2].split(",")) {
      const [lo, hi = lo] = range.split("-");
      const width = lo.length;
      for (let i = Number(lo); i <= Number(hi); i++) out.push(`${m[1]}${String(i).padStart(width, "0")}${m[3]}`);
    }
  }
  return out;
}

/** The shortest hostlist for `names`: `a-[0-3,7]` from a-0..a-3 and a-7. */
export function compressHostlist(names: readonly string[]): string {
  const groups = new Map<string, number[]>();
  const plain: string[] = [];
  for (const n of names) {
    const m = /^(.*?)(0|[1-9]\d*)$/.exec(n);
    if (!m) plain.push(n);
    else groups.set(m[1], [...(groups.get(m[1]) ?? []), Number(m[2])]);
  }
  const lists = [...groups.entries()].map(([prefix, nums]) => {
    const sorted = [...new Set(nums)].sort((a, b) => a - b);
    if (sorted.length === 1) return `${prefix}${sorted[0]}`;
    const ranges: string[] = [];
    let start = sorted[0];
    for (let i = 1; i <= sorted.length; i++) {
      if (i === sorted.length || sorted[i] !== sorted[i - 1] + 1) {
        ranges.push(start === sorted[i - 1] ? `${start}` : `${start}-${sorted[i - 1]}`);
        start = sorted[i];
      }
    }
    return `${prefix}[${ranges.join(",")}]`;
  });
  return [...lists, ...plain].join(",");
}

/** `key=value` settings of a slurm.conf line, keys as written. */
function settings(line: string): [string, string][] {
  return line
    .trim()
    .split(/\s+/)
    .map((kv) => {
      const i = kv.indexOf("=");
      return i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
    });
}

export interface LocalSlurm {
  readonly dir: string;
  readonly mungeSocket: string;
  readonly ports: { readonly slurmctld: number; readonly slurmdbd: number; readonly slurmd: readonly number[] };
  /** Whether this machine mounts cgroup v2 (the site's nodes do); if not, slurmd uses v1 here. */
  readonly cgroupV2: boolean;
  /** Nodes that run a slurmd here, by name, with the GPUs each has (type and count). */
  readonly nodes: readonly { readonly name: string; readonly gresType: string; readonly gpus: number }[];
}

export interface Overlay {
  readonly slurmConf: string;
  readonly gresConf: string;
  readonly cgroupConf: string;
  /** What was swapped, for the report. */
  readonly swaps: readonly string[];
}

const REPLACED = new Set([
  "SlurmctldHost",
  "AuthType",
  "CredType",
  "AuthAltTypes",
  "AuthAltParameters",
  "AuthInfo",
  "SlurmUser",
  "SlurmdUser",
  "SlurmctldPort",
  "SlurmdPort",
  "StateSaveLocation",
  "SlurmdSpoolDir",
  "AccountingStorageHost",
  "AccountingStoragePort",
  "AccountingStoragePass",
  "SlurmctldPidFile",
  "SlurmdPidFile",
  "SlurmctldLogFile",
  "SlurmSchedLogFile",
  "SlurmdLogFile",
  "SlurmdParameters",
  "MailProg",
]);

/** Settings of Slurm 25.11 that 22.05 does not know, dropped with the reason the report gives. */
const NEWER_THAN_22_05: Readonly<Record<string, string>> = {
  MetricsType: "MetricsType=metrics/openmetrics dropped (Slurm 22.05 has no metrics plugins; the site's Prometheus scrapes 25.11's)",
  TopologyPlugin: "TopologyPlugin=topology/block and topology.conf dropped (Slurm 22.05 has no topology/block; 23.11 added it)",
};

/** The local slurm.conf, gres.conf and cgroup.conf for the site's files as read from disk. */
export function overlay(slurmConf: string, gresConf: string, cgroupConf: string, local: LocalSlurm): Overlay {
  const swaps = [
    "auth/slurm and cred/slurm -> munge (Slurm 22.05 has no auth/slurm)",
    "AutoDetect=nvidia -> explicit gres.conf File= lines on fake /dev/nvidia* nodes (Slurm 22.05 has no AutoDetect=nvidia)",
    "hosts, ports, paths and MailProg -> this machine, in a temporary directory",
    `slurmd for ${local.nodes.length} representative nodes; the others declared State=FUTURE`,
    "SlurmdParameters=config_overrides: this machine is smaller than the nodes it stands in for",
  ];
  const running = new Map(local.nodes.map((n, i) => [n.name, local.ports.slurmd[i]]));
  const out: string[] = [];
  for (const raw of slurmConf.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const kv = settings(line);
    const [key, value] = kv[0];
    if (REPLACED.has(key)) continue;
    if (NEWER_THAN_22_05[key]) {
      swaps.push(NEWER_THAN_22_05[key]);
      continue;
    }
    if (key === "NodeName") {
      const rest = kv
        .slice(1)
        .filter(([k]) => k !== "State" && k !== "NodeHostname" && k !== "NodeAddr" && k !== "Port")
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      const names = expandHostlist(value);
      for (const name of names.filter((n) => running.has(n))) {
        out.push(`NodeName=${name} NodeHostname=localhost NodeAddr=127.0.0.1 Port=${running.get(name)} ${rest}`);
      }
      const future = names.filter((n) => !running.has(n));
      if (future.length) out.push(`NodeName=${compressHostlist(future)} ${rest} State=FUTURE`);
      continue;
    }
    out.push(line);
  }
  const d = local.dir;
  out.unshift(
    "SlurmctldHost=localhost",
    "AuthType=auth/munge",
    "CredType=cred/munge",
    `AuthInfo=socket=${local.mungeSocket}`,
    `AccountingStoragePass=${local.mungeSocket}`,
    "SlurmUser=root",
    "SlurmdUser=root",
    `SlurmctldPort=${local.ports.slurmctld}`,
    `StateSaveLocation=${d}/state`,
    `SlurmdSpoolDir=${d}/spool/%n`,
    `SlurmctldPidFile=${d}/run/slurmctld.pid`,
    `SlurmdPidFile=${d}/run/slurmd-%n.pid`,
    `SlurmctldLogFile=${d}/log/slurmctld.log`,
    `SlurmSchedLogFile=${d}/log/slurmsched.log`,
    `SlurmdLogFile=${d}/log/slurmd-%n.log`,
    "AccountingStorageHost=localhost",
    `AccountingStoragePort=${local.ports.slurmdbd}`,
    "SlurmdParameters=config_overrides",
    "MailProg=/bin/true",
  );
  const gres = gresConf
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^AutoDetect=/i.test(l) && !l.startsWith("#"));
  for (const n of local.nodes) {
    const files = n.gpus === 1 ? `${d}/dev/${n.name}/nvidia0` : `${d}/dev/${n.name}/nvidia[0-${n.gpus - 1}]`;
    gres.push(`NodeName=${n.name} Name=gpu Type=${n.gresType} File=${files}`);
  }
  let cgroup = cgroupConf;
  if (!local.cgroupV2 && /^\s*CgroupPlugin=cgroup\/v2\s*$/m.test(cgroupConf)) {
    cgroup = cgroupConf.replace(/^\s*CgroupPlugin=cgroup\/v2\s*$/m, "CgroupPlugin=cgroup/v1");
    swaps.push("CgroupPlugin=cgroup/v2 -> cgroup/v1 (this machine mounts cgroup v1; the site's nodes run v2)");
  }
  return { slurmConf: `${out.join("\n")}\n`, gresConf: `${gres.join("\n")}\n`, cgroupConf: cgroup, swaps };
}

/** slurmdbd.conf for the local MariaDB; the verification's own, not a site file. */
export function slurmdbdConf(dir: string, mungeSocket: string, dbdPort: number, mysqlPort: number, password: string): string {
  return [
    "AuthType=auth/munge",
    `AuthInfo=socket=${mungeSocket}`,
    "DbdHost=localhost",
    `DbdPort=${dbdPort}`,
    "SlurmUser=root",
    "StorageType=accounting_storage/mysql",
    "StorageHost=127.0.0.1",
    `StoragePort=${mysqlPort}`,
    "StorageUser=slurm",
    `StoragePass=${password}`,
    "StorageLoc=slurm_acct_db",
    `LogFile=${dir}/log/slurmdbd.log`,
    `PidFile=${dir}/run/slurmdbd.pid`,
    "",
  ].join("\n");
}
