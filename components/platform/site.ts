import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Site } from "../../inventory/types";
import { GpuCluster } from "../cluster";
import { NvidiaGpu } from "../gpu";
import { MonitoringStack } from "../monitoring";
import { SlurmCluster } from "../slurm";
import { createTenants, Tenant } from "../tenancy";
import { CertManager } from "./cert-manager";
import { PlatformNamespaces } from "./namespaces";

export const SITE_TYPE = "aisc:platform:Site";

export interface SitePlatformArgs {
  /** The validated site inventory every child is derived from. */
  readonly site: Site;
  /** Kubeconfig of an existing cluster (secret); used only when `cluster.kind` is `existing`. */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Each alert receiver's webhook URL, a secret (see stacks/config.ts). */
  readonly alertWebhooks?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Everything a site runs, as one component: the top of the resource tree under the stack, so
 * that `pulumi preview` and `aisc plan` group every resource under its site and domain. The
 * site's AWS provider is explicit, in the inventory's region, so no resource can land in
 * another region through an ambient default (the stacks also disable default providers).
 */
export class SitePlatform extends pulumi.ComponentResource {
  public readonly cluster: GpuCluster;
  public readonly gpu: NvidiaGpu;
  public readonly slurm: SlurmCluster;
  public readonly monitoring: MonitoringStack;
  public readonly certManager: CertManager;
  /**
   * Tenants by name, once all are created: they are created in batches (see
   * {@link createTenants}), and the site's outputs wait for the last of them.
   */
  public readonly tenants: Promise<Readonly<Record<string, Tenant>>>;

  constructor(name: string, args: SitePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SITE_TYPE, name, {}, opts);
    const { site } = args;
    const provider =
      site.cluster.kind === "eks"
        ? new aws.Provider(`${name}-aws`, {
            region: site.region as aws.Region,
            defaultTags: { tags: { "aisc.hk/site": site.name, "aisc.hk/managed-by": "pulumi-aisc" } },
          }, { parent: this })
        : undefined;
    this.cluster = new GpuCluster(`${name}-cluster`, {
      site,
      ...(provider ? { provider } : {}),
      ...(args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : {}),
    }, { parent: this });
    const k8sProvider = this.cluster.k8sProvider;
    const namespaces = new PlatformNamespaces(`${name}-namespaces`, { site, provider: k8sProvider }, { parent: this });
    // dependsOn on a component does not reach its children, so each set of objects is told.
    const deps = { provider: k8sProvider, dependsOn: [namespaces] };
    this.gpu = new NvidiaGpu(`${name}-nvidia`, { site, ...deps }, { parent: this });
    // Monitoring first: its operator brings the CRDs that ServiceMonitors and rules need.
    this.monitoring = new MonitoringStack(`${name}-monitoring`, { site, ...deps, alertWebhooks: args.alertWebhooks ?? {} }, { parent: this });
    // The Slinky operator's webhook takes its certificate from cert-manager, which must be up first.
    this.certManager = new CertManager(`${name}-cert-manager`, { site, ...deps }, { parent: this });
    this.slurm = new SlurmCluster(`${name}-slurm`, { site, provider: k8sProvider, dependsOn: [namespaces, this.monitoring, this.certManager] }, { parent: this });
    // Each tenant's Slurm account objects live in the slurm namespace, and its Job needs the
    // Slurm cluster's key and sacctmgr configuration; its own namespace needs nothing else.
    this.tenants = createTenants(name, { site, provider: k8sProvider, slurmAccountDependsOn: [namespaces, this.slurm] }, { parent: this });
    // The runtime keeps the program running until registered outputs resolve, so every tenant
    // is created before the stack completes, and a failure creating one fails the stack.
    this.registerOutputs(this.tenants.then((tenants) => ({ clusterName: this.cluster.clusterName, tenants: Object.keys(tenants).length })));
  }
}
