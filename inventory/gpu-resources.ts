import { GpuPool } from "./types";

/**
 * The Kubernetes extended resources a pool's nodes advertise, derived once from its sharing:
 * the device plugin's naming (v0.17.1), what the tenants' quotas must list, what the capacity
 * rules compare against, and what placement checks a pod's requests with.
 */

/** Whole, unshared GPUs. */
export const WHOLE_GPU = "nvidia.com/gpu";

/** The resource a MIG profile's slices are advertised as under the `mixed` strategy. */
export function migResource(profile: string): string {
  return `nvidia.com/mig-${profile}`;
}

/** The class a resource belongs to, for capacity: whole GPUs, MIG slices or shared replicas. */
export type ResourceClass = "whole" | "mig" | "shared";

/** What one node of the pool advertises, by resource. */
export function nodeResources(pool: GpuPool): Record<string, number> {
  const s = pool.sharing;
  if (s.migLayout) return { [migResource(s.migLayout.profile)]: pool.gpusPerNode * s.migLayout.perGpu };
  const shared = s.timeSlicing ?? s.mps;
  if (shared) return { [shared.resourceName]: pool.gpusPerNode * shared.replicas };
  return { [WHOLE_GPU]: pool.gpusPerNode };
}

/** What the whole pool advertises, by resource. */
export function poolResources(pool: GpuPool): Record<string, number> {
  return Object.fromEntries(Object.entries(nodeResources(pool)).map(([name, n]) => [name, n * pool.nodes]));
}

/** The class of a resource by its name alone, as policies see it in facts and quotas. */
export function classOfResource(name: string): ResourceClass {
  if (name === WHOLE_GPU) return "whole";
  return name.startsWith(migResource("")) ? "mig" : "shared";
}

/** The class of a resource a pool advertises. */
export function resourceClass(pool: GpuPool): ResourceClass {
  if (pool.sharing.migLayout) return "mig";
  const shared = pool.sharing.timeSlicing ?? pool.sharing.mps;
  return shared && shared.resourceName !== WHOLE_GPU ? "shared" : "whole";
}

/** The MIG profiles the site's pools advertise, sorted. */
export function siteMigProfiles(pools: readonly GpuPool[]): string[] {
  return [...new Set(pools.flatMap((p) => (p.sharing.migLayout ? [p.sharing.migLayout.profile] : [])))].sort();
}

/** The shared-GPU resources (time-slicing or MPS replicas under their own name) the site's pools advertise, sorted. */
export function siteSharedResources(pools: readonly GpuPool[]): string[] {
  return [...new Set(pools.filter((p) => resourceClass(p) === "shared").flatMap((p) => Object.keys(nodeResources(p))))].sort();
}
