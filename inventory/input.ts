import { CLUSTER_SECTIONS } from "./input-cluster";
import { WORKLOAD_SECTIONS } from "./input-workload";

/**
 * The one description of the inventory's input: every mapping under `aisc:site` by a section
 * name, each key with its meaning, whether it is required, its default and its value's JSON
 * Schema (./input-kit for the types, defaults and bounds; ./input-cluster and ./input-workload
 * for the sections). The parsers take their key lists from here, and
 * tools/generate-inventory-schema.ts makes `stacks/inventory.schema.json` and the README's key
 * table from it, so the three cannot drift apart.
 */
export const SECTIONS = { ...CLUSTER_SECTIONS, ...WORKLOAD_SECTIONS } as const;

export {
  DEFAULT_ACTIVATION_ROTATION_DAYS,
  DEFAULT_OIDC_PREFIX,
  DEFAULT_SERVICE_CIDR,
  MAX_ACCESS_ENTRIES,
  MAX_API_ACCESS_CIDRS,
  MONITORING_DEFAULTS,
  SYSTEM_DEFAULTS,
} from "./input-kit";
export type { KeyDoc, Section } from "./input-kit";
