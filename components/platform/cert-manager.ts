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

  constructor(name: string, args: SiteWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CERT_MANAGER_TYPE, name, {}, opts);
    this.chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        chart: CERT_MANAGER_CHART.chart,
        version: CERT_MANAGER_CHART.version,
        repositoryOpts: { repo: CERT_MANAGER_CHART.repo },
        namespace: PLATFORM_NAMESPACES.certManager,
        values: certManagerValues(),
      },
      { parent: this, provider: args.provider, dependsOn: [...(args.dependsOn ?? [])] },
    );
    this.registerOutputs({});
  }
}
