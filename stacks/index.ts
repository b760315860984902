/**
 * The Pulumi program: one site per stack, its inventory in `stacks/Pulumi.<site>.yaml` under
 * `aisc:site`. Thin by design: read and validate the inventory, build the site, export what
 * operators and reports need. `aisc plan` runs this same file under the SDK's mock runtime.
 */
import { SitePlatform } from "../components/platform";
import { capacitySummary } from "../inventory/summary";
import { siteLedger } from "../inventory/subsidy";
import { tenantSummaries } from "../inventory/tenancy";
import { loadSite } from "./config";

const { site, kubeconfig: existingKubeconfig, alertWebhooks, asOf, stage, city } = loadSite();
const subsidyTerms = city?.subsidy ?? [];
const platform = new SitePlatform(site.name, {
  site,
  alertWebhooks,
  asOf,
  stage,
  subsidy: subsidyTerms,
  ...(existingKubeconfig ? { kubeconfig: existingKubeconfig } : {}),
});

export const siteName = site.name;
export const region = site.region;
export const clusterName = platform.cluster.clusterName;
export const clusterEndpoint = platform.cluster.endpoint;
/** Secret: handed to `kubectl` with `pulumi stack output --show-secrets kubeconfig`. */
export const kubeconfig = platform.cluster.kubeconfig;
/** The virtual private gateway to attach the site's Direct Connect or VPN to, after the cluster stage (EKS sites). */
export const vpnGatewayId = platform.cluster.vpnGatewayId;
/** Where each on-premises pool's servers fetch their nodeadm config (SecureString), by pool. */
export const nodeConfigParameters = platform.cluster.nodeConfigParameters;
export const capacity = capacitySummary(site);
/** The stage this run deployed: `cluster`, or `platform` (the whole site). */
export const deployedStage = stage;
/** Tenant namespaces; none in the cluster stage. */
export const tenantNamespaces = platform.workloads
  ? platform.workloads.tenants.then((all) =>
      Object.values(all)
        .map((t) => t.namespace)
        .sort(),
    )
  : [];
/** Each tenant's kind, GPU entitlement and subsidy, for reports. */
export const tenants = tenantSummaries(site);
/**
 * The subsidy ledger (inventory/subsidy.ts): per scheme configured in `aisc:city.subsidy`, what
 * each subsidised tenant's entitlement commits over the scheme's term, and the budget left; `aisc
 * diff` shows how a change moves it.
 */
export const subsidy = siteLedger(site, subsidyTerms);
