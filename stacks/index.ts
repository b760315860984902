/**
 * The Pulumi program: one site per stack, its inventory in `stacks/Pulumi.<site>.yaml` under
 * `aisc:site`. Thin by design: read and validate the inventory, build the site, export what
 * operators and reports need. `aisc plan` runs this same file under the SDK's mock runtime.
 */
import { SitePlatform } from "../components/platform";
import { capacitySummary } from "../inventory/summary";
import { tenantSummaries } from "../inventory/tenancy";
import { loadSite } from "./config";

const { site, kubeconfig: existingKubeconfig, alertWebhooks } = loadSite();
const platform = new SitePlatform(site.name, { site, alertWebhooks, ...(existingKubeconfig ? { kubeconfig: existingKubeconfig } : {}) });

export const siteName = site.name;
export const region = site.region;
export const clusterName = platform.cluster.clusterName;
export const clusterEndpoint = platform.cluster.endpoint;
/** Secret: handed to `kubectl` with `pulumi stack output --show-secrets kubeconfig`. */
export const kubeconfig = platform.cluster.kubeconfig;
export const capacity = capacitySummary(site);
export const tenantNamespaces = platform.tenants.then((all) => Object.values(all).map((t) => t.namespace).sort());
/** Each tenant's kind, GPU entitlement and subsidy, for reports. */
export const tenants = tenantSummaries(site);
