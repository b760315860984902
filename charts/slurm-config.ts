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

/** Memory Slurm may hand to jobs on a node: the server's, less 5% for the OS and agents, in MB. */
export function realMemoryMB(pool: GpuPool): number {
  return Math.floor(pool.gpu.memoryGBPerGpu * pool.gpusPerNode * 1024 * 0.95);
}

/**
 * What each slurmd of a pool registers with (`slurmd -Z --conf`, the NodeSet's `extraConf`):
 * its CPUs, memory, GPUs as typed GRES, and the model as a feature. The operator adds the
 * NodeSet's name as a feature itself (v1.1.2 `workerbuilder.slurmdConfArgs`), so the pool's
 * name is not repeated here.
 */
export function nodeConf(pool: GpuPool): string {
  return `CPUs=${nodeCpus(pool)} RealMemory=${realMemoryMB(pool)} Gres=gpu:${gresType(pool)}:${pool.gpusPerNode} Features=${gresType(pool)}`;
}

/** The CPUs a node of `pool` gives Slurm: the catalog's cores per GPU times its GPUs. */
export function nodeCpus(pool: GpuPool): number {
  return pool.gpu.cpusPerGpu * pool.gpusPerNode;
}

/**
 * The slurm.conf line of the nodes a NodeSet of `replicas` pods registers, as the operator
 * builds each slurmd's `--conf`: the NodeSet's name first among the features, then the
 * `extraConf` items, with a repeated key's values joined by commas.
 */
export function nodeLine(nodeSet: string, replicas: number, conf: string): string {
  const names = replicas === 1 ? `${nodeSet}-0` : `${nodeSet}-[0-${replicas - 1}]`;
  const items = new Map<string, string>([["Features", nodeSet]]);
  for (const item of conf.split(" ").filter(Boolean)) {
    const i = item.indexOf("=");
    const key = /^features?$/i.test(item.slice(0, i)) ? "Features" : item.slice(0, i);
    const value = item.slice(i + 1);
    items.set(key, items.has(key) ? `${items.get(key)},${value}` : value);
  }
  return `NodeName=${names} ${[...items].map(([k, v]) => `${k}=${v}`).join(" ")} State=UNKNOWN`;
}

/** `7-00:00:00` from hours, as Slurm writes MaxTime. */
export function slurmDuration(hours: number): string {
  const days = Math.floor(hours / 24);
  return `${days}-${String(hours % 24).padStart(2, "0")}:00:00`;
}

/**
 * A partition over the Slurm node sets of its pools (each node set is a pool's feature), with
 * defaults that keep a job's share of a node in proportion: `DefCpuPerGPU`, the fewest CPUs per
 * GPU of its pools, so a GPU job with no `--cpus-per-gpu` gets its GPUs' share of cores; and
 * `DefMemPerCPU` and `MaxMemPerCPU`, the least memory per CPU of its pools, so a job with no
 * `--mem` gets memory for its CPUs (never a whole node's, which would strand the node's other
 * GPUs), and one asking more memory per CPU is given more CPUs instead.
 */
export function partitionLine(p: Partition, pools: readonly GpuPool[]): string {
  const members = pools.filter((x) => p.pools.includes(x.name));
  const cpuPerGpu = Math.min(...members.map((x) => x.gpu.cpusPerGpu));
  const memPerCpu = Math.min(...members.map(memPerCpuMB));
  return [
    `PartitionName=${p.name} Nodes=${p.pools.join(",")} Default=${p.default ? "YES" : "NO"} MaxTime=${slurmDuration(p.maxTimeHours)}`,
    `DefCpuPerGPU=${cpuPerGpu} DefMemPerCPU=${memPerCpu} MaxMemPerCPU=${memPerCpu} State=UP`,
  ].join(" ");
}

/** Memory per CPU on a node of `pool`, in MB: what it gives jobs, shared over its CPUs. */
export function memPerCpuMB(pool: GpuPool): number {
  return Math.floor(realMemoryMB(pool) / nodeCpus(pool));
}

/** The pools Slurm runs on: those some partition names, by name, so inventory order changes nothing. */
export function slurmPools(site: Site): GpuPool[] {
  const named = new Set(site.slurm.partitions.flatMap((p) => p.pools));
  return site.pools.filter((p) => named.has(p.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * What the site adds to the operator's slurm.conf (see {@link slurmConf}): GPU scheduling,
 * limits enforced from the database (so a tenant's QoS is a hard cap) and at submission (`EnforcePartLimits=ALL`: a job no partition can ever run is refused,
 * not left pending), preemption by QoS (tenants' jobs requeue the scavenger QoS's),
 * multifactor priority led by fair share, one block per NVLink rack where a pool has them, and
 * the partitions with their per-job defaults. Nothing the operator already writes is repeated
 * (Slurm logs every repeated key as an error): its `AccountingStorageTRES=gres/gpu` counts every
 * GPU; usage by model is read from the nodes its jobs ran on, each of which names its model.
 */
export function slurmConfExtra(site: Site): string {
  const pools = slurmPools(site);
  return (
    [
      "SelectType=select/cons_tres",
      "AccountingStorageEnforce=associations,limits,qos,safe",
      "EnforcePartLimits=ALL",
      "PreemptType=preempt/qos",
      "PreemptMode=REQUEUE",
      "PriorityType=priority/multifactor",
      "PriorityWeightFairshare=100000",
      "PriorityWeightQOS=10000",
      "PriorityWeightAge=1000",
      "PriorityWeightPartition=1000",
      "PriorityDecayHalfLife=7-0",
      "PriorityMaxAge=7-0",
      ...(topologyConf(site) ? ["TopologyPlugin=topology/block"] : []),
      ...site.slurm.partitions.map((p) => partitionLine(p, pools)),
    ].join("\n") + "\n"
  );
}

/**
 * topology.conf for pools whose NVLink spans servers (GB200 NVL72): one block per rack of
 * consecutive nodes (a NodeSet's pods are numbered, and the inventory keeps a pool to whole
 * racks), so `topology/block` (Slurm 23.11 and later) packs a job into as few racks as it can.
 * Undefined when no Slurm pool has such racks.
 */
export function topologyConf(site: Site): string | undefined {
  const lines = slurmPools(site).flatMap((pool) => {
    const domain = pool.gpu.nvlinkDomainGpus;
    if (!domain) return [];
    const perRack = domain / pool.gpusPerNode;
    return Array.from(
      { length: pool.nodes / perRack },
      (_, rack) => `BlockName=${pool.name}-rack${rack} Nodes=${pool.name}-[${rack * perRack}-${(rack + 1) * perRack - 1}]`,
    );
  });
  return lines.length ? `${lines.join("\n")}\n` : undefined;
}

/** gres.conf as deployed: the NVIDIA driver tells slurmd which GPUs each node has. */
export function gresConf(): string {
  return "AutoDetect=nvidia\n";
}

/**
 * cgroup.conf, which replaces the operator's own default (`cgroup/v2`, `IgnoreSystemd=yes`) and
 * so restates it: slurmd runs in a pod, where there is no systemd to ask over dbus for a
 * cgroup, so it makes its own in the pod's cgroup v2 tree. Jobs are confined to their cores,
 * memory and, above all, their GPUs.
 */
export function cgroupConf(): string {
  return ["CgroupPlugin=cgroup/v2", "IgnoreSystemd=yes", "ConstrainCores=yes", "ConstrainRAMSpace=yes", "ConstrainDevices=yes", ""].join("\n");
}

/**
 * The slurm.conf the operator (v1.1.2, `controllerbuilder.buildSlurmConf`) generates for aisc's
 * Controller: cgroup tracking, metrics and slurmdbd accounting on, one `NodeSet` per NodeSet
 * (sorted by name), then the Controller's `extraConf`, then (here, since the pods register
 * dynamically there) the nodes the NodeSets register. This is the file `aisc verify --only
 * slurm` loads.
 */
export function slurmConf(
  clusterName: string,
  controllerHost: string,
  accountingHost: string,
  extraConf: string,
  nodeSets: readonly string[],
  nodeLines: readonly string[],
): string {
  return [
    `ClusterName=${clusterName}`,
    "SlurmUser=slurm",
    `SlurmctldHost=${controllerHost}`,
    "SlurmctldPort=6817",
    `StateSaveLocation=/var/spool/slurmctld/${clusterName}`,
    "SlurmdUser=root",
    "SlurmdPort=6818",
    "SlurmdSpoolDir=/var/spool/slurmd",
    "ReturnToService=2",
    "MaxNodeCount=1024",
    "GresTypes=gpu",
    "SlurmctldLogFile=/var/log/slurm/slurmctld.log",
    "SlurmSchedLogFile=/var/log/slurm/slurmctld.log",
    "SlurmdLogFile=/var/log/slurm/slurmd.log",
    "LogTimeFormat=iso8601,format_stderr",
    "AuthType=auth/slurm",
    "CredType=cred/slurm",
    "AuthAltTypes=auth/jwt",
    "AuthAltParameters=jwt_key=/etc/slurm/jwt.key",
    "AuthInfo=use_client_ids",
    "CommunicationParameters=block_null_hash",
    "SelectTypeParameters=CR_Core_Memory",
    "SlurmctldParameters=enable_configless,enable_stepmgr",
    "ProctrackType=proctrack/cgroup",
    "PrologFlags=Contain",
    "TaskPlugin=task/affinity,task/cgroup",
    "MetricsType=metrics/openmetrics",
    "AccountingStorageType=accounting_storage/slurmdbd",
    `AccountingStorageHost=${accountingHost}`,
    "AccountingStoragePort=6819",
    "AccountingStorageTRES=gres/gpu",
    "JobAcctGatherType=jobacct_gather/cgroup",
    ...[...nodeSets].sort().map((n) => `NodeSet=${n} Feature=${n}`),
    extraConf.trimEnd(),
    ...nodeLines,
    "",
  ].join("\n");
}
