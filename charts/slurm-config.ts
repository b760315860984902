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

/**
 * What each slurmd of a pool registers with (`slurmd -Z --conf`, the NodeSet's `extraConf`):
 * its CPUs, memory, GPUs as typed GRES, and the pool and model as features.
 */
export function nodeConf(pool: GpuPool): string {
  const cpus = pool.gpu.cpusPerGpu * pool.gpusPerNode;
  return `CPUs=${cpus} RealMemory=${realMemoryMB(pool)} Gres=gpu:${gresType(pool)}:${pool.gpusPerNode} Features=${pool.name},${gresType(pool)}`;
}

/** The slurm.conf line of the nodes a NodeSet of `replicas` pods registers. */
export function nodeLine(nodeSet: string, replicas: number, conf: string): string {
  const names = replicas === 1 ? `${nodeSet}-0` : `${nodeSet}-[0-${replicas - 1}]`;
  return `NodeName=${names} ${conf} State=UNKNOWN`;
}

/** `7-00:00:00` from hours, as Slurm writes MaxTime. */
export function slurmDuration(hours: number): string {
  const days = Math.floor(hours / 24);
  return `${days}-${String(hours % 24).padStart(2, "0")}:00:00`;
}

/** A partition over the Slurm node sets of its pools (each node set is a pool's feature). */
export function partitionLine(p: Partition): string {
  return `PartitionName=${p.name} Nodes=${p.pools.join(",")} Default=${p.default ? "YES" : "NO"} MaxTime=${slurmDuration(p.maxTimeHours)} State=UP`;
}

/** The pools Slurm runs on: those some partition names, by name, so inventory order changes nothing. */
export function slurmPools(site: Site): GpuPool[] {
  const named = new Set(site.slurm.partitions.flatMap((p) => p.pools));
  return site.pools.filter((p) => named.has(p.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Default memory per allocated GPU, in MB: the smallest per-GPU share of any pool, so it always fits. */
export function defMemPerGpuMB(site: Site): number {
  return Math.min(...slurmPools(site).map((p) => Math.floor(realMemoryMB(p) / p.gpusPerNode)));
}

/** Every GPU TRES accounting tracks: all GPUs, and each model separately. */
export function gpuTres(site: Site): string[] {
  return ["gres/gpu", ...[...new Set(slurmPools(site).map(gresType))].sort().map((t) => `gres/gpu:${t}`)];
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
    ...slurmPools(site).map((p) => `NodeSet=${p.name} Feature=${p.name}`),
    ...site.slurm.partitions.map(partitionLine),
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

/**
 * The whole slurm.conf as the operator runs it: the base Slinky generates (auth/slurm, cgroup
 * tracking, accounting through slurmdbd), the site's additions (the Controller's `extraConf`),
 * and the nodes its NodeSets register. This is the file `aisc verify --only slurm` loads.
 */
export function slurmConf(clusterName: string, controllerHost: string, accountingHost: string, extraConf: string, nodeLines: readonly string[]): string {
  return [
    `ClusterName=${clusterName}`,
    `SlurmctldHost=${controllerHost}`,
    "AuthType=auth/slurm",
    "CredType=cred/slurm",
    "AuthAltTypes=auth/jwt",
    "SlurmUser=slurm",
    "SlurmctldPort=6817",
    "SlurmdPort=6818",
    "StateSaveLocation=/var/spool/slurmctld",
    "SlurmdSpoolDir=/var/spool/slurmd",
    "ProctrackType=proctrack/cgroup",
    "TaskPlugin=task/cgroup,task/affinity",
    "ReturnToService=2",
    "AccountingStorageType=accounting_storage/slurmdbd",
    `AccountingStorageHost=${accountingHost}`,
    "AccountingStoragePort=6819",
    "JobAcctGatherType=jobacct_gather/cgroup",
    extraConf.trimEnd(),
    ...nodeLines,
    "",
  ].join("\n");
}
