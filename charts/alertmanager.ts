import { AlertingSettings, Tenant } from "../inventory/types";

/**
 * Where the site's alerts go, as one AlertmanagerConfig (`monitoring.coreos.com/v1alpha1`,
 * prometheus-operator 0.83) that kube-prometheus-stack's Alertmanager takes as its whole
 * configuration (`alertmanagerSpec.alertmanagerConfiguration`), so no namespace matcher is
 * forced on its routes: alerts about a tenant's namespace to the tenant's receiver, critical
 * alerts to the platform's on-call, the rest to the platform's channel, and the always-firing
 * `Watchdog` to a dead-man's switch. Receivers are webhooks whose URLs are keys of one Secret,
 * made from Pulumi secrets by the monitoring component.
 */

export const ALERTMANAGER_CONFIG = { name: "aisc-alerts", secret: "alertmanager-receivers", api: "monitoring.coreos.com/v1alpha1" } as const;

/** The receiver with no integrations, for what is delivered nowhere on purpose (kube-prometheus-stack's own name). */
export const NULL_RECEIVER = "null";

type Matcher = { name: string; value: string; matchType: "=" | "=~" };

const eq = (name: string, value: string): Matcher => ({ name, value, matchType: "=" });
const re = (name: string, value: string): Matcher => ({ name, value, matchType: "=~" });

/**
 * Inhibitions: a node that is not ready or unreachable (kube-prometheus-stack's `KubeNodeNotReady`,
 * `KubeNodeUnreachable`) silences its GPU and exporter alerts; an unreachable slurmctld silences
 * the Slurm alerts it causes; kube-prometheus-stack's `InfoInhibitor` keeps its own meaning.
 */
export const INHIBIT_RULES = [
  { sourceMatch: [re("alertname", "KubeNodeNotReady|KubeNodeUnreachable")], targetMatch: [re("alertname", "Gpu.*|Dcgm.*")], equal: ["node"] },
  { sourceMatch: [eq("alertname", "SlurmControllerUnreachable")], targetMatch: [re("alertname", "SlurmNodes.*|SlurmMetricsAbsent")] },
  { sourceMatch: [eq("alertname", "InfoInhibitor")], targetMatch: [eq("severity", "info")], equal: ["namespace"] },
];

/** The AlertmanagerConfig's spec for a site's alerting settings and tenants. */
export function alertmanagerSpec(alerting: AlertingSettings, tenants: readonly Tenant[]): Record<string, unknown> {
  const routed = tenants.filter((t) => t.alertReceiver).sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    route: {
      receiver: alerting.warning,
      groupBy: ["alertname", "node", "namespace"],
      groupWait: "30s",
      groupInterval: "5m",
      repeatInterval: "4h",
      routes: [
        // A dead-man's switch pages when this stops arriving, so it repeats often.
        { receiver: alerting.watchdog ?? NULL_RECEIVER, matchers: [eq("alertname", "Watchdog")], repeatInterval: "5m" },
        { receiver: NULL_RECEIVER, matchers: [eq("alertname", "InfoInhibitor")] },
        ...routed.map((t) => ({ receiver: t.alertReceiver!, matchers: [eq("namespace", t.name)] })),
        { receiver: alerting.critical, matchers: [eq("severity", "critical")] },
      ],
    },
    receivers: [
      ...alerting.receivers.map((name) => ({ name, webhookConfigs: [{ urlSecret: { name: ALERTMANAGER_CONFIG.secret, key: name }, sendResolved: true }] })),
      { name: NULL_RECEIVER },
    ],
    inhibitRules: INHIBIT_RULES,
  };
}
