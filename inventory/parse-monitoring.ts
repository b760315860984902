import { DNS_LABEL, Reader } from "./reader";
import { MonitoringSettings } from "./types";

const MONITORING_KEYS = ["retentionDays", "storageGi", "storageClass", "utilisationTarget", "gpuTempCelsius"];

/** Defaults: a month of metrics, a 90% allocation target (AISC ran above 90% by mid-2025). */
export const MONITORING_DEFAULTS = { retentionDays: 30, storageGi: 500, utilisationTarget: 0.9, gpuTempCelsius: 85 } as const;

/** Parses the optional monitoring block; every field has a default. */
export function parseMonitoring(r: Reader, path: string, value: unknown): MonitoringSettings | undefined {
  const o = value === undefined ? {} : r.object(path, value, MONITORING_KEYS);
  if (!o) return undefined;
  const d = MONITORING_DEFAULTS;
  const retentionDays = o.retentionDays === undefined ? d.retentionDays : r.integer(`${path}.retentionDays`, o.retentionDays, 1, 3650);
  const storageGi = o.storageGi === undefined ? d.storageGi : r.integer(`${path}.storageGi`, o.storageGi, 10, 1000000);
  const storageClass = o.storageClass === undefined ? undefined : r.string(`${path}.storageClass`, o.storageClass, { pattern: DNS_LABEL, what: "a StorageClass name" });
  const utilisationTarget = o.utilisationTarget === undefined ? d.utilisationTarget : r.number(`${path}.utilisationTarget`, o.utilisationTarget, 0, 1, true);
  const gpuTempCelsius = o.gpuTempCelsius === undefined ? d.gpuTempCelsius : r.integer(`${path}.gpuTempCelsius`, o.gpuTempCelsius, 40, 110);
  if (retentionDays === undefined || storageGi === undefined || utilisationTarget === undefined || gpuTempCelsius === undefined) return undefined;
  return { retentionDays, storageGi, ...(storageClass ? { storageClass } : {}), utilisationTarget, gpuTempCelsius };
}
