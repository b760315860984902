import * as pulumi from "@pulumi/pulumi";
import { parseSite } from "../inventory/parse";
import { InventoryError } from "../inventory/reader";
import { Site } from "../inventory/types";

/**
 * Reads the stack's site inventory from Pulumi config. A mistake in it becomes a
 * `pulumi.RunError`, which the Pulumi CLI (and `aisc plan`) prints as a plain message listing
 * every problem by config key, with no stack trace.
 */
export function loadSite(config: pulumi.Config = new pulumi.Config("aisc")): { site: Site; kubeconfig?: pulumi.Output<string> } {
  let raw: unknown;
  try {
    raw = config.getObject<unknown>("site");
  } catch (err) {
    throw new pulumi.RunError(`aisc:site: expected a YAML mapping, but the value is not valid JSON or YAML (${(err as Error).message})`);
  }
  let site: Site;
  try {
    site = parseSite(raw);
  } catch (err) {
    if (err instanceof InventoryError) throw new pulumi.RunError(`invalid site inventory:\n${err.message}`);
    throw err;
  }
  const kubeconfig = site.cluster.kind === "existing" ? config.getSecret("kubeconfig") : undefined;
  return { site, ...(kubeconfig ? { kubeconfig } : {}) };
}
