import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_NAMESPACES, SYSTEM_NODE_SELECTOR } from "../../inventory/platform";
import { SiteWorkloadArgs } from "../k8s";

export const CERT_MANAGER_TYPE = "aisc:platform:CertManager";

/** cert-manager, pinned: its chart installs its CRDs too (`crds.enabled`). */
export const CERT_MANAGER_CHART = { chart: "cert-manager", version: "v1.19.6", repo: "https://charts.jetstack.io" } as const;

/**
 * The chart's values at v1.19.6: its CRDs installed and kept when the release is removed (a
 * deleted CRD deletes every Certificate with it), and every workload on the system nodes
 * (`global.nodeSelector`, which the controller, webhook, cainjector and startupapicheck
 * templates merge into their own). The post-install startupapicheck Job is a Helm hook that only
 * waits for the webhook, which Pulumi already does for the Deployments; it is left out.
 */
export function certManagerValues(): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    global: { nodeSelector: { ...SYSTEM_NODE_SELECTOR } },
    startupapicheck: { enabled: false },
  };
}

/** What a {@link CertManager} records as its inputs: the pinned chart and where it is installed. */
export interface CertManagerInputs {
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
}

/**
 * An upgrade of cert-manager is a change of the pinned version, and shows on this component in
 * a preview; the chart's values are the chart resource's own inputs, not repeated here.
 */
export function certManagerInputs(): CertManagerInputs {
  return { chart: CERT_MANAGER_CHART.chart, version: CERT_MANAGER_CHART.version, namespace: PLATFORM_NAMESPACES.certManager };
}

/**
 * cert-manager for the site, installed before anything that asks it for a certificate: the
 * Slinky operator chart's admission webhook takes its serving certificate from cert-manager
 * (its `certManager.enabled` default), and without cert-manager's CRDs that chart cannot be
 * applied and the webhook, which fails closed, refuses every Slinky object.
 *
 * @example
 *   const certManager = new CertManager("cyberport-cert-manager", { site, provider, dependsOn: [namespaces] });
 */
export class CertManager extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  /** The namespace cert-manager runs in. */
  public readonly namespace: string;
  /** The chart's version, which its CRDs and the API they serve follow. */
  public readonly version: string;

  constructor(name: string, args: SiteWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    const inputs = certManagerInputs();
    super(CERT_MANAGER_TYPE, name, inputs, opts);
    this.namespace = inputs.namespace;
    this.version = inputs.version;
    this.chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        chart: CERT_MANAGER_CHART.chart,
        version: CERT_MANAGER_CHART.version,
        repositoryOpts: { repo: CERT_MANAGER_CHART.repo },
        namespace: this.namespace,
        values: certManagerValues(),
      },
      { parent: this, provider: args.provider, dependsOn: [...(args.dependsOn ?? [])] },
    );
    this.registerOutputs({ namespace: this.namespace, version: this.version });
  }
}
