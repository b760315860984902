import * as pulumi from "@pulumi/pulumi";
import { planDate } from "../inventory/dates";
import { CityConfig, parseCity } from "../inventory/city";
import { parseSite } from "../inventory/parse";
import { webhookConfigKey } from "../inventory/parse-monitoring";
import { InventoryError } from "../inventory/reader";
import { Site } from "../inventory/types";
import { Stage, STAGES, STAGE_CONFIG_KEY } from "../components/platform/stages";

/**
 * Reads the stack's site inventory from Pulumi config. A mistake in it becomes a
 * `pulumi.RunError`, which the Pulumi CLI (and `aisc plan`) prints as a plain message listing
 * every problem by config key, with no stack trace.
 */
export function loadSite(config: pulumi.Config = new pulumi.Config("aisc")): {
  site: Site;
  kubeconfig?: pulumi.Output<string>;
  alertWebhooks: Record<string, pulumi.Output<string>>;
  asOf: string;
  stage: Stage;
  city?: CityConfig;
} {
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
  const city = loadCity(config);
  const stage = readStage(config, site);
  let asOf: string;
  try {
    asOf = planDate();
  } catch (err) {
    throw new pulumi.RunError((err as Error).message);
  }
  const kubeconfig = site.cluster.kind === "existing" ? config.getSecret("kubeconfig") : undefined;
  return {
    site,
    ...(kubeconfig ? { kubeconfig } : {}),
    alertWebhooks: stage === "platform" ? alertWebhooks(site, config) : {},
    asOf,
    stage,
    ...(city ? { city } : {}),
  };
}

/**
 * The city's facts (`aisc:city`, project-level config in Pulumi.yaml, the same for every stack),
 * validated like the inventory: the program needs the subsidy schemes' terms from it for the
 * site's ledger. Absent, there is no ledger to keep (a project of its own without the city's facts).
 */
function loadCity(config: pulumi.Config): CityConfig | undefined {
  let raw: unknown;
  try {
    raw = config.getObject<unknown>("city");
  } catch (err) {
    throw new pulumi.RunError(`aisc:city: expected a YAML mapping, but the value is not valid JSON or YAML (${(err as Error).message})`);
  }
  if (raw === undefined) return undefined;
  try {
    return parseCity(raw);
  } catch (err) {
    if (err instanceof InventoryError) throw new pulumi.RunError(`invalid city configuration:\n${err.message}`);
    throw err;
  }
}

/**
 * The stage this run deploys (`aisc:stage`, see components/platform/stages.ts): `platform`
 * unless the stack says `cluster`. An existing cluster has only the platform stage.
 */
function readStage(config: pulumi.Config, site: Site): Stage {
  const value = config.get(STAGE_CONFIG_KEY);
  if (value === undefined) return "platform";
  if (!(STAGES as readonly string[]).includes(value))
    throw new pulumi.RunError(`aisc:${STAGE_CONFIG_KEY}: expected one of ${STAGES.join(", ")}, got ${JSON.stringify(value)}`);
  if (value === "cluster" && site.cluster.kind === "existing")
    throw new pulumi.RunError(`aisc:${STAGE_CONFIG_KEY}: expected platform for an existing cluster (aisc creates no cluster for it), got "cluster"`);
  return value as Stage;
}

/**
 * Each alert receiver's webhook URL, from the secret `aisc:alertWebhook-<receiver>`. A URL carries
 * its token, so it is never in the inventory. A preview (`pulumi preview`, `aisc plan`, a fork's
 * CI without the stack's secrets) goes on without one, warning; a deployment refuses, naming the
 * key to set.
 */
function alertWebhooks(site: Site, config: pulumi.Config): Record<string, pulumi.Output<string>> {
  const out: Record<string, pulumi.Output<string>> = {};
  for (const receiver of site.monitoring.alerting?.receivers ?? []) {
    const key = webhookConfigKey(receiver);
    const url = config.getSecret(key);
    if (url) out[receiver] = url;
    else if (pulumi.runtime.isDryRun()) {
      void pulumi.log.warn(`aisc:${key} is not set: alerts to ${receiver} go nowhere until it is (pulumi config set --secret aisc:${key} <webhook URL>)`);
      out[receiver] = pulumi.secret("");
    } else {
      throw new pulumi.RunError(
        `aisc:site.monitoring.alerting.receivers: ${receiver} has no webhook URL; expected the secret aisc:${key} (pulumi config set --secret aisc:${key} <webhook URL>)`,
      );
    }
  }
  return out;
}
