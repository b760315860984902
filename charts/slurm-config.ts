import { GpuPool, Partition, Site } from "../inventory/types";

/**
 * The site's Slurm configuration as pure text: what the Slinky Controller adds to the
 * slurm.conf it generates, each pool's node definition, gres.conf and cgroup.conf. The same
 * functions feed the Kubernetes objects and the files `aisc plan` writes for `aisc verify`.
 */

/** The GRES type of a pool's GPUs in Slurm: the model in lower case (`gpu:h800:8`). */
export function gresType(pool: GpuPool): string {
  return pool.gpu.model.toLowerCase();
}

/** The node names of a pool, as a Slurm hostlist: the NodeSet's pods are `<pool>-<ordinal>`. */
export function nodeList(pool: GpuPool): string {
  return pool.nodes === 1 ? `${pool.name}-0` : `${pool.name}-[0-${pool.nodes - 1}]`;
}

/** Memory Slurm may hand to jobs on a node: the server's, less 5% for the OS and agents, in MB. */
export function realMemoryMB(pool: GpuPool): number {
  return Math.floor(pool.gpu.memoryGBPerGpu * pool.gpusPerNode * 1024 * 0.95);
}

/** The slurm.conf node definition of every node of a pool. */
export function nodeLine(pool: GpuPool): string {
  const cpus = pool.gpu.cpusPerGpu * pool.gpusPerNode;
  return `NodeName=${nodeList(pool)} CPUs=${cpus} RealMemory=${realMemoryMB(pool)} Gres=gpu:${gresType(pool)}:${pool.gpusPerNode} Features=${pool.name},${gresType(pool)} State=UNKNOWN`;
}

/** `7-00:00:00` from hours, as Slurm writes MaxTime. */
export function slurmDuration(hours: number): string {
  const days = Math.floor(hours / 24);
  return `${days}-${String(hours % 24).padStart(2, "0")}:00:00`;
}

export function partitionLine(site: Site, p: Partition): string {
  const nodes = p.pools.map((name) => nodeList(site.pools.find((x) => x.name === name)!)).join(",");
  return `PartitionName=${p.name} Nodes=${nodes} Default=${p.default ? "YES" : "NO"} MaxTime=${slurmDuration(p.maxTimeHours)} State=UP`;
}

/** Default memory per allocated GPU, in MB: the smallest per-GPU share of any pool, so it always fits. */
export function defMemPerGpuMB(site: Site): number {
  return Math.min(...site.pools.map((p) => Math.floor(realMemoryMB(p) / p.gpusPerNode)));
}

/** Every GPU TRES accounting tracks: all GPUs, and each model separately. */
export function gpuTres(site: Site): string[] {
  return ["gres/gpu", ...[...new Set(site.pools.map(gresType))].sort().map((t) => `gres/gpu:${t}`)];
}

/**
 * What the site adds to the operator's slurm.conf: GPU scheduling and accounting, limits
 * enforced from the database (so a tenant's QoS is a hard cap), multifactor priority led by
 * fair share, a default memory per GPU, and the partitions.
 */
export function slurmConfExtra(site: Site): string {
  return [
    "GresTypes=gpu",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_Core_Memory",
    `AccountingStorageTRES=${gpuTres(site).join(",")}`,
    "AccountingStorageEnforce=associations,limits,qos,safe",
    "PriorityType=priority/multifactor",
    "PriorityWeightFairshare=100000",
    "PriorityWeightQOS=10000",
    "PriorityWeightAge=1000",
    "PriorityWeightPartition=1000",
    "PriorityDecayHalfLife=7-0",
    "PriorityMaxAge=7-0",
    `DefMemPerGPU=${defMemPerGpuMB(site)}`,
    ...site.slurm.partitions.map((p) => partitionLine(site, p)),
  ].join("\n") + "\n";
}

/** gres.conf as deployed: the NVIDIA driver tells slurmd which GPUs each node has. */
export function gresConf(): string {
  return "AutoDetect=nvidia\n";
}

/** cgroup.conf: jobs are confined to their cores, memory and, above all, their GPUs. */
export function cgroupConf(): string {
  return ["CgroupPlugin=autodetect", "ConstrainCores=yes", "ConstrainRAMSpace=yes", "ConstrainDevices=yes", ""].join("\n");
}

/** Where the operator's services are, for the base of the generated slurm.conf. */
export interface SlurmEndpoints {
  readonly controllerHost: string;
  readonly accountingHost: string;
}

/**
 * The whole slurm.conf of the site as the operator runs it: the base Slinky generates
 * (auth/slurm, cgroup tracking, accounting through slurmdbd), the site's additions, and the
 * nodes its NodeSets register. This is the file `aisc verify --only slurm` loads.
 */
export function slurmConf(site: Site, endpoints: SlurmEndpoints): string {
  return [
    `ClusterName=${site.name}`,
    `SlurmctldHost=${endpoints.controllerHost}`,
    "AuthType=auth/slurm",
    "CredType=cred/slurm",
    "SlurmUser=slurm",
    "SlurmctldPort=6817",
    "SlurmdPort=6818",
    "StateSaveLocation=/var/spool/slurmctld",
    "SlurmdSpoolDir=/var/spool/slurmd",
    "ProctrackType=proctrack/cgroup",
    "TaskPlugin=task/cgroup,task/affinity",
    "ReturnToService=2",
    "AccountingStorageType=accounting_storage/slurmdbd",
    `AccountingStorageHost=${endpoints.accountingHost}`,
    "AccountingStoragePort=6819",
    "JobAcctGatherType=jobacct_gather/cgroup",
    slurmConfExtra(site).trimEnd(),
    ...site.pools.map(nodeLine),
    "",
  ].join("\n");
}
