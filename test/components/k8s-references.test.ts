import * as assert from "assert";
import { referencedKeys } from "../../components/k8s/references";

describe("what a Kubernetes object names", () => {
  it("finds the ConfigMaps, Secrets, claims and service account a pod spec mounts or reads, once each", () => {
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j", namespace: "slurm", annotations: { configMap: { name: "not-a-reference" } } },
      spec: {
        template: {
          spec: {
            serviceAccountName: "runner",
            containers: [
              {
                env: [
                  { name: "A", valueFrom: { configMapKeyRef: { name: "env-cm", key: "a" } } },
                  { name: "B", valueFrom: { secretKeyRef: { name: "env-secret", key: "b" } } },
                ],
                envFrom: [{ configMapRef: { name: "from-cm" } }, { secretRef: { name: "from-secret" } }],
              },
            ],
            volumes: [
              { name: "a", configMap: { name: "vol-cm" } },
              { name: "b", secret: { secretName: "vol-secret" } },
              { name: "c", projected: { sources: [{ configMap: { name: "vol-cm" } }, { secret: { name: "projected-secret" } }] } },
              { name: "d", persistentVolumeClaim: { claimName: "data" } },
            ],
          },
        },
      },
    };
    assert.deepStrictEqual(referencedKeys(job), [
      "ServiceAccount/slurm/runner",
      "ConfigMap/slurm/env-cm",
      "Secret/slurm/env-secret",
      "ConfigMap/slurm/from-cm",
      "Secret/slurm/from-secret",
      "ConfigMap/slurm/vol-cm",
      "Secret/slurm/vol-secret",
      "Secret/slurm/projected-secret",
      "PersistentVolumeClaim/slurm/data",
    ]);
  });

  it("finds what Slinky's custom resources point at: config files, scripts, keys, sssd.conf, controller and accounting", () => {
    const controller = {
      apiVersion: "slinky.slurm.net/v1beta1",
      kind: "Controller",
      metadata: { name: "slurm", namespace: "slurm" },
      spec: {
        slurmKeyRef: { name: "auth", key: "slurm.key" },
        jwtKeyRef: { name: "jwt", key: "jwt.key" },
        accountingRef: { name: "slurm" },
        configFileRefs: [{ name: "files" }, { name: "more-files" }],
        prologScriptRefs: [{ name: "prolog" }],
      },
    };
    assert.deepStrictEqual(referencedKeys(controller), [
      "Secret/slurm/auth",
      "Secret/slurm/jwt",
      "Accounting/slurm/slurm",
      "ConfigMap/slurm/files",
      "ConfigMap/slurm/more-files",
      "ConfigMap/slurm/prolog",
    ]);
    const login = {
      kind: "LoginSet",
      metadata: { name: "login", namespace: "slurm" },
      spec: { controllerRef: { name: "slurm" }, sssdConfRef: { name: "sssd", key: "sssd.conf" } },
    };
    assert.deepStrictEqual(referencedKeys(login), ["Controller/slurm/slurm", "Secret/slurm/sssd"]);
    const accounting = {
      kind: "Accounting",
      metadata: { name: "slurm", namespace: "slurm" },
      spec: { storageConfig: { passwordKeyRef: { name: "db", key: "password" } } },
    };
    assert.deepStrictEqual(referencedKeys(accounting), ["Secret/slurm/db"]);
  });

  it("names cluster-scoped references without a namespace, and nothing for an object that names nothing", () => {
    assert.deepStrictEqual(referencedKeys({ metadata: { name: "x" }, spec: { configMap: { name: "c" } } }), ["ConfigMap/c"]);
    assert.deepStrictEqual(referencedKeys({ metadata: { name: "x", namespace: "n" }, data: { "a.conf": "secret: {}" } }), []);
  });
});
