import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SchemeTerms } from "../../inventory/subsidy";
import { Site } from "../../inventory/types";
import { GpuCluster } from "../cluster";
import { NvidiaGpu } from "../gpu";
import { MonitoringStack } from "../monitoring";
import { SlurmCluster } from "../slurm";
import { createTenants, Tenant } from "../tenancy";
import { CertManager } from "./cert-manager";
import { PlatformNamespaces } from "./namespaces";
import { Stage } from "./stages";

export const SITE_TYPE = "aisc:platform:Site";

export interface SitePlatformArgs {
  /** The validated site inventory every child is derived from. */
  readonly site: Site;
  /** Kubeconfig of an existing cluster (secret); used only when `cluster.kind` is `existing`. */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Each alert receiver's webhook URL, a secret (see stacks/config.ts). */
  readonly alertWebhooks?: Readonly<Record<string, pulumi.Input<string>>>;
  /** The date (YYYY-MM-DD) the plan is made for (inventory/dates.ts). */
  readonly asOf: string;
  /** What this run deploys (./stages); the whole site unless `cluster`. */
  readonly stage?: Stage;
  /** The subsidy schemes' terms from `aisc:city` (inventory/subsidy.ts), recorded in the site's facts for the ledger policies. */
  readonly subsidy?: readonly SchemeTerms[];
}

/** What a {@link SitePlatform} records as its inputs (see {@link siteInputs}). */
export interface SiteInputs {
  readonly site: string;
  readonly region: string;
  readonly stage: Stage;
}

/**
 * Which site, where, and how far this run deploys it: the stage is the one input that adds or
 * removes the whole platform at once, so a preview shows it on the top of the tree. Nothing
 * else of the inventory: each child records its own part, and the plan's date, the secrets and
 * the kubeconfig are never inputs (a date would change every day, a secret would be stored).
 */
export function siteInputs(site: Site, stage: Stage): SiteInputs {
  return { site: site.name, region: site.region, stage };
}

/**
 * Everything a site runs, as one component: the top of the resource tree under the stack, so
 * that `pulumi preview` and `aisc plan` group every resource under its site and domain. The
 * site's AWS provider is explicit, in the inventory's region, so no resource can land in
 * another region through an ambient default (the stacks also disable default providers).
 */
export class SitePlatform extends pulumi.ComponentResource {
  public readonly cluster: GpuCluster;
  /** The platform on the cluster; absent in the cluster stage, which stops short of the Kubernetes API. */
  public readonly workloads?: SiteWorkloads;

  constructor(name: string, args: SitePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    const { site } = args;
    const stage = args.stage ?? "platform";
    super(SITE_TYPE, name, siteInputs(site, stage), opts);
    const provider =
      site.cluster.kind === "eks"
        ? new aws.Provider(
            `${name}-aws`,
            {
              region: site.region as aws.Region,
              // A stack pointed at the wrong account's credentials stops before it creates anything.
              ...(site.cluster.awsAccountId ? { allowedAccountIds: [site.cluster.awsAccountId] } : {}),
              defaultTags: { tags: { "aisc.hk/site": site.name, "aisc.hk/managed-by": "pulumi-aisc" } },
            },
            { parent: this },
          )
        : undefined;
    this.cluster = new GpuCluster(
      `${name}-cluster`,
      {
        site,
        asOf: args.asOf,
        stage,
        ...(provider ? { provider } : {}),
        ...(args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : {}),
      },
      { parent: this },
    );
    const k8sProvider = this.cluster.k8sProvider;
    if (!k8sProvider) {
      this.registerOutputs({ clusterName: this.cluster.clusterName, stage });
      return;
    }
    this.workloads = siteWorkloads(this, name, {
      site,
      provider: k8sProvider,
      alertWebhooks: args.alertWebhooks ?? {},
      dependsOn: this.cluster.ready,
      subsidy: args.subsidy ?? [],
    });
    // The runtime keeps the program running until registered outputs resolve, so every tenant
    // is created before the stack completes, and a failure creating one fails the stack.
    this.registerOutputs(this.workloads.tenants.then((tenants) => ({ clusterName: this.cluster.clusterName, stage, tenants: Object.keys(tenants).length })));
  }
}

/** The platform stage's components: everything that runs on the cluster. */
export interface SiteWorkloads {
  readonly gpu: NvidiaGpu;
  readonly slurm: SlurmCluster;
  readonly monitoring: MonitoringStack;
  readonly certManager: CertManager;
  /**
   * Tenants by name, once all are created: they are created in batches (see
   * {@link createTenants}), and the site's outputs wait for the last of them.
   */
  readonly tenants: Promise<Readonly<Record<string, Tenant>>>;
}

interface SiteWorkloadsArgs {
  readonly site: Site;
  readonly provider: k8s.Provider;
  readonly alertWebhooks: Readonly<Record<string, pulumi.Input<string>>>;
  /** What the platform's namespaces wait for: the nodes and add-ons their pods need. */
  readonly dependsOn: pulumi.Resource[];
  readonly subsidy: readonly SchemeTerms[];
}

function siteWorkloads(parent: pulumi.ComponentResource, name: string, args: SiteWorkloadsArgs): SiteWorkloads {
  const { site, provider } = args;
  const namespaces = new PlatformNamespaces(`${name}-namespaces`, { site, provider, dependsOn: args.dependsOn, subsidy: args.subsidy }, { parent });
  // dependsOn on a component does not reach its children, so each set of objects is told.
  const deps = { provider, dependsOn: [namespaces] };
  const gpu = new NvidiaGpu(`${name}-nvidia`, { site, ...deps }, { parent });
  // Monitoring first: its operator brings the CRDs that ServiceMonitors and rules need.
  const monitoring = new MonitoringStack(`${name}-monitoring`, { site, ...deps, alertWebhooks: args.alertWebhooks }, { parent });
  // The Slinky operator's webhook takes its certificate from cert-manager, which must be up first.
  const certManager = new CertManager(`${name}-cert-manager`, { site, ...deps }, { parent });
  const slurm = new SlurmCluster(`${name}-slurm`, { site, provider, dependsOn: [namespaces, monitoring, certManager] }, { parent });
  // Each tenant's Slurm account objects live in the slurm namespace, and its Job needs the
  // Slurm cluster's key and sacctmgr configuration; its own namespace needs nothing else.
  const tenants = createTenants(name, { site, provider, slurmAccountDependsOn: [namespaces, slurm] }, { parent });
  return { gpu, slurm, monitoring, certManager, tenants };
}
