import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { App } from "cdk8s";
import { systemNodeAffinity } from "../../charts/common";
import { SLURM_NAMES, SlurmChart } from "../../charts/slurm";
import { slurmPools } from "../../charts/slurm-config";
import { PLATFORM_NAMESPACES } from "../../inventory/platform";
import { Site } from "../../inventory/types";
import { chartObjects, ChartResources, SiteWorkloadArgs } from "../k8s";

export const SLURM_CLUSTER_TYPE = "aisc:slurm:Cluster";

/** The Slinky operator's charts, pinned; the CRDs chart is installed first. */
export const SLINKY_CHARTS = {
  registry: "oci://ghcr.io/slinkyproject/charts",
  version: "1.1.2",
} as const;

export type SlurmClusterArgs = SiteWorkloadArgs;

/**
 * The operator chart's values: CRDs come from their own chart, the admission webhook's
 * certificate from cert-manager (the chart's templates/cert-manager/pki.yaml), and the operator and its webhook
 * run on the system nodes. At 1.1.2 the chart's templates read `affinity` for both Deployments;
 * `webhook.nodeSelector` is declared in its values but no template uses it.
 */
export function slinkyOperatorValues(): Record<string, unknown> {
  const onSystem = { affinity: systemNodeAffinity() };
  // The webhook's serving certificate comes from cert-manager (installed before the operator).
  return { crds: { enabled: false }, certManager: { enabled: true }, operator: onSystem, webhook: { enabled: true, ...onSystem } };
}

/** What a {@link SlurmCluster} records as its inputs (see {@link slurmClusterInputs}). */
export interface SlurmClusterInputs {
  /** Slurm's `ClusterName`: the site's name, which accounting records every job under. */
  readonly clusterName: string;
  /** The Slinky operator charts' pinned version. */
  readonly operatorVersion: string;
  /** The pools with a NodeSet (those a partition names), sorted. */
  readonly nodeSets: readonly string[];
  /** The partitions' names, sorted. */
  readonly partitions: readonly string[];
}

/**
 * What shapes the Slurm cluster as its users see it: its name, the operator's release, which
 * pools run slurmd and which partitions they are offered in. A pool joining or leaving Slurm
 * shows on this component in a preview; slurm.conf's details are its ConfigMap's inputs.
 */
export function slurmClusterInputs(site: Site): SlurmClusterInputs {
  return {
    clusterName: site.name,
    operatorVersion: SLINKY_CHARTS.version,
    nodeSets: slurmPools(site).map((p) => p.name),
    partitions: site.slurm.partitions.map((p) => p.name).sort(),
  };
}

/**
 * Slurm on Kubernetes for one site: SchedMD's Slinky operator (pinned charts) and, from the
 * inventory, its Controller, a NodeSet per whole-GPU pool, LoginSet, RestApi and Accounting
 * on MariaDB, and what tenants' account Jobs share. The auth and JWT keys and database
 * passwords are generated as Pulumi secrets; the database volume survives deletion of the
 * stack (protected and retained), as do its passwords and the StatefulSet that uses them.
 *
 * @example
 *   new SlurmCluster("cyberport-slurm", { site, provider, dependsOn: [namespaces] });
 */
export class SlurmCluster extends pulumi.ComponentResource {
  public readonly objects: ChartResources;
  /** The namespace of Slurm's daemons, login nodes and accounting database. */
  public readonly namespace: string;
  /** The namespace of the Slinky operator and its webhook. */
  public readonly operatorNamespace: string;
  /** Slurm's `ClusterName`. */
  public readonly clusterName: string;
  /** The operator's Service for slurmctld, which `SlurmctldHost` names. */
  public readonly controllerService: string;
  /** The LoginSet users reach Slurm through by ssh (a Slinky custom resource in {@link namespace}). */
  public readonly loginSet: string;
  /** The RestApi, slurmrestd, that programs reach Slurm through (a Slinky custom resource in {@link namespace}). */
  public readonly restApi: string;
  /** The NodeSets, one per pool that runs slurmd, sorted. */
  public readonly nodeSets: readonly string[];

  constructor(name: string, args: SlurmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const inputs = slurmClusterInputs(args.site);
    super(SLURM_CLUSTER_TYPE, name, inputs, opts);
    const { site, provider } = args;
    const deps = [...(args.dependsOn ?? [])];
    const k8sOpts = { parent: this, provider };

    const crds = new k8s.helm.v4.Chart(
      `${name}-operator-crds`,
      {
        chart: `${SLINKY_CHARTS.registry}/slurm-operator-crds`,
        version: SLINKY_CHARTS.version,
        namespace: PLATFORM_NAMESPACES.slurmOperator,
      },
      { ...k8sOpts, dependsOn: deps },
    );
    const operator = new k8s.helm.v4.Chart(
      `${name}-operator`,
      {
        chart: `${SLINKY_CHARTS.registry}/slurm-operator`,
        version: SLINKY_CHARTS.version,
        namespace: PLATFORM_NAMESPACES.slurmOperator,
        values: slinkyOperatorValues(),
      },
      { ...k8sOpts, dependsOn: [...deps, crds] },
    );

    const ns = PLATFORM_NAMESPACES.slurm;
    const kept = { ...k8sOpts, protect: true };
    const authKey = new random.RandomBytes(`${name}-auth-key`, { length: 1024 }, { parent: this, protect: true });
    const jwtKey = new random.RandomBytes(`${name}-jwt-key`, { length: 64 }, { parent: this, protect: true });
    const dbPassword = new random.RandomPassword(`${name}-db-password`, { length: 32, special: false }, { parent: this, protect: true });
    const dbRootPassword = new random.RandomPassword(`${name}-db-root-password`, { length: 32, special: false }, { parent: this, protect: true });
    const secret = (id: string, secretName: string, data: Record<string, pulumi.Output<string>>, options: pulumi.CustomResourceOptions) =>
      new k8s.core.v1.Secret(`${name}-${id}`, { metadata: { name: secretName, namespace: ns }, type: "Opaque", data }, { ...options, dependsOn: deps });
    const secrets = [
      secret("auth-key", SLURM_NAMES.authKeySecret, { [SLURM_NAMES.authKeyFile]: authKey.base64 }, kept),
      secret("jwt-key", SLURM_NAMES.jwtKeySecret, { [SLURM_NAMES.jwtKeyFile]: jwtKey.base64 }, kept),
      secret(
        "db",
        SLURM_NAMES.databaseSecret,
        {
          password: pulumi.secret(dbPassword.result.apply((p) => Buffer.from(p).toString("base64"))),
          "root-password": pulumi.secret(dbRootPassword.result.apply((p) => Buffer.from(p).toString("base64"))),
        },
        kept,
      ),
    ];
    const volume = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-db-volume`,
      {
        metadata: { name: SLURM_NAMES.databaseVolume, namespace: ns, labels: { "app.kubernetes.io/name": "mariadb", "app.kubernetes.io/part-of": "aisc" } },
        spec: {
          accessModes: ["ReadWriteOnce"],
          // Every claim names its class: the accounting block's, else the platform's.
          storageClassName: site.slurm.accounting.storageClass ?? site.system.storageClass,
          resources: { requests: { storage: `${site.slurm.accounting.storageGi}Gi` } },
        },
      },
      { ...kept, retainOnDelete: true, dependsOn: deps },
    );

    this.objects = new ChartResources(
      `${name}-objects`,
      {
        objects: chartObjects(new SlurmChart(new App(), "slurm", { site })),
        provider,
        dependsOn: [...deps, operator, ...secrets, volume],
        protect: ["StatefulSet/slurm/mariadb"],
      },
      { parent: this },
    );
    this.namespace = ns;
    this.operatorNamespace = PLATFORM_NAMESPACES.slurmOperator;
    this.clusterName = inputs.clusterName;
    this.controllerService = SLURM_NAMES.controllerHost;
    this.loginSet = SLURM_NAMES.loginSet;
    this.restApi = SLURM_NAMES.restApi;
    this.nodeSets = inputs.nodeSets;
    this.registerOutputs({
      namespace: this.namespace,
      operatorNamespace: this.operatorNamespace,
      clusterName: this.clusterName,
      controllerService: this.controllerService,
      loginSet: this.loginSet,
      restApi: this.restApi,
      nodeSets: this.nodeSets,
    });
  }
}
