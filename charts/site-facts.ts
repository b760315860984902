import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { poolResources } from "../inventory/gpu-resources";
import { SchemeTerms } from "../inventory/subsidy";
import { Site } from "../inventory/types";
import { commonLabels, object } from "./common";
import { cloudGpuContainerdConfig, gpuContainerdConfig } from "./containerd";

/**
 * The site's declared shape as ConfigMaps in kube-system: one for the site (region, power
 * envelope, PUE, the precision it counts, its milestones) and one per GPU pool (model, GPUs per
 * node, nodes, placement, power, date in service). They make the inventory readable in the
 * cluster, and they are what the capacity policies recompute capacity from, under
 * `pulumi preview` as offline: the policy pack has no other view of stack config.
 */

export const FACTS_NAMESPACE = "kube-system";
export const FACTS_LABEL = "aisc.hk/facts";

export interface SiteFacts {
  readonly site: string;
  readonly region: string;
  readonly envelopeMW: number;
  readonly pue: number;
  readonly precision: string;
  readonly milestones: readonly { name: string; date: string; pflops: number }[];
  /**
   * The site's on-premises node ranges: all a tenant's NetworkPolicy may admit by address
   * (policies/network-peers.ts). Not the VPC, pod or service ranges: they hold every other
   * tenant's pods and Services, which an ipBlock would reach past the namespace rules.
   */
  readonly networks: readonly string[];
  /**
   * The subsidy schemes' terms from the city's configuration (`aisc:city.subsidy`), present when
   * any is configured: the ledger policies (policies/subsidy.ts) price the tenants' quotas with them.
   */
  readonly subsidy?: readonly SchemeTerms[];
}

export interface PoolFacts {
  readonly pool: string;
  readonly gpuModel: string;
  readonly gpusPerNode: number;
  readonly nodes: number;
  readonly placement: string;
  readonly nodeWatts: number;
  readonly inService?: string;
  /** The extended resources the whole pool advertises (inventory/gpu-resources), by name. */
  readonly advertises: Readonly<Record<string, number>>;
  /**
   * The containerd config the pool's nodes join with (./containerd), shown
   * here because the hybrid NodeConfig that carries it is a secret (it holds the activation code).
   */
  readonly containerd: string;
  /** A cloud pool the inventory says is held for tenants (`cloud.guaranteed`): it counts toward quotas. */
  readonly guaranteed?: true;
}

export function siteFacts(site: Site, subsidy: readonly SchemeTerms[] = []): SiteFacts {
  return {
    site: site.name,
    region: site.region,
    envelopeMW: site.power.envelopeMW,
    pue: site.power.pue,
    precision: site.capacity.precision,
    milestones: site.capacity.milestones.map((m) => ({ name: m.name, date: m.date, pflops: m.pflops })),
    networks: [...site.networks.onPremNodeCidrs],
    ...(subsidy.length ? { subsidy } : {}),
  };
}

export function poolFacts(site: Site): PoolFacts[] {
  return site.pools.map((p) => ({
    pool: p.name,
    gpuModel: p.gpu.model,
    gpusPerNode: p.gpusPerNode,
    nodes: p.nodes,
    placement: p.placement,
    nodeWatts: p.nodeWatts,
    ...(p.inService ? { inService: p.inService } : {}),
    advertises: poolResources(p),
    containerd: p.placement === "cloud" ? cloudGpuContainerdConfig() : gpuContainerdConfig(site.region),
    ...(p.cloud?.guaranteed ? { guaranteed: true as const } : {}),
  }));
}

export class SiteFactsChart extends Chart {
  constructor(scope: Construct, id: string, props: { site: Site; subsidy?: readonly SchemeTerms[] }) {
    super(scope, id, { disableResourceNameHashes: true });
    const labels = commonLabels("aisc-facts");
    object(
      this,
      "site",
      "v1",
      "ConfigMap",
      { name: "aisc-site", namespace: FACTS_NAMESPACE, labels: { ...labels, [FACTS_LABEL]: "site" } },
      {
        data: { "site.json": JSON.stringify(siteFacts(props.site, props.subsidy)) },
      },
    );
    for (const pool of poolFacts(props.site)) {
      object(
        this,
        `pool-${pool.pool}`,
        "v1",
        "ConfigMap",
        { name: `aisc-pool-${pool.pool}`, namespace: FACTS_NAMESPACE, labels: { ...labels, [FACTS_LABEL]: "pool" } },
        {
          data: { "pool.json": JSON.stringify(pool) },
        },
      );
    }
  }
}
