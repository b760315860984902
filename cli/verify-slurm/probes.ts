import { isWholeGpuPool } from "../../inventory/parse-slurm";
import { gpuEntitlement } from "../../inventory/tenancy";
import { GpuPool, Site } from "../../inventory/types";
import { run, waitFor } from "./engine";
import { Probe } from "./checks";

/**
 * What `aisc verify --only slurm` asks of Slurm as the site's users would: jobs submitted by
 * unprivileged members of the tenants' directory groups, through their default association and
 * QoS, with no `--qos`, `--account` or `--mem`. Each probe returns the report line it proved,
 * or throws the failure, in words that name the cause.
 */

/** A tenant the probes submit as: its limit, a partition it can run on, and two members. */
export interface TenantProbe {
  readonly tenant: string;
  readonly limit: number;
  readonly partition: string;
  readonly pool: GpuPool;
}

/** The partition (default first) and whole-GPU pool with the most GPUs per node a tenant's 1-GPU job can run on. */
function partitionFor(site: Site): { partition: string; pool: GpuPool } | undefined {
  for (const partition of [...site.slurm.partitions].sort((a, b) => Number(b.default) - Number(a.default))) {
    const pool = partition.pools
      .map((n) => site.pools.find((p) => p.name === n)!)
      .filter(isWholeGpuPool)
      .sort((a, b) => b.gpusPerNode - a.gpusPerNode)[0];
    if (pool) return { partition: partition.name, pool };
  }
  return undefined;
}

/**
 * The tenants to probe: every one with GPUs on a site of three or fewer, else the smallest,
 * the one in the middle and the largest entitlement (ties by name), so big sites stay quick.
 */
export function probeTenants(site: Site): TenantProbe[] {
  const where = partitionFor(site);
  if (!where) return [];
  const entitled = site.tenants.filter((t) => gpuEntitlement(t) > 0).sort((a, b) => gpuEntitlement(a) - gpuEntitlement(b) || (a.name < b.name ? -1 : 1));
  const chosen = entitled.length <= 3 ? entitled : [entitled[0], entitled[Math.floor(entitled.length / 2)], entitled[entitled.length - 1]];
  return chosen.map((t) => ({ tenant: t.name, limit: gpuEntitlement(t), ...where }));
}

/** Submits a job as `user` (never root), with only the options given: Slurm picks account and QoS. */
export function submitAs(env: NodeJS.ProcessEnv, user: string, args: readonly string[]): { id?: string; refused?: string } {
  const r = run(env, "runuser", ["-u", user, "--", "sbatch", "--parsable", "--chdir=/tmp", "-o", "/dev/null", ...args, "--wrap", "sleep 300"]);
  if (r.status === 0) return { id: r.out.trim().split(";")[0] };
  return { refused: r.out.trim().split("\n").filter(Boolean).slice(-1)[0] ?? `sbatch exited ${r.status}` };
}

/** A job's state, reason, QoS and account, as squeue shows them. */
export function jobState(env: NodeJS.ProcessEnv, id: string): { state: string; reason: string; qos: string; account: string } {
  const [state = "GONE", reason = "", qos = "", account = ""] = run(env, "squeue", ["-h", "-j", id, "-o", "%T %r %q %a"]).out.trim().split(/\s+/);
  return { state, reason, qos, account };
}

/** Cancels every job of `users` and waits until the queue is empty, so the next probe starts on idle nodes. */
export async function clearQueue(env: NodeJS.ProcessEnv, users: readonly string[]): Promise<void> {
  for (const u of users) run(env, "scancel", ["--quiet", "-u", u]);
  await waitFor("the queue to empty", () => run(env, "squeue", ["-h", "-o", "%i"]).out.trim() === "", { timeoutMs: 60000 });
}

/** Waits for a job to run, and checks it runs under the tenant's account and QoS (not `normal`). */
async function expectRunning(env: NodeJS.ProcessEnv, what: string, id: string, tenant: string): Promise<void> {
  try {
    await waitFor(`job ${id} to run`, () => jobState(env, id).state === "RUNNING", { timeoutMs: 45000 });
  } catch {
    const s = jobState(env, id);
    throw new Error(`${what} did not run: ${s.state} (${s.reason}), QoS ${s.qos}`);
  }
  const s = jobState(env, id);
  if (s.qos !== tenant || s.account !== tenant)
    throw new Error(`${what} runs under account ${s.account} and QoS ${s.qos}, expected ${tenant} for both (its default association)`);
}

/** The member's association with the tenant's account as slurmdbd has it, to name why a job was refused. */
export function association(env: NodeJS.ProcessEnv, user: string, account: string): string {
  const [line] = run(env, "sacctmgr", ["-n", "-P", "show", "assoc", `where`, `user=${user}`, `account=${account}`, "format=defaultqos,qos"])
    .out.trim()
    .split("\n");
  if (!line) return `${user} has no association with account ${account}`;
  const [defaultQos, qos] = line.split("|");
  return `${user}'s association with ${account}: default QoS ${defaultQos || "(none)"}, QoS ${qos || "(none)"}`;
}

/** The CPU and memory defaults a job with none of its own gets on `partition`, to name why it was refused. */
export function defaultsInEffect(env: NodeJS.ProcessEnv, partition: string): string {
  // Per-GPU defaults show inside `JobDefaults = DefMemPerGPU=...`, the others on lines of their own.
  const site = [...run(env, "scontrol", ["show", "config"]).out.matchAll(/\b((?:Def|Max)(?:Mem|Cpu)Per\w+)\s*=\s*([^\s,]+)/g)].filter(
    (m) => m[2] !== "UNLIMITED" && m[2] !== "0",
  );
  const part = [...run(env, "scontrol", ["-o", "show", "partition", partition]).out.matchAll(/\b((?:Def|Max)(?:Mem|Cpu)Per\w+)=(\S+)/g)].filter(
    (m) => m[2] !== "UNLIMITED" && m[2] !== "0",
  );
  const show = (ms: RegExpMatchArray[]) => ms.map((m) => `${m[1]}=${m[2]}`).join(" ") || "none";
  return `defaults: site ${show(site)}; partition ${partition} ${show(part)}`;
}

/** A member's 1-GPU job runs under the tenant's account and QoS, with Slurm's defaults for CPUs and memory. */
export async function oneGpuRuns(env: NodeJS.ProcessEnv, t: TenantProbe, member: string): Promise<string> {
  const what = `tenant ${t.tenant}: member ${member}'s 1-GPU job on ${t.partition}`;
  const job = submitAs(env, member, ["-p", t.partition, "--gpus=1"]);
  if (!job.id)
    throw new Error(`${what} was refused at submission: ${job.refused} (${association(env, member, t.tenant)}; ${defaultsInEffect(env, t.partition)})`);
  await expectRunning(env, what, job.id, t.tenant);
  return `${what} runs under its default account and QoS ${t.tenant}, with no --qos or --mem`;
}

/** A job for more GPUs than the tenant's whole entitlement is refused at submission (QoS DenyOnLimit). */
export function overEntitlementRefused(env: NodeJS.ProcessEnv, t: TenantProbe, member: string): string {
  const what = `tenant ${t.tenant}: a job for ${t.limit + 1} GPUs, one more than its entitlement`;
  const job = submitAs(env, member, ["-p", t.partition, `--gpus=${t.limit + 1}`]);
  if (job.id) {
    const s = jobState(env, job.id);
    throw new Error(`${what}, was accepted (${s.state}, ${s.reason}, QoS ${s.qos}); expected refusal at submission`);
  }
  // Refused, and for the limit: not for a QoS or account that is wrong to begin with.
  if (!/QOS policy|QOSMax|QOSGrp/i.test(job.refused ?? ""))
    throw new Error(`${what}, is refused, but not for the entitlement: ${job.refused} (${association(env, member, t.tenant)})`);
  return `${what}, is refused at submission: ${job.refused}`;
}

/** A job at the tenant's limit runs; one GPU more waits on its QoS, with a GPU free. */
export async function limitHolds(env: NodeJS.ProcessEnv, probe: Probe, member: string): Promise<string> {
  const nodes = Math.ceil(probe.limit / probe.pool.gpusPerNode);
  const at = submitAs(env, member, ["-p", probe.partition, `--gpus=${probe.limit}`, "-N", String(nodes)]);
  if (!at.id) throw new Error(`tenant ${probe.tenant}: a job for its ${probe.limit} GPUs was refused: ${at.refused}`);
  await expectRunning(env, `tenant ${probe.tenant}: a job for its ${probe.limit} GPUs`, at.id, probe.tenant);
  const over = submitAs(env, member, ["-p", probe.partition, "--gpus=1"]);
  if (!over.id) throw new Error(`tenant ${probe.tenant}: a 1-GPU job past its limit was refused (${over.refused}), expected it to wait`);
  // The scheduler runs on submission and every few seconds; the job must still wait, and on the limit.
  await new Promise((r) => setTimeout(r, 8000));
  const s = jobState(env, over.id);
  if (s.state !== "PENDING" || !/^(QOSGrp|AssocGrp)/.test(s.reason)) {
    throw new Error(`tenant ${probe.tenant}: a job for GPU ${probe.limit + 1} is ${s.state} (${s.reason}, QoS ${s.qos}), expected PENDING on its QoS limit`);
  }
  return `tenant ${probe.tenant}: job ${at.id} at its limit of ${probe.limit} GPUs runs on ${nodes} ${probe.pool.name} nodes; job ${over.id} for one more GPU waits (${s.reason})`;
}

/** A CPU-only job with no --mem leaves the node's GPUs usable: a GPU job on the same node runs beside it. */
export async function cpuJobLeavesGpus(env: NodeJS.ProcessEnv, t: TenantProbe, member: string, node: string): Promise<string> {
  const cpu = submitAs(env, member, ["-p", t.partition, "-w", node, "-n", "1"]);
  if (!cpu.id) throw new Error(`tenant ${t.tenant}: a 1-core job on ${node} was refused: ${cpu.refused}`);
  await expectRunning(env, `tenant ${t.tenant}: a 1-core job on ${node}`, cpu.id, t.tenant);
  const gpu = submitAs(env, member, ["-p", t.partition, "-w", node, "--gpus=1"]);
  if (!gpu.id) throw new Error(`tenant ${t.tenant}: a GPU job beside a 1-core job on ${node} was refused: ${gpu.refused}`);
  await expectRunning(env, `tenant ${t.tenant}: a 1-GPU job beside a 1-core job (no --mem) on ${node}`, gpu.id, t.tenant);
  return `a 1-core job with no --mem on ${node} leaves its GPUs usable: a 1-GPU job runs beside it`;
}

/** A user in no tenant's directory group cannot submit. */
export function outsiderRefused(env: NodeJS.ProcessEnv, t: TenantProbe, user: string): string {
  const job = submitAs(env, user, ["-p", t.partition, "--gpus=1"]);
  if (job.id) {
    const s = jobState(env, job.id);
    throw new Error(`${user}, a member of no tenant's group, could submit (account ${s.account}, QoS ${s.qos}); expected refusal`);
  }
  return `${user}, a member of no tenant's group, is refused: ${job.refused}`;
}
