import { accountsHeader, SLINKY_API, SLURM_ACCOUNT_LABEL, SLURM_NAMES } from "../charts/slurm";
import { nodeLine, slurmConf } from "../charts/slurm-config";
import { PLATFORM_NAMESPACES } from "../inventory/platform";
import { Plan, PlannedResource } from "./record";

/**
 * The site's Slurm files, read back from the planned resources (never re-derived from the
 * inventory): slurm.conf as the operator will run it (its base, the Controller's extraConf and
 * the nodes each NodeSet registers), gres.conf, cgroup.conf and topology.conf from the ConfigMap
 * the Controller mounts, the sacctmgr files from the site's QoS and the tenants' account
 * ConfigMaps, the scripts the account Jobs and members CronJobs run, and `members.tsv` (each
 * tenant's account and directory group, from its CronJob). These are
 * what `aisc verify --only slurm` loads into a real Slurm.
 */

type Inputs = {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};

function inputs(r: PlannedResource): Inputs {
  return r.inputs;
}

function ofKind(plan: Plan, kind: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === `kubernetes:${SLINKY_API}:${kind}`);
}

/** Files by path relative to the stack's output directory (`slurm/...`); empty with no Slurm. */
export function slurmArtifacts(plan: Plan): Map<string, string> {
  const files = new Map<string, string>();
  const [controller] = ofKind(plan, "Controller");
  if (!controller) return files;
  const spec = inputs(controller).spec as { clusterName: string; extraConf: string };
  const nodeSets = ofKind(plan, "NodeSet")
    .map((r) => ({ name: inputs(r).metadata!.name!, spec: inputs(r).spec as { replicas: number; extraConf: string } }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const nodes = nodeSets.map((n) => nodeLine(n.name, n.spec.replicas, n.spec.extraConf));
  files.set(
    "slurm/slurm.conf",
    slurmConf(
      spec.clusterName,
      SLURM_NAMES.controllerHost,
      SLURM_NAMES.accountingHost,
      spec.extraConf,
      nodeSets.map((n) => n.name),
      nodes,
    ),
  );

  const configMaps = plan.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && inputs(r).metadata?.namespace === PLATFORM_NAMESPACES.slurm);
  const configFiles = configMaps.find((r) => inputs(r).metadata?.name === SLURM_NAMES.configFiles);
  for (const [file, text] of Object.entries(inputs(configFiles ?? controller).data ?? {})) files.set(`slurm/${file}`, text);

  const accounts = configMaps
    .filter((r) => inputs(r).metadata?.labels?.[SLURM_ACCOUNT_LABEL] !== undefined)
    .sort((a, b) => (inputs(a).metadata!.name! < inputs(b).metadata!.name! ? -1 : 1))
    .map((r) => inputs(r).data!);
  files.set("slurm/accounts.cfg", [...accountsHeader(spec.clusterName).map((l) => `${l}\n`), ...accounts.map((d) => d.account)].join(""));
  const siteQos = configMaps.find((r) => inputs(r).metadata?.name === SLURM_NAMES.siteQos);
  // The site's own QoS first: tenants' QoS may preempt it, so it must exist before them.
  files.set("slurm/qos.cfg", [inputs(siteQos ?? controller).data?.qos ?? "", ...accounts.map((d) => d.qos)].join(""));

  // The scripts the account Jobs and members CronJobs run, and whom each CronJob syncs.
  const scripts = configMaps.find((r) => inputs(r).metadata?.name === SLURM_NAMES.accountsScript);
  for (const [file, text] of Object.entries(inputs(scripts ?? controller).data ?? {})) if (file.endsWith(".sh")) files.set(`slurm/${file}`, text);
  const members = plan.resources
    .filter((r) => r.type === "kubernetes:batch/v1:CronJob" && inputs(r).metadata?.namespace === PLATFORM_NAMESPACES.slurm)
    .map((r) => cronEnv(r))
    .filter((env) => env.ACCOUNT && env.GROUP)
    .sort((a, b) => (a.ACCOUNT < b.ACCOUNT ? -1 : 1));
  files.set("slurm/members.tsv", members.map((env) => `${env.ACCOUNT}\t${env.GROUP}\n`).join(""));
  return files;
}

/** The environment of a CronJob's first container, by name. */
function cronEnv(r: PlannedResource): Record<string, string> {
  const spec = (r.inputs as { spec?: { jobTemplate?: { spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } } } })
    .spec;
  const env = spec?.jobTemplate?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  return Object.fromEntries(env.map((e) => [e.name, e.value ?? ""]));
}
