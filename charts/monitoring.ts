import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { PLATFORM_NAMESPACES } from "../inventory/platform";
import { Site } from "../inventory/types";
import { alertRuleGroups } from "./alert-rules";
import { ALERTMANAGER_CONFIG, alertmanagerSpec } from "./alertmanager";
import { commonLabels, object } from "./common";
import { dashboards } from "./dashboards";
import { DCGM_EXPORTER } from "./dcgm-exporter";

/**
 * The site's monitoring objects for the Prometheus operator and Grafana: the alert and
 * recording rules, the DCGM exporter's ServiceMonitor (Slinky's Controller brings its own for
 * slurmctld), and the dashboards as ConfigMaps the Grafana sidecar discovers.
 */

export const MONITORING_API = "monitoring.coreos.com/v1";
/** The label the Grafana sidecar watches for dashboards. */
export const DASHBOARD_LABEL = { key: "grafana_dashboard", value: "1" } as const;

/**
 * Target relabelings for the DCGM exporter's ServiceMonitor (prometheus-operator 0.83 runs them
 * after its own): the node the exporter runs on as `node`, and the target's `namespace`, `pod`
 * and `container` dropped, so a GPU's series keep the exporter's own (the pod using the GPU,
 * from the kubelet), and a GPU no pod uses has none, rather than the exporter's pod (which
 * `honorLabels: true` would have filled in, making every idle GPU the exporter's).
 */
export const DCGM_RELABELINGS = [
  { sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node", action: "replace" },
  { regex: "namespace|pod|container", action: "labeldrop" },
];

export interface MonitoringProps {
  readonly site: Site;
}

export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { site } = props;
    const ns = PLATFORM_NAMESPACES.monitoring;
    const labels = commonLabels("aisc-monitoring");
    object(this, "rules", MONITORING_API, "PrometheusRule", { name: "aisc-alerts", namespace: ns, labels }, { spec: { groups: alertRuleGroups(site) } });
    object(
      this,
      "dcgm-monitor",
      MONITORING_API,
      "ServiceMonitor",
      { name: DCGM_EXPORTER.name, namespace: ns, labels },
      {
        spec: {
          jobLabel: "app.kubernetes.io/name",
          namespaceSelector: { matchNames: [PLATFORM_NAMESPACES.nvidia] },
          selector: { matchLabels: { "app.kubernetes.io/name": DCGM_EXPORTER.name } },
          endpoints: [{ port: "metrics", interval: "30s", honorLabels: false, relabelings: DCGM_RELABELINGS }],
        },
      },
    );
    if (site.monitoring.alerting) {
      object(
        this,
        "alertmanager-config",
        ALERTMANAGER_CONFIG.api,
        "AlertmanagerConfig",
        { name: ALERTMANAGER_CONFIG.name, namespace: ns, labels },
        { spec: alertmanagerSpec(site.monitoring.alerting, site.tenants) },
      );
    }
    for (const d of dashboards(site)) {
      object(
        this,
        `dashboard-${d.uid}`,
        "v1",
        "ConfigMap",
        { name: d.uid, namespace: ns, labels: { ...labels, [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value } },
        {
          data: { [`${d.uid}.json`]: `${JSON.stringify(d.json, null, 2)}\n` },
        },
      );
    }
  }
}
