import { createHash } from "crypto";
import { SCAVENGER_QOS, SYSTEM_NODE_SELECTOR } from "../inventory/platform";
import type * as k8s from "@pulumi/kubernetes";
import { commonLabels, KindBodies, RESTRICTED_CONTAINER, SecurityContext, Volume } from "./common";
import { SLURM_ACCOUNT_LABEL, SLURM_IMAGES, SLURM_NAMES } from "./slurm-names";

/**
 * Slurm's accounting records as Kubernetes Jobs: the scripts that load QoS and accounts with
 * `sacctmgr`, the Jobs that run them (the site's QoS, each tenant's account), and what they share.
 */

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
    '  [ -n "$name" ] || continue',
    '  if [ -n "$(sacctmgr -n -P show qos "$name" format=name)" ]; then',
    '    sacctmgr -i modify qos "$name" set $settings',
    "  else",
    '    sacctmgr -i add qos "$name" $settings',
    "  fi",
    "done < /account/qos",
    "[ -f /account/account ] || exit 0",
    `{ ${accountsHeader(clusterName)
      .map((l) => `echo "${l}";`)
      .join(" ")} cat /account/account; } > /tmp/account.cfg`,
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
export function sacctmgrJob(configMap: string, labels: Record<string, string>, digest: string): KindBodies["Job"] {
  return {
    spec: {
      backoffLimit: 20,
      template: {
        metadata: { labels, annotations: { "aisc.hk/account-digest": digest } },
        spec: {
          nodeSelector: { ...SYSTEM_NODE_SELECTOR },
          restartPolicy: "OnFailure",
          containers: [
            {
              name: "sacctmgr",
              image: SLURM_IMAGES.slurmctld,
              command: ["/bin/sh", "/scripts/load-account.sh"],
              env: [SACCTMGR_CLIENT.env],
              securityContext: { ...SACCTMGR_CLIENT.securityContext, readOnlyRootFilesystem: false },
              volumeMounts: [...SACCTMGR_CLIENT.mounts, { name: "account", mountPath: "/account", readOnly: true }],
            },
          ],
          volumes: [...SACCTMGR_CLIENT.volumes, { name: "account", configMap: { name: configMap } }],
        },
      },
    },
  };
}

/**
 * What every pod that runs sacctmgr shares: the scripts at /scripts, and at /etc/slurm the client
 * slurm.conf with the cluster's auth key, which only root may read (so it runs as root).
 */
const SACCTMGR_CLIENT: {
  env: k8s.types.input.core.v1.EnvVar;
  securityContext: SecurityContext;
  mounts: k8s.types.input.core.v1.VolumeMount[];
  volumes: Volume[];
} = {
  env: { name: "SLURM_CONF", value: "/etc/slurm/slurm.conf" },
  securityContext: { ...RESTRICTED_CONTAINER, runAsNonRoot: false, runAsUser: 0 },
  mounts: [
    { name: "scripts", mountPath: "/scripts", readOnly: true },
    { name: "conf", mountPath: "/etc/slurm", readOnly: true },
  ],
  volumes: [
    { name: "scripts", configMap: { name: SLURM_NAMES.accountsScript } },
    {
      name: "conf",
      projected: {
        defaultMode: 0o600,
        sources: [
          { configMap: { name: SLURM_NAMES.accountsConf, items: [{ key: "slurm.conf", path: "slurm.conf" }] } },
          { secret: { name: SLURM_NAMES.authKeySecret, items: [{ key: SLURM_NAMES.authKeyFile, path: SLURM_NAMES.authKeyFile }] } },
        ],
      },
    },
  ],
};

/** The Job that loads one tenant's account: each tenant has its own, so adding or removing one touches no other's objects. */
export function accountJob(tenant: string, digest: string): KindBodies["Job"] {
  return sacctmgrJob(`slurm-account-${tenant}`, { ...commonLabels(SLURM_NAMES.accountsJob), [SLURM_ACCOUNT_LABEL]: tenant }, digest);
}

/** A digest of a ConfigMap's data, which re-runs the Job that loads it when it changes. */
export function dataDigest(data: Record<string, string>): string {
  return createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 16);
}

/**
 * Syncs one directory group's members into Slurm users of one account (env: `LDAP_URI`,
 * `SEARCH_BASE`, `GROUP`, `ACCOUNT`; sacctmgr's client config at `SLURM_CONF`). Members are read
 * with curl's LDAP client (the login image has curl, not ldapsearch), anonymously as the login
 * nodes' sssd reads the directory: a posixGroup's `memberUid`, or a groupOfNames' `member` DNs
 * whose first RDN is `uid=`. A member gets an association with the account (which carries the
 * tenant's QoS as default, and the scavenger QoS); one who has left loses it, after their default
 * account moves to another of theirs. A group that is not found, or an LDAP error, changes
 * nothing: an empty reply must never remove everyone. Idempotent; run by a CronJob per tenant.
 */
export function membersScript(): string {
  return `#!/bin/sh
set -eu
export LC_ALL=C
: "\${LDAP_URI:?} \${SEARCH_BASE:?} \${GROUP:?} \${ACCOUNT:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
curl -sS --fail --max-time 60 "$LDAP_URI/$SEARCH_BASE?memberUid,member?sub?(&(cn=$GROUP)(|(objectClass=posixGroup)(objectClass=groupOfNames)))" > "$dir/reply"
groups=$(grep -c '^DN: ' "$dir/reply" || true)
if [ "$groups" != 1 ]; then
  echo "directory group $GROUP: found $groups groups under $SEARCH_BASE, expected 1; Slurm users of $ACCOUNT left as they are" >&2
  exit 1
fi
sed -n -e 's/^[[:space:]]*memberUid: //p' -e 's/^[[:space:]]*member: [uU][iI][dD]=\\([^,]*\\),.*/\\1/p' "$dir/reply" > "$dir/listed"
grep -E '^[a-z_][a-z0-9_.-]*$' "$dir/listed" | sort -u > "$dir/members" || true
grep -vxE '[a-z_][a-z0-9_.-]*' "$dir/listed" | sed 's/^/skipped, not a user name Slurm takes: /' >&2 || true
sed -n 's/^[[:space:]]*member: //p' "$dir/reply" | grep -viE '^uid=' | sed 's/^/skipped, a member DN whose first RDN is not uid=: /' >&2 || true
sacctmgr -n -P show assoc where account="$ACCOUNT" format=user | grep -v '^$' | sort -u > "$dir/users" || true
status=0
for user in $(comm -23 "$dir/members" "$dir/users"); do
  if [ -n "$(sacctmgr -n -P show user "$user" format=user)" ]; then
    sacctmgr -i add user "$user" account="$ACCOUNT" >/dev/null
  else
    sacctmgr -i add user "$user" account="$ACCOUNT" defaultaccount="$ACCOUNT" >/dev/null
  fi
  echo "added $user to $ACCOUNT"
done
for user in $(comm -13 "$dir/members" "$dir/users"); do
  default=$(sacctmgr -n -P show user "$user" format=defaultaccount)
  other=$(sacctmgr -n -P show assoc where user="$user" format=account | grep -vx -e "$ACCOUNT" -e '' | head -n 1 || true)
  if [ "$default" = "$ACCOUNT" ] && [ -n "$other" ]; then
    sacctmgr -i modify user "$user" set defaultaccount="$other" >/dev/null
  fi
  if sacctmgr -i remove user "$user" where account="$ACCOUNT" >/dev/null; then
    echo "removed $user from $ACCOUNT"
  else
    echo "could not remove $user from $ACCOUNT" >&2
    status=1
  fi
done
exit $status
`;
}

/** How often each tenant's members are synced from the directory. */
export const MEMBERS_SCHEDULE = "*/10 * * * *";

/**
 * The CronJob that runs {@link membersScript} for one tenant, in the Slurm namespace, with the
 * login image (curl and sacctmgr), sacctmgr's client config and the cluster's auth key. One run
 * at a time; a run that finds the directory unreachable fails and changes nothing.
 */
export function membersCronJob(tenant: { name: string; directoryGroup: string }, login: { ldapUri: string; searchBase: string }): KindBodies["CronJob"] {
  const labels = { ...commonLabels(SLURM_NAMES.membersJob), [SLURM_ACCOUNT_LABEL]: tenant.name };
  return {
    spec: {
      schedule: MEMBERS_SCHEDULE,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 540,
          template: {
            metadata: { labels },
            spec: {
              nodeSelector: { ...SYSTEM_NODE_SELECTOR },
              restartPolicy: "Never",
              containers: [
                {
                  name: "sync",
                  image: SLURM_IMAGES.login,
                  command: ["/bin/sh", "/scripts/sync-members.sh"],
                  env: [
                    SACCTMGR_CLIENT.env,
                    { name: "LDAP_URI", value: login.ldapUri },
                    { name: "SEARCH_BASE", value: login.searchBase },
                    { name: "GROUP", value: tenant.directoryGroup },
                    { name: "ACCOUNT", value: tenant.name },
                  ],
                  securityContext: SACCTMGR_CLIENT.securityContext,
                  volumeMounts: [...SACCTMGR_CLIENT.mounts, { name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [...SACCTMGR_CLIENT.volumes, { name: "tmp", emptyDir: {} }],
            },
          },
        },
      },
    },
  };
}
