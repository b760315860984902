/**
 * The names, images and API of the site's Slurm objects, shared by the Slurm chart, the
 * tenants' account objects (./slurm-accounts), the component that creates secrets and volumes,
 * and the CLI that reads the plan back.
 */

export const SLINKY_API = "slinky.slurm.net/v1beta1";

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
  membersJob: "slurm-members",
} as const;

/** The label on each tenant's Slurm account ConfigMap (see ./tenant). */
export const SLURM_ACCOUNT_LABEL = "aisc.hk/slurm-account";
