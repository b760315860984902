import * as assert from "assert";
import { nfdValues } from "../../charts/nfd";
import { isKubernetesObject, manifestOf } from "../../cli/artifacts";
import { prometheusStackValues } from "../../components/monitoring";
import { slinkyOperatorValues } from "../../components/slurm/cluster";
import { parseSite } from "../../inventory/parse";
import { GPU_TAINT, NODE_LABELS, SYSTEM_NODE_LABEL } from "../../inventory/platform";
import { realSite } from "../helpers/fixtures";
import { realPlan } from "../helpers/plan";

/**
 * Every pod aisc renders has a place: GPU work (what tolerates the GPU taint) selects GPU pools,
 * everything else the system nodes, since no other node is untainted. Checked over every kind
 * that carries a pod template, in both real stacks, and in the charts' values.
 */

type PodSpec = {
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string }[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] };
    };
  };
};

/** The pod spec of an object that makes pods, by where each kind keeps it; undefined for other kinds. */
function podSpecOf(o: Record<string, any>): PodSpec | undefined | null {
  switch (o.kind) {
    case "Pod":
      return o.spec ?? null;
    case "CronJob":
      return o.spec?.jobTemplate?.spec?.template?.spec ?? null;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
    case "Controller":
    case "NodeSet":
    case "LoginSet":
    case "RestApi":
    case "Accounting":
      return o.spec?.template?.spec ?? null;
    default:
      return undefined;
  }
}

/** The label keys (and values, for In) a pod's nodeSelector and required node affinity demand. */
function demands(spec: PodSpec): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>(Object.entries(spec.nodeSelector ?? {}));
  for (const term of spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) out.set(e.key, e.operator === "In" && e.values?.length === 1 ? e.values[0] : undefined);
  }
  return out;
}

describe("placement of every pod aisc renders", function () {
  this.timeout(300000);

  for (const stack of ["cyberport", "sandy-ridge"]) {
    it(`${stack}: GPU work selects GPU pools, everything else the system nodes`, () => {
      const placed: string[] = [];
      for (const r of realPlan(stack).resources.filter(isKubernetesObject)) {
        const o = manifestOf(r) as Record<string, any>;
        const spec = podSpecOf(o);
        if (spec === undefined) continue;
        const name = `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`;
        assert.ok(spec, `${name} has no pod template to place`);
        const wants = demands(spec);
        if ((spec.tolerations ?? []).some((t) => t.key === GPU_TAINT.key)) {
          // Every GPU node carries aisc.hk/pool; the MIG manager selects its own label, which only MIG pools carry.
          assert.ok(wants.has(NODE_LABELS.pool) || wants.get(NODE_LABELS.migManager) === "true", `${name} tolerates the GPU taint but selects no GPU pool`);
          assert.ok(!wants.has(SYSTEM_NODE_LABEL.key), name);
        } else {
          assert.strictEqual(wants.get(SYSTEM_NODE_LABEL.key), SYSTEM_NODE_LABEL.value, `${name} selects no system node`);
        }
        placed.push(o.kind);
      }
      // The kinds this covers, so that a new kind of workload is not silently left out.
      assert.deepStrictEqual([...new Set(placed)].sort(), [
        "Accounting",
        "Controller",
        "CronJob",
        "DaemonSet",
        "Job",
        "LoginSet",
        "NodeSet",
        "RestApi",
        "StatefulSet",
      ]);
    });
  }

  for (const stack of ["cyberport", "sandy-ridge"]) {
    it(`${stack}: every volume claim names its StorageClass, the platform's unless its block names one`, () => {
      const site = parseSite(realSite(stack));
      const plan = realPlan(stack);
      const claims = plan.resources
        .filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim")
        .map((r) => (r.inputs.spec as { storageClassName?: string }).storageClassName);
      assert.deepStrictEqual(claims, [site.slurm.accounting.storageClass ?? site.system.storageClass]);
      const controller = plan.resources.find((r) => r.type === "kubernetes:slinky.slurm.net/v1beta1:Controller")!;
      assert.strictEqual((controller.inputs.spec as any).persistence.storageClassName, site.system.storageClass);
      const values = prometheusStackValues(site, "grafana-admin") as any;
      assert.strictEqual(
        values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName,
        site.monitoring.storageClass ?? site.system.storageClass,
      );
    });
  }

  it("asks the charts to place every workload they render by default on the system nodes", () => {
    const values = prometheusStackValues(parseSite(realSite("cyberport")), "grafana-admin") as Record<string, any>;
    const system = { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value };
    assert.deepStrictEqual(
      [
        values.prometheusOperator.nodeSelector,
        values.prometheusOperator.admissionWebhooks.patch.nodeSelector,
        values.prometheus.prometheusSpec.nodeSelector,
        values.alertmanager.alertmanagerSpec.nodeSelector,
        values.grafana.nodeSelector,
        values["kube-state-metrics"].nodeSelector,
      ],
      Array(6).fill(system),
    );
    const slinky = slinkyOperatorValues() as Record<string, any>;
    for (const part of ["operator", "webhook"]) {
      assert.deepStrictEqual(demands({ affinity: slinky[part].affinity }), new Map([[SYSTEM_NODE_LABEL.key, SYSTEM_NODE_LABEL.value]]), part);
    }
    // node-feature-discovery: its master and garbage collector on the system nodes, its worker on every GPU node.
    const nfd = nfdValues() as Record<string, any>;
    assert.deepStrictEqual([nfd.master.nodeSelector, nfd.gc.nodeSelector], [system, system]);
    assert.deepStrictEqual(demands({ affinity: nfd.worker.affinity }), new Map([[NODE_LABELS.pool, undefined]]));
    assert.deepStrictEqual(nfd.worker.tolerations, [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }]);
  });
});
