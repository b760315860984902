import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { App } from "cdk8s";
import { ALERTMANAGER_CONFIG } from "../../charts/alertmanager";
import { DASHBOARD_LABEL, MonitoringChart } from "../../charts/monitoring";
import { PLATFORM_NAMESPACES, SYSTEM_NODE_SELECTOR } from "../../inventory/platform";
import { Site } from "../../inventory/types";
import { chartObjects, ChartResources, SiteWorkloadArgs } from "../k8s";

export const MONITORING_STACK_TYPE = "aisc:monitoring:Stack";

/** kube-prometheus-stack, pinned: the Prometheus operator, Prometheus, Grafana, kube-state-metrics. */
export const PROMETHEUS_STACK_CHART = {
  chart: "kube-prometheus-stack",
  version: "75.15.0",
  repo: "https://prometheus-community.github.io/helm-charts",
} as const;

export interface MonitoringStackArgs extends SiteWorkloadArgs {
  /** Each alert receiver's webhook URL, a secret; written only into the receivers' Secret. */
  readonly alertWebhooks?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The chart's values: retention and a retained volume from the inventory; every monitor and rule
 * selected; every Deployment, StatefulSet and Job the chart renders by default on the system
 * nodes (the keys its templates read at 75.15.0, and its subcharts' at the versions it pins).
 * node-exporter stays a DaemonSet on every node: its default tolerates NoSchedule taints.
 */
export function prometheusStackValues(site: Site, grafanaSecret: string): Record<string, unknown> {
  const m = site.monitoring;
  const nodeSelector = { ...SYSTEM_NODE_SELECTOR };
  return {
    prometheusOperator: { nodeSelector, admissionWebhooks: { patch: { nodeSelector } } },
    // aisc's AlertmanagerConfig is the whole configuration, replacing the chart's (which sends
    // every alert to its null receiver); without alerting in the inventory the chart's stays.
    alertmanager: {
      alertmanagerSpec: { nodeSelector, ...(site.monitoring.alerting ? { alertmanagerConfiguration: { name: ALERTMANAGER_CONFIG.name } } : {}) },
    },
    prometheus: {
      prometheusSpec: {
        nodeSelector,
        retention: `${m.retentionDays}d`,
        // Select every ServiceMonitor, PodMonitor and rule in the cluster, not only the chart's own.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: m.storageClass ?? site.system.storageClass,
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: `${m.storageGi}Gi` } },
            },
          },
        },
      },
    },
    grafana: {
      nodeSelector,
      admin: { existingSecret: grafanaSecret, userKey: "admin-user", passwordKey: "admin-password" },
      sidecar: {
        dashboards: { enabled: true, label: DASHBOARD_LABEL.key, labelValue: DASHBOARD_LABEL.value, searchNamespace: PLATFORM_NAMESPACES.monitoring },
      },
    },
    // Node pool labels on kube_node_labels, so rules and dashboards can group nodes by pool.
    "kube-state-metrics": { nodeSelector, metricLabelsAllowlist: ["nodes=[aisc.hk/pool,aisc.hk/gpu-model]"] },
  };
}

/** What a {@link MonitoringStack} records as its inputs (see {@link monitoringStackInputs}). */
export interface MonitoringStackInputs {
  /** kube-prometheus-stack's pinned version. */
  readonly chartVersion: string;
  readonly retentionDays: number;
  readonly storageGi: number;
  /** The alert receivers' names, sorted, never their webhook URLs (secrets); empty without alerting. */
  readonly alertReceivers: readonly string[];
}

/**
 * The figures a reviewer weighs in a monitoring change: an upgrade of the stack, how long
 * metrics are kept and on how large a volume, and which receivers alerts can reach. The
 * receivers' URLs are secrets and stay in their Secret; only the names are recorded here.
 */
export function monitoringStackInputs(site: Site): MonitoringStackInputs {
  const m = site.monitoring;
  return {
    chartVersion: PROMETHEUS_STACK_CHART.version,
    retentionDays: m.retentionDays,
    storageGi: m.storageGi,
    alertReceivers: [...(m.alerting?.receivers ?? [])].sort(),
  };
}

/**
 * Monitoring for one site: kube-prometheus-stack from a pinned chart, with the inventory's
 * retention and a Prometheus volume kept when the stack is deleted, a generated Grafana admin
 * password, and the site's rules, DCGM ServiceMonitor and dashboards as typed resources.
 *
 * @example
 *   new MonitoringStack("cyberport-monitoring", { site, provider, dependsOn: [namespaces] });
 */
export class MonitoringStack extends pulumi.ComponentResource {
  public readonly operator: k8s.helm.v4.Chart;
  /** The site's rules, ServiceMonitors and dashboards. */
  public readonly objects: ChartResources;
  /** The namespace of Prometheus, Alertmanager and Grafana. */
  public readonly namespace: string;
  /** The Secret holding Grafana's admin user and generated password (read it with kubectl; its value is never an output). */
  public readonly grafanaAdminSecret: string;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MONITORING_STACK_TYPE, name, monitoringStackInputs(args.site), opts);
    const { site, provider } = args;
    const deps = [...(args.dependsOn ?? [])];
    const ns = PLATFORM_NAMESPACES.monitoring;
    const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
    const secretName = "grafana-admin";
    const secret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: secretName, namespace: ns },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": password.result },
      },
      { parent: this, provider, dependsOn: deps },
    );
    this.operator = new k8s.helm.v4.Chart(
      `${name}-prometheus`,
      {
        chart: PROMETHEUS_STACK_CHART.chart,
        version: PROMETHEUS_STACK_CHART.version,
        repositoryOpts: { repo: PROMETHEUS_STACK_CHART.repo },
        namespace: ns,
        values: prometheusStackValues(site, secretName),
      },
      { parent: this, provider, dependsOn: [...deps, secret] },
    );
    // The receivers' webhook URLs, one key per receiver, from Pulumi secrets only.
    const receivers = site.monitoring.alerting
      ? [
          new k8s.core.v1.Secret(
            `${name}-alert-receivers`,
            {
              metadata: { name: ALERTMANAGER_CONFIG.secret, namespace: ns },
              type: "Opaque",
              stringData: Object.fromEntries(site.monitoring.alerting.receivers.map((r) => [r, pulumi.secret(args.alertWebhooks?.[r] ?? "")])),
            },
            { parent: this, provider, dependsOn: deps },
          ),
        ]
      : [];
    this.objects = new ChartResources(
      `${name}-objects`,
      {
        objects: chartObjects(new MonitoringChart(new App(), "monitoring", { site })),
        provider,
        dependsOn: [...deps, this.operator, ...receivers],
      },
      { parent: this },
    );
    this.namespace = ns;
    this.grafanaAdminSecret = secretName;
    this.registerOutputs({ namespace: this.namespace, grafanaAdminSecret: this.grafanaAdminSecret });
  }
}
