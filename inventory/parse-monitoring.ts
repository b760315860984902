import { DNS_LABEL, Reader, show } from "./reader";
import { MONITORING_DEFAULTS, SECTIONS } from "./input";
import { AlertingSettings, MonitoringSettings } from "./types";

/** The prefix of the Pulumi config keys (under `aisc:`) holding receivers' webhook URLs as secrets. */
export const WEBHOOK_CONFIG_PREFIX = "alertWebhook-";

/** The Pulumi config key (under `aisc:`) holding a receiver's webhook URL as a secret. */
export function webhookConfigKey(receiver: string): string {
  return `${WEBHOOK_CONFIG_PREFIX}${receiver}`;
}

/** Receivers, by name (a DNS label): each a webhook whose URL is the secret `aisc:alertWebhook-<name>`. */
function parseAlerting(r: Reader, path: string, value: unknown): AlertingSettings | undefined {
  const o = r.object(path, value, SECTIONS.alerting);
  if (!o) return undefined;
  const before = r.issues.length;
  const list = r.list(`${path}.receivers`, o.receivers, { minItems: 1, maxItems: 16, what: "receivers" }) ?? [];
  const receivers = list.map((x, i) =>
    r.string(`${path}.receivers[${i}]`, x, {
      pattern: DNS_LABEL,
      what: "a receiver name (a DNS label; its webhook URL is the secret aisc:alertWebhook-<name>)",
      maxLength: 40,
    }),
  );
  r.unique((i) => `${path}.receivers[${i}]`, receivers, "receiver");
  receivers.forEach(
    (x, i) => x === "null" && r.fail(`${path}.receivers[${i}]`, "expected a name other than null, Alertmanager's receiver that delivers nowhere"),
  );
  const named = receivers.filter((x): x is string => x !== undefined);
  const pick = (key: string, required: boolean) => {
    const v = o[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || !named.includes(v)) {
      r.fail(`${path}.${key}`, `expected one of the receivers (${named.join(", ")}), got ${show(v)}`);
      return undefined;
    }
    return v;
  };
  const critical = pick("critical", true);
  const warning = pick("warning", true);
  const watchdog = pick("watchdog", false);
  if (r.issues.length > before || !critical || !warning) return undefined;
  return { receivers: named, critical, warning, ...(watchdog ? { watchdog } : {}) };
}

/** Parses the optional monitoring block; every field has a default. */
export function parseMonitoring(r: Reader, path: string, value: unknown): MonitoringSettings | undefined {
  const o = value === undefined ? {} : r.object(path, value, SECTIONS.monitoring);
  if (!o) return undefined;
  const d = MONITORING_DEFAULTS;
  const retentionDays = o.retentionDays === undefined ? d.retentionDays : r.integer(`${path}.retentionDays`, o.retentionDays, 1, 3650);
  const storageGi = o.storageGi === undefined ? d.storageGi : r.integer(`${path}.storageGi`, o.storageGi, 10, 1000000);
  const storageClass =
    o.storageClass === undefined ? undefined : r.string(`${path}.storageClass`, o.storageClass, { pattern: DNS_LABEL, what: "a StorageClass name" });
  const utilisationTarget = o.utilisationTarget === undefined ? d.utilisationTarget : r.number(`${path}.utilisationTarget`, o.utilisationTarget, 0, 1, true);
  const gpuTempCelsius = o.gpuTempCelsius === undefined ? d.gpuTempCelsius : r.integer(`${path}.gpuTempCelsius`, o.gpuTempCelsius, 40, 110);
  const alerting = o.alerting === undefined ? undefined : parseAlerting(r, `${path}.alerting`, o.alerting);
  if (retentionDays === undefined || storageGi === undefined || utilisationTarget === undefined || gpuTempCelsius === undefined) return undefined;
  if (o.alerting !== undefined && !alerting) return undefined;
  return { retentionDays, storageGi, ...(storageClass ? { storageClass } : {}), utilisationTarget, gpuTempCelsius, ...(alerting ? { alerting } : {}) };
}
