import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { GPU_TAINT, NODE_LABELS, PLATFORM_NAMESPACES, SYSTEM_NODE_SELECTOR } from "../inventory/platform";
import { Site } from "../inventory/types";
import { commonLabels, Container, object, RESTRICTED_CONTAINER } from "./common";
import { accountScript, dataDigest, membersScript, sacctmgrJob, siteQos } from "./slurm-accounts";
import { SLINKY_API, SLURM_IMAGES, SLURM_NAMES } from "./slurm-names";
import { cgroupConf, gresConf, nodeConf, slurmConfExtra, slurmPools, topologyConf } from "./slurm-config";

/**
 * The site's Slurm cluster as Slinky custom resources (`slinky.slurm.net/v1beta1`): a
 * Controller, one NodeSet per whole-GPU pool, a LoginSet, a RestApi and Accounting backed by
 * MariaDB, and what each tenant's account Job shares (./tenant renders the Jobs). Secrets and the
 * database volume are made by the component (generated, protected); this chart names them.
 */

export * from "./slurm-names";
export * from "./slurm-accounts";

/**
 * The pod template of every Slinky object that is not a NodeSet (Controller, LoginSet, RestApi,
 * Accounting: each takes `spec.template`, a PodTemplate, in v1beta1): the platform's system
 * nodes, never the tainted GPU nodes.
 */
const ON_SYSTEM_NODES = { spec: { nodeSelector: SYSTEM_NODE_SELECTOR } } as const;

/**
 * The containers the v1.1.2 operator builds for each kind, by the CR field that gives each its
 * image (upstream `internal/builder/*builder/*_app.go`; `helm/slurm`'s CR templates set every
 * one). A test holds this against the vendored chart templates.
 */
export const SLINKY_CONTAINERS = {
  Controller: { slurmctld: SLURM_IMAGES.slurmctld, reconfigure: SLURM_IMAGES.slurmctld, logfile: SLURM_IMAGES.sidecar },
  NodeSet: { slurmd: SLURM_IMAGES.slurmd, logfile: SLURM_IMAGES.sidecar },
  LoginSet: { login: SLURM_IMAGES.login, initconf: SLURM_IMAGES.sidecar },
  RestApi: { slurmrestd: SLURM_IMAGES.slurmrestd },
  Accounting: { slurmdbd: SLURM_IMAGES.slurmdbd },
} as const;

/** Each container of `kind` with just its image, to spread into the CR's spec. */
function containers<K extends keyof typeof SLINKY_CONTAINERS>(kind: K): { [C in keyof (typeof SLINKY_CONTAINERS)[K]]: { image: string } } {
  return Object.fromEntries(Object.entries(SLINKY_CONTAINERS[kind]).map(([field, image]) => [field, { image }])) as never;
}

/** sssd.conf for login nodes: users and groups from the site's directory, over LDAPS only. */
export function sssdConf(site: Site): string {
  return [
    "[sssd]",
    "services = nss, pam",
    "domains = aisc",
    "",
    "[domain/aisc]",
    "id_provider = ldap",
    "auth_provider = ldap",
    `ldap_uri = ${site.slurm.login.ldapUri}`,
    `ldap_search_base = ${site.slurm.login.searchBase}`,
    "ldap_tls_reqcert = demand",
    "cache_credentials = true",
    "enumerate = false",
    "",
  ].join("\n");
}

export interface SlurmProps {
  readonly site: Site;
}

/** @example new SlurmChart(new App(), "slurm", { site }).toJson() */
export class SlurmChart extends Chart {
  constructor(scope: Construct, id: string, props: SlurmProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { site } = props;
    const ns = PLATFORM_NAMESPACES.slurm;
    const labels = commonLabels("slurm");
    const meta = (name: string) => ({ name, namespace: ns, labels });
    const ref = (name: string) => ({ name });
    const keys = {
      slurmKeyRef: { name: SLURM_NAMES.authKeySecret, key: SLURM_NAMES.authKeyFile },
      jwtKeyRef: { name: SLURM_NAMES.jwtKeySecret, key: SLURM_NAMES.jwtKeyFile },
    };

    const topology = topologyConf(site);
    object(this, "config-files", "v1", "ConfigMap", meta(SLURM_NAMES.configFiles), {
      data: { "gres.conf": gresConf(), "cgroup.conf": cgroupConf(), ...(topology ? { "topology.conf": topology } : {}) },
    });
    object(this, "controller", SLINKY_API, "Controller", meta(SLURM_NAMES.controller), {
      spec: {
        clusterName: site.name,
        ...keys,
        accountingRef: ref(SLURM_NAMES.accounting),
        ...containers("Controller"),
        extraConf: slurmConfExtra(site),
        configFileRefs: [ref(SLURM_NAMES.configFiles)],
        persistence: { enabled: true, storageClassName: site.system.storageClass, resources: { requests: { storage: "50Gi" } } },
        template: ON_SYSTEM_NODES,
        // slurmctld's own OpenMetrics endpoints, scraped through the operator's ServiceMonitor.
        metrics: {
          enabled: true,
          serviceMonitor: {
            enabled: true,
            endpoints: ["/metrics/nodes", "/metrics/jobs", "/metrics/partitions", "/metrics/scheduler"].map((path) => ({ path })),
          },
        },
      },
    });
    for (const pool of slurmPools(site)) {
      object(this, `nodeset-${pool.name}`, SLINKY_API, "NodeSet", meta(pool.name), {
        spec: {
          controllerRef: ref(SLURM_NAMES.controller),
          replicas: pool.nodes,
          ...containers("NodeSet"),
          slurmd: {
            image: SLURM_IMAGES.slurmd,
            resources: { limits: { "nvidia.com/gpu": pool.gpusPerNode }, requests: { "nvidia.com/gpu": pool.gpusPerNode } },
          },
          extraConf: nodeConf(pool),
          partition: { enabled: false },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
          template: {
            spec: {
              nodeSelector: { [NODE_LABELS.pool]: pool.name },
              tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
            },
          },
        },
      });
    }
    object(this, "sssd", "v1", "Secret", meta(SLURM_NAMES.sssdSecret), { type: "Opaque", stringData: { "sssd.conf": sssdConf(site) } });
    object(this, "login", SLINKY_API, "LoginSet", meta(SLURM_NAMES.loginSet), {
      spec: {
        controllerRef: ref(SLURM_NAMES.controller),
        replicas: site.slurm.login.replicas,
        ...containers("LoginSet"),
        sssdConfRef: { name: SLURM_NAMES.sssdSecret, key: "sssd.conf" },
        template: ON_SYSTEM_NODES,
      },
    });
    object(this, "restapi", SLINKY_API, "RestApi", meta(SLURM_NAMES.restApi), {
      spec: { controllerRef: ref(SLURM_NAMES.controller), replicas: 2, ...containers("RestApi"), template: ON_SYSTEM_NODES },
    });
    object(this, "accounting", SLINKY_API, "Accounting", meta(SLURM_NAMES.accounting), {
      spec: {
        ...keys,
        ...containers("Accounting"),
        storageConfig: {
          host: "mariadb",
          port: 3306,
          database: SLURM_NAMES.database,
          username: SLURM_NAMES.databaseUser,
          passwordKeyRef: { name: SLURM_NAMES.databaseSecret, key: "password" },
        },
        template: ON_SYSTEM_NODES,
      },
    });
    this.mariadb(ns);
    this.accountsClient(site, ns);
  }

  /** MariaDB for slurmdbd, on the component's protected volume, with Slurm's recommended InnoDB settings. */
  private mariadb(ns: string): void {
    const labels = commonLabels("mariadb");
    const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: SLURM_NAMES.databaseSecret, key } } });
    const db: Container = {
      name: "mariadb",
      image: SLURM_IMAGES.mariadb,
      args: ["--innodb-buffer-pool-size=4G", "--innodb-lock-wait-timeout=900", "--innodb-log-file-size=1G"],
      env: [
        { name: "MARIADB_DATABASE", value: SLURM_NAMES.database },
        { name: "MARIADB_USER", value: SLURM_NAMES.databaseUser },
        secretEnv("MARIADB_PASSWORD", "password"),
        secretEnv("MARIADB_ROOT_PASSWORD", "root-password"),
      ],
      ports: [{ name: "mysql", containerPort: 3306 }],
      securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 999, runAsGroup: 999 },
      resources: { requests: { cpu: "1", memory: "6Gi" }, limits: { memory: "8Gi" } },
      readinessProbe: { exec: { command: ["healthcheck.sh", "--connect", "--innodb_initialized"] }, periodSeconds: 10 },
      livenessProbe: { exec: { command: ["healthcheck.sh", "--connect"] }, initialDelaySeconds: 60, periodSeconds: 20 },
      volumeMounts: [
        { name: "data", mountPath: "/var/lib/mysql" },
        { name: "run", mountPath: "/run/mysqld" },
        { name: "tmp", mountPath: "/tmp" },
      ],
    };
    object(
      this,
      "mariadb",
      "apps/v1",
      "StatefulSet",
      { name: "mariadb", namespace: ns, labels },
      {
        spec: {
          serviceName: "mariadb",
          replicas: 1,
          selector: { matchLabels: { "app.kubernetes.io/name": "mariadb" } },
          template: {
            metadata: { labels },
            spec: {
              nodeSelector: { ...SYSTEM_NODE_SELECTOR },
              securityContext: { fsGroup: 999, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              containers: [db],
              volumes: [
                { name: "data", persistentVolumeClaim: { claimName: SLURM_NAMES.databaseVolume } },
                { name: "run", emptyDir: {} },
                { name: "tmp", emptyDir: {} },
              ],
            },
          },
        },
      },
    );
    object(
      this,
      "mariadb-svc",
      "v1",
      "Service",
      { name: "mariadb", namespace: ns, labels },
      {
        spec: { selector: { "app.kubernetes.io/name": "mariadb" }, ports: [{ name: "mysql", port: 3306, targetPort: "mysql" }] },
      },
    );
  }

  /** What every tenant's account Job shares (the script, a client slurm.conf for sacctmgr), and the site's QoS with its Job. */
  private accountsClient(site: Site, ns: string): void {
    const labels = commonLabels(SLURM_NAMES.accountsJob);
    const qos = { qos: siteQos() };
    object(this, "site-qos", "v1", "ConfigMap", { name: SLURM_NAMES.siteQos, namespace: ns, labels }, { data: qos });
    object(
      this,
      "site-qos-job",
      "batch/v1",
      "Job",
      { name: SLURM_NAMES.siteQos, namespace: ns, labels },
      sacctmgrJob(SLURM_NAMES.siteQos, labels, dataDigest(qos)),
    );
    object(
      this,
      "accounts-script",
      "v1",
      "ConfigMap",
      { name: SLURM_NAMES.accountsScript, namespace: ns, labels },
      { data: { "load-account.sh": accountScript(site.name), "sync-members.sh": membersScript() } },
    );
    // sacctmgr needs only the cluster's name, its auth and where slurmdbd is.
    const clientConf = [
      `ClusterName=${site.name}`,
      `SlurmctldHost=${SLURM_NAMES.controllerHost}`,
      "AuthType=auth/slurm",
      "CredType=cred/slurm",
      "AccountingStorageType=accounting_storage/slurmdbd",
      `AccountingStorageHost=${SLURM_NAMES.accountingHost}`,
      "",
    ].join("\n");
    object(this, "accounts-conf", "v1", "ConfigMap", { name: SLURM_NAMES.accountsConf, namespace: ns, labels }, { data: { "slurm.conf": clientConf } });
  }
}
