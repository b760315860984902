import { createHash } from "crypto";
import { Chart } from "cdk8s";
import { Construct } from "constructs";
import { GPU_TAINT, NODE_LABELS, PLATFORM_NAMESPACES, SCAVENGER_QOS, SYSTEM_NODE_SELECTOR } from "../inventory/platform";
import { Site } from "../inventory/types";
import { commonLabels, Container, object, RESTRICTED_CONTAINER } from "./common";
import { cgroupConf, gresConf, nodeConf, slurmConfExtra, slurmPools, topologyConf } from "./slurm-config";

/**
 * The site's Slurm cluster as Slinky custom resources (`slinky.slurm.net/v1beta1`): a
 * Controller, one NodeSet per whole-GPU pool, a LoginSet, a RestApi and Accounting backed by
 * MariaDB, and what each tenant's account Job shares (./tenant renders the Jobs). Secrets and the
 * database volume are made by the component (generated, protected); this chart names them.
 */

export const SLINKY_API = "slinky.slurm.net/v1beta1";

/**
 * The pod template of every Slinky object that is not a NodeSet (Controller, LoginSet, RestApi,
 * Accounting: each takes `spec.template`, a PodTemplate, in v1beta1): the platform's system
 * nodes, never the tainted GPU nodes.
 */
const ON_SYSTEM_NODES = { spec: { nodeSelector: SYSTEM_NODE_SELECTOR } } as const;

/**
 * Slurm images, pinned: Slinky's builds of Slurm 25.11, as SchedMD's `helm/slurm` chart at
 * v1.1.2 sets them, and the small image its sidecars run (the chart's `alpine:latest`, pinned
 * here). The v1.1.2 operator takes every container's image from the custom resource and has no
 * default of its own, so each CR names all of them (see {@link SLINKY_CONTAINERS}).
 */
export const SLURM_IMAGES = {
  slurmctld: "ghcr.io/slinkyproject/slurmctld:25.11-ubuntu24.04",
  /** The Controller's `logfile`, the NodeSets' `logfile` and the LoginSet's `initconf`: a shell with coreutils and findutils. */
  sidecar: "docker.io/library/alpine:3.22.2",
  slurmd: "ghcr.io/slinkyproject/slurmd:25.11-ubuntu24.04",
  slurmrestd: "ghcr.io/slinkyproject/slurmrestd:25.11-ubuntu24.04",
  slurmdbd: "ghcr.io/slinkyproject/slurmdbd:25.11-ubuntu24.04",
  login: "ghcr.io/slinkyproject/login:25.11-ubuntu24.04",
  mariadb: "docker.io/library/mariadb:11.4.5",
} as const;

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

/** Names of what the Slurm objects refer to, shared with the component that creates them. */
export const SLURM_NAMES = {
  controller: "slurm",
  accounting: "slurm",
  restApi: "slurm",
  loginSet: "login",
  /** The operator's Service names for the controller and slurmdbd. */
  controllerHost: "slurm-controller",
  accountingHost: "slurm-accounting",
  authKeySecret: "slurm-auth-key",
  authKeyFile: "slurm.key",
  jwtKeySecret: "slurm-jwt-key",
  jwtKeyFile: "jwt_hs256.key",
  databaseSecret: "slurm-mariadb",
  databaseVolume: "mariadb-data",
  database: "slurm_acct_db",
  databaseUser: "slurm",
  configFiles: "slurm-config-files",
  sssdSecret: "slurm-login-sssd",
  accountsJob: "slurm-accounts",
  accountsScript: "slurm-accounts-script",
  accountsConf: "slurm-accounts-conf",
  siteQos: "slurm-site-qos",
} as const;

/** The label on each tenant's Slurm account ConfigMap (see ./tenant). */
export const SLURM_ACCOUNT_LABEL = "aisc.hk/slurm-account";

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

/** The lines a `sacctmgr load` file starts with: the cluster, and accounts under root. */
export function accountsHeader(clusterName: string): string[] {
  return [`Cluster - '${clusterName}'`, "Parent - 'root'"];
}

/**
 * Loads QoS and, for a tenant, its account (mounted at /account): creates or updates each QoS
 * line of `qos` (a name, then `sacctmgr add qos` settings), then `sacctmgr load`s `account`
 * under root if there is one. Idempotent, so it is safe to run again after a change.
 */
export function accountScript(clusterName: string): string {
  return [
    "#!/bin/sh",
    "set -eu",
    "while read -r name settings; do",
    "  [ -n \"$name\" ] || continue",
    "  if [ -n \"$(sacctmgr -n -P show qos \"$name\" format=name)\" ]; then",
    "    sacctmgr -i modify qos \"$name\" set $settings",
    "  else",
    "    sacctmgr -i add qos \"$name\" $settings",
    "  fi",
    "done < /account/qos",
    "[ -f /account/account ] || exit 0",
    `{ ${accountsHeader(clusterName).map((l) => `echo "${l}";`).join(" ")} cat /account/account; } > /tmp/account.cfg`,
    "sacctmgr -i load file=/tmp/account.cfg",
    "",
  ].join("\n");
}

/**
 * The scavenger QoS every tenant may also submit under: no GPU cap, lowest priority, free of
 * fair-share charge, and requeued whenever a tenant's job (whose QoS may preempt it) needs the
 * GPUs. Idle GPUs are lent past tenants' caps, and taken back when their owners need them.
 */
export function siteQos(): string {
  return `${SCAVENGER_QOS} Priority=0 UsageFactor=0 PreemptMode=requeue\n`;
}

/**
 * A Job in the Slurm namespace that runs {@link accountScript} on one ConfigMap (a tenant's
 * account, or the site's QoS). The pod carries a digest of the ConfigMap's data, so a change
 * replaces the (immutable) Job and it runs again.
 */
export function sacctmgrJob(configMap: string, labels: Record<string, string>, digest: string): Record<string, unknown> {
  return {
    spec: {
      backoffLimit: 20,
      template: {
        metadata: { labels, annotations: { "aisc.hk/account-digest": digest } },
        spec: {
          nodeSelector: { ...SYSTEM_NODE_SELECTOR },
          restartPolicy: "OnFailure",
          containers: [{
            name: "sacctmgr",
            image: SLURM_IMAGES.slurmctld,
            command: ["/bin/sh", "/scripts/load-account.sh"],
            env: [{ name: "SLURM_CONF", value: "/etc/slurm/slurm.conf" }],
            // sacctmgr authenticates with the cluster's key file, readable by root only.
            securityContext: { ...RESTRICTED_CONTAINER, runAsNonRoot: false, runAsUser: 0, readOnlyRootFilesystem: false },
            volumeMounts: [
              { name: "scripts", mountPath: "/scripts", readOnly: true },
              { name: "conf", mountPath: "/etc/slurm", readOnly: true },
              { name: "account", mountPath: "/account", readOnly: true },
            ],
          }],
          volumes: [
            { name: "scripts", configMap: { name: SLURM_NAMES.accountsScript } },
            sacctmgrConfVolume(),
            { name: "account", configMap: { name: configMap } },
          ],
        },
      },
    },
  };
}

/** The client slurm.conf and the cluster's auth key, for sacctmgr at /etc/slurm. */
function sacctmgrConfVolume(): Record<string, unknown> {
  return {
    name: "conf",
    projected: {
      defaultMode: 0o600,
      sources: [
        { configMap: { name: SLURM_NAMES.accountsConf, items: [{ key: "slurm.conf", path: "slurm.conf" }] } },
        { secret: { name: SLURM_NAMES.authKeySecret, items: [{ key: SLURM_NAMES.authKeyFile, path: SLURM_NAMES.authKeyFile }] } },
      ],
    },
  };
}

/** The Job that loads one tenant's account: each tenant has its own, so adding or removing one touches no other's objects. */
export function accountJob(tenant: string, digest: string): Record<string, unknown> {
  return sacctmgrJob(`slurm-account-${tenant}`, { ...commonLabels(SLURM_NAMES.accountsJob), [SLURM_ACCOUNT_LABEL]: tenant }, digest);
}

/** A digest of a ConfigMap's data, which re-runs the Job that loads it when it changes. */
export function dataDigest(data: Record<string, string>): string {
  return createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 16);
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
          serviceMonitor: { enabled: true, endpoints: ["/metrics/nodes", "/metrics/jobs", "/metrics/partitions", "/metrics/scheduler"].map((path) => ({ path })) },
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
    object(this, "mariadb", "apps/v1", "StatefulSet", { name: "mariadb", namespace: ns, labels }, {
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
    });
    object(this, "mariadb-svc", "v1", "Service", { name: "mariadb", namespace: ns, labels }, {
      spec: { selector: { "app.kubernetes.io/name": "mariadb" }, ports: [{ name: "mysql", port: 3306, targetPort: "mysql" }] },
    });
  }

  /** What every tenant's account Job shares (the script, a client slurm.conf for sacctmgr), and the site's QoS with its Job. */
  private accountsClient(site: Site, ns: string): void {
    const labels = commonLabels(SLURM_NAMES.accountsJob);
    const qos = { qos: siteQos() };
    object(this, "site-qos", "v1", "ConfigMap", { name: SLURM_NAMES.siteQos, namespace: ns, labels }, { data: qos });
    object(this, "site-qos-job", "batch/v1", "Job", { name: SLURM_NAMES.siteQos, namespace: ns, labels }, sacctmgrJob(SLURM_NAMES.siteQos, labels, dataDigest(qos)));
    object(this, "accounts-script", "v1", "ConfigMap", { name: SLURM_NAMES.accountsScript, namespace: ns, labels }, { data: { "load-account.sh": accountScript(site.name) } });
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
