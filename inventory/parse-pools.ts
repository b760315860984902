import { GPU_CATALOG, GPU_MODELS, GpuSpec } from "./catalog";
import { SECTIONS } from "./input";
import { CLOUD_INSTANCE_TYPES, findInstanceType, InstanceType, instanceTypesFor, NOT_IN_THE_CLOUD } from "./instances";
import { DNS_LABEL, DNS_LABEL_WHAT, Reader, show } from "./reader";
import { LIMITS } from "./limits";
import { RESERVED_POOL_NAME, SYSTEM_POOL } from "./platform";
import { CAPACITY_TYPES, CloudPool, GpuPool, MIG_STRATEGIES, MigLayout, PLACEMENTS, SharedReplicas, Sharing } from "./types";

/**
 * Parses GPU pools, including the NVIDIA device plugin's own rules for sharing, so that a
 * config the plugin would reject at start-up on every node is caught here with its key.
 */

/** A UTC instant as EC2 states a Capacity Block's start: 2027-01-10T11:30:00Z. */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/;

/** The default resource name of shared GPUs: keeps `nvidia.com/gpu` counting physical GPUs. */
export const SHARED_RESOURCE_NAME = "nvidia.com/gpu.shared";

/**
 * Extended resource names the device plugin may advertise: `nvidia.com/` and a name part of
 * at most 63 characters (the Kubernetes limit for the name part of a qualified name).
 */
export const RESOURCE_NAME = /^nvidia\.com\/([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

function parseReplicas(r: Reader, path: string, value: unknown): SharedReplicas | undefined {
  const o = r.object(path, value, SECTIONS.replicas);
  if (!o) return undefined;
  const replicas = r.integer(`${path}.replicas`, o.replicas, 2, 1024);
  let resourceName: string | undefined = SHARED_RESOURCE_NAME;
  if (o.resourceName !== undefined) {
    const what = "a resource name nvidia.com/<name> with a name of at most 63 letters, digits, '-', '_' or '.'";
    resourceName = r.string(`${path}.resourceName`, o.resourceName, { what });
    const m = resourceName === undefined ? null : RESOURCE_NAME.exec(resourceName);
    if (resourceName !== undefined && (!m || m[1].length > 63)) resourceName = r.fail(`${path}.resourceName`, `expected ${what}, got ${show(o.resourceName)}`);
  }
  return replicas === undefined || resourceName === undefined ? undefined : { replicas, resourceName };
}

/**
 * A MIG pool's layout: `all-<profile>`, every GPU cut into instances of one profile the GPU
 * model has (mig-parted's uniform layouts), so the plan knows what the pool advertises.
 */
function parseMigLayout(r: Reader, path: string, value: unknown, gpu: GpuSpec | undefined): MigLayout | undefined {
  const profiles = gpu ? Object.keys(gpu.migProfiles) : [];
  const what = gpu ? `all-<profile> with a ${gpu.model} MIG profile (${profiles.map((p) => `all-${p}`).join(", ")})` : "all-<profile>";
  if (value === undefined) return r.fail(path, `expected the pool's MIG layout, ${what}: without one no GPU is partitioned and the pool advertises nothing`);
  const name = r.string(path, value, { what });
  if (name === undefined || !gpu) return undefined;
  const profile = name.startsWith("all-") ? name.slice(4) : "";
  const perGpu = gpu.migProfiles[profile];
  if (perGpu === undefined) return r.fail(path, `expected ${what}, got ${show(name)}`);
  return { name, profile, perGpu };
}

function parseSharing(r: Reader, path: string, value: unknown, gpu: GpuSpec | undefined): Sharing | undefined {
  if (value === undefined) return { migStrategy: "none" };
  const o = r.object(path, value, SECTIONS.sharing);
  if (!o) return undefined;
  const migStrategy = o.migStrategy === undefined ? "none" : r.oneOf(`${path}.migStrategy`, o.migStrategy, MIG_STRATEGIES);
  if (migStrategy !== undefined && migStrategy !== "none" && gpu?.migCapable === false) {
    r.fail(`${path}.migStrategy`, `expected none: ${gpu.model} does not support MIG, got ${show(migStrategy)}`);
  } else if (migStrategy === "single") {
    r.fail(
      `${path}.migStrategy`,
      "expected none or mixed: with single, every MIG slice is advertised as nvidia.com/gpu, and tenants' whole-GPU quotas would count slices as GPUs",
    );
  }
  let migLayout: MigLayout | undefined;
  if (migStrategy === "mixed" && gpu?.migCapable) migLayout = parseMigLayout(r, `${path}.migLayout`, o.migLayout, gpu);
  else if (o.migLayout !== undefined && migStrategy === "none") r.fail(`${path}.migLayout`, "expected no migLayout without migStrategy mixed");
  if (o.timeSlicing !== undefined && migStrategy !== undefined && migStrategy !== "none") {
    r.fail(`${path}.timeSlicing`, `expected no timeSlicing on a MIG pool (migStrategy ${migStrategy}): its slices are already the unit tenants share`);
  }
  const timeSlicing = o.timeSlicing === undefined ? undefined : parseReplicas(r, `${path}.timeSlicing`, o.timeSlicing);
  const mps = o.mps === undefined ? undefined : parseReplicas(r, `${path}.mps`, o.mps);
  if (o.timeSlicing !== undefined && o.mps !== undefined) {
    r.fail(`${path}.mps`, "expected either timeSlicing or mps, not both: the device plugin shares a GPU one way");
  }
  if (o.mps !== undefined && migStrategy !== undefined && migStrategy !== "none") {
    r.fail(`${path}.mps`, `expected no mps on a MIG pool (migStrategy ${migStrategy}): the device plugin does not run MPS on MIG devices`);
  }
  if (migStrategy === undefined || (migStrategy === "mixed" && !migLayout)) return undefined;
  return { migStrategy, ...(migLayout ? { migLayout } : {}), ...(timeSlicing ? { timeSlicing } : {}), ...(mps ? { mps } : {}) };
}

function parseCloud(r: Reader, path: string, value: unknown, model: string | undefined, gpusPerNode: number | undefined): CloudPool | undefined {
  const o = r.object(path, value, SECTIONS.cloud);
  if (!o) return undefined;
  const capacityType = o.capacityType === undefined ? "on-demand" : r.oneOf(`${path}.capacityType`, o.capacityType, CAPACITY_TYPES);
  let capacityReservationId: string | undefined;
  if (capacityType === "capacity-block") {
    capacityReservationId = r.string(`${path}.capacityReservationId`, o.capacityReservationId, {
      pattern: /^cr-[0-9a-f]{17}$/,
      what: "the ID of the purchased EC2 Capacity Block (cr- and 17 hex digits)",
    });
  } else if (o.capacityReservationId !== undefined) {
    r.fail(`${path}.capacityReservationId`, `expected no reservation unless capacityType is capacity-block, got capacityType ${show(capacityType)}`);
  }
  // A block is reserved in one zone from a stated instant: EKS launches nothing before it, and
  // the node group is scaled up by a scheduled action at that instant (components/cluster).
  let capacityBlockStart: string | undefined;
  if (capacityType === "capacity-block") {
    capacityBlockStart = r.string(`${path}.capacityBlockStart`, o.capacityBlockStart, {
      pattern: UTC_INSTANT,
      what: "the Capacity Block's start in UTC, as EC2 states it, such as 2027-01-10T11:30:00Z",
    });
    if (capacityBlockStart && Number.isNaN(Date.parse(capacityBlockStart)))
      r.fail(`${path}.capacityBlockStart`, `expected a real instant, got ${show(capacityBlockStart)}`);
    if (o.availabilityZone === undefined)
      r.fail(`${path}.availabilityZone`, "expected the Capacity Block's zone: EKS takes only subnets in the reservation's zone");
  } else if (o.capacityBlockStart !== undefined) {
    r.fail(`${path}.capacityBlockStart`, `expected no start unless capacityType is capacity-block, got capacityType ${show(capacityType)}`);
  }
  const availabilityZone =
    o.availabilityZone === undefined
      ? undefined
      : r.string(`${path}.availabilityZone`, o.availabilityZone, {
          pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/,
          what: "one of the site's networks.availabilityZones, such as ap-east-1a",
        });
  // Burst capacity is rented and may be gone, so it backs no tenant's quota unless the site says
  // it is held for it (a capacity block, an on-demand reservation); spot never is.
  const guaranteed = o.guaranteed === undefined ? false : r.boolean(`${path}.guaranteed`, o.guaranteed);
  if (guaranteed && capacityType === "spot")
    r.fail(`${path}.guaranteed`, "expected false for spot capacity: EC2 takes spot instances back at two minutes' notice");
  if (model === undefined || gpusPerNode === undefined) return undefined;
  const gpuModel = model as keyof typeof CLOUD_INSTANCE_TYPES;
  const offered = CLOUD_INSTANCE_TYPES[gpuModel];
  if (offered.length === 0) {
    r.fail(path, `expected a GPU model with an EC2 instance type for a cloud pool; ${model} has none (${NOT_IN_THE_CLOUD[gpuModel]}; use placement on-prem)`);
    return undefined;
  }
  let instanceType: InstanceType | undefined = instanceTypesFor(gpuModel, gpusPerNode)[0];
  if (o.instanceType !== undefined) {
    const name = r.string(`${path}.instanceType`, o.instanceType);
    const found = name === undefined ? undefined : findInstanceType(name);
    if (name !== undefined && (!found || found.model !== model)) {
      return r.fail(`${path}.instanceType`, `expected an instance type with ${model} GPUs (${offered.map((t) => t.name).join(", ")}), got ${show(name)}`);
    }
    if (found && found.type.gpus !== gpusPerNode) {
      return r.fail(
        `${path}.instanceType`,
        `expected an instance type with ${gpusPerNode} GPUs (the pool's gpusPerNode); ${found.type.name} has ${found.type.gpus}`,
      );
    }
    instanceType = found?.type;
  } else if (!instanceType) {
    const sizes = [...new Set(offered.map((t) => t.gpus))].join(" or ");
    return r.fail(path, `expected gpusPerNode of ${sizes} for a cloud ${model} pool (no instance type has ${gpusPerNode} ${model} GPUs)`);
  }
  if (!capacityType || !instanceType || (capacityType === "capacity-block" && (!capacityReservationId || !capacityBlockStart || !availabilityZone)))
    return undefined;
  return {
    capacityType,
    instanceType,
    ...(capacityReservationId ? { capacityReservationId } : {}),
    ...(capacityBlockStart ? { capacityBlockStart } : {}),
    ...(availabilityZone ? { availabilityZone } : {}),
    ...(guaranteed ? { guaranteed: true as const } : {}),
  };
}

/** Parses one pool at `path`; returns undefined when any of its fields is invalid. */
export function parsePool(r: Reader, path: string, value: unknown): GpuPool | undefined {
  const o = r.object(path, value, SECTIONS.pool);
  if (!o) return undefined;
  const before = r.issues.length;
  const name = r.string(`${path}.name`, o.name, { pattern: DNS_LABEL, what: DNS_LABEL_WHAT, maxLength: 40 });
  if (name === RESERVED_POOL_NAME) r.fail(`${path}.name`, `expected a name other than ${RESERVED_POOL_NAME}, the device plugin's fallback config`);
  if (name === SYSTEM_POOL) r.fail(`${path}.name`, `expected a name other than ${SYSTEM_POOL}, which names the site's system nodes`);
  const model = r.oneOf(`${path}.gpu`, o.gpu, GPU_MODELS);
  const gpu = model === undefined ? undefined : GPU_CATALOG[model];
  const gpusPerNode = r.integer(`${path}.gpusPerNode`, o.gpusPerNode, 1, 16);
  const placement = o.placement === undefined ? "on-prem" : r.oneOf(`${path}.placement`, o.placement, PLACEMENTS);
  // An on-premises pool's SSM activation registers at most 1,000 servers; a managed node group scales to 450.
  const nodes = r.integer(`${path}.nodes`, o.nodes, 1, placement === "cloud" ? LIMITS.nodesPerCloudPool : LIMITS.nodesPerOnPremPool);
  // A rack-scale NVLink domain (GB200 NVL72) is bought and scheduled whole: a pool is whole racks.
  const domain = gpu?.nvlinkDomainGpus;
  if (domain && gpusPerNode !== undefined && nodes !== undefined && (domain % gpusPerNode !== 0 || nodes % (domain / gpusPerNode) !== 0)) {
    const perRack = domain % gpusPerNode === 0 ? domain / gpusPerNode : undefined;
    if (perRack)
      r.fail(
        `${path}.nodes`,
        `expected whole ${domain}-GPU NVLink racks of ${perRack} nodes for ${model} (Slurm schedules each rack as one block), got ${nodes}`,
      );
    else r.fail(`${path}.gpusPerNode`, `expected a number of GPUs that divides ${model}'s ${domain}-GPU NVLink rack, got ${gpusPerNode}`);
  }
  const sharing = parseSharing(r, `${path}.sharing`, o.sharing, gpu);
  const inService = o.inService === undefined ? undefined : r.date(`${path}.inService`, o.inService);
  const nodeWatts =
    o.nodeWatts === undefined
      ? gpu && gpusPerNode !== undefined
        ? gpu.serverWattsPerGpu * gpusPerNode
        : undefined
      : r.number(`${path}.nodeWatts`, o.nodeWatts, 0, 500000, true);
  let cloud: CloudPool | undefined;
  if (placement === "cloud") {
    if (o.cloud === undefined) r.fail(`${path}.cloud`, "expected a mapping with capacityType (and optionally instanceType) for a cloud pool, got nothing");
    else cloud = parseCloud(r, `${path}.cloud`, o.cloud, model, gpusPerNode);
  } else if (placement === "on-prem" && o.cloud !== undefined) {
    r.fail(`${path}.cloud`, "expected no cloud settings on an on-prem pool (set placement: cloud for a burst pool)");
  }
  if (r.issues.length > before) return undefined;
  return {
    name: name!,
    gpu: gpu!,
    gpusPerNode: gpusPerNode!,
    nodes: nodes!,
    placement: placement!,
    sharing: sharing!,
    ...(inService ? { inService } : {}),
    nodeWatts: nodeWatts!,
    ...(cloud ? { cloud } : {}),
  };
}
