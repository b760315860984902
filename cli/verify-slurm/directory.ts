import * as fs from "fs";
import * as path from "path";
import { Daemon, Daemons, run, waitFor } from "./engine";

/**
 * A real OpenLDAP directory (Debian's slapd) standing in for the site's, for `aisc verify
 * --only slurm`: the site's search base as its suffix, and a group per probed tenant whose
 * members are this machine's own system accounts (so slurmctld and slurmd, which look users up
 * through the machine's NSS, know them). One tenant's group is a posixGroup (`memberUid`), the
 * next a groupOfNames (`member` DNs), and so on, so both kinds the members script reads are met.
 */

/** A directory group: its cn and its members' uids. */
export interface DirectoryGroup {
  readonly name: string;
  readonly members: readonly string[];
}

/** The entry a suffix such as `dc=aisc,dc=hk` or `ou=hpc,o=site` needs at its top. */
export function suffixEntry(suffix: string): string[] {
  const [attr, value] = suffix.split(",")[0].split("=");
  const type = attr.toLowerCase();
  const classes =
    type === "dc" ? ["dcObject", "organization"] : type === "o" ? ["organization"] : type === "ou" ? ["organizationalUnit"] : ["extensibleObject"];
  return [`dn: ${suffix}`, "objectClass: top", ...classes.map((c) => `objectClass: ${c}`), `${attr}: ${value}`, ...(type === "dc" ? [`o: ${value}`] : []), ""];
}

/** A member's DN in a groupOfNames. */
export function memberDn(uid: string, suffix: string): string {
  return `uid=${uid},ou=people,${suffix}`;
}

/** The directory's contents as LDIF: the suffix, and each group (even-numbered posixGroup, odd groupOfNames). */
export function directoryLdif(suffix: string, groups: readonly DirectoryGroup[]): string {
  const lines = [...suffixEntry(suffix)];
  groups.forEach((g, i) => {
    lines.push(`dn: cn=${g.name},${suffix}`, `cn: ${g.name}`);
    if (i % 2 === 0) lines.push("objectClass: posixGroup", `gidNumber: ${20000 + i}`, ...g.members.map((m) => `memberUid: ${m}`));
    else lines.push("objectClass: groupOfNames", ...g.members.map((m) => `member: ${memberDn(m, suffix)}`));
    lines.push("");
  });
  return `${lines.join("\n")}\n`;
}

/** slapd.conf for an mdb database in `dir`, readable anonymously (as the login nodes read the site's). */
export function slapdConf(dir: string, suffix: string, rootPassword: string): string {
  return [
    ...["core", "cosine", "nis", "inetorgperson"].map((s) => `include /etc/ldap/schema/${s}.schema`),
    "modulepath /usr/lib/ldap",
    "moduleload back_mdb",
    `pidfile ${dir}/slapd.pid`,
    "access to * by * read",
    "database mdb",
    "maxsize 104857600",
    `suffix "${suffix}"`,
    `rootdn "cn=admin,${suffix}"`,
    `rootpw ${rootPassword}`,
    `directory ${dir}/data`,
    "",
  ].join("\n");
}

export interface Directory {
  /** The URI the members script is given in place of the site's ldaps:// one. */
  readonly uri: string;
  readonly daemon: Daemon;
  /** Takes `uid` out of the group at `index` of those the directory was made with. */
  removeMember(index: number, group: string, uid: string): void;
}

/** Loads `groups` into a new directory under `dir` and serves it on loopback at `port`. */
export async function startDirectory(
  env: NodeJS.ProcessEnv,
  daemons: Daemons,
  dir: string,
  port: number,
  suffix: string,
  groups: readonly DirectoryGroup[],
  rootPassword: string,
): Promise<Directory> {
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  const conf = path.join(dir, "slapd.conf");
  fs.writeFileSync(conf, slapdConf(dir, suffix, rootPassword), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "data.ldif"), directoryLdif(suffix, groups));
  const ldapEnv = { ...env, LDAPNOINIT: "1" };
  const load = run(ldapEnv, "slapadd", ["-f", conf, "-l", path.join(dir, "data.ldif")]);
  if (load.status !== 0) throw new Error(`slapadd: ${load.out.trim()}`);
  const uri = `ldap://127.0.0.1:${port}`;
  const daemon = daemons.start("slapd", "slapd", ["-d", "0", "-h", `${uri}/`, "-f", conf]);
  await waitFor("slapd", () => run(ldapEnv, "ldapsearch", ["-x", "-H", uri, "-b", suffix, "-s", "base", "-LLL", "dn"]).status === 0, {
    timeoutMs: 20000,
    daemon,
    daemons,
  });
  return {
    uri,
    daemon,
    removeMember(index, group, uid) {
      const [attr, value] = index % 2 === 0 ? ["memberUid", uid] : ["member", memberDn(uid, suffix)];
      const change = `dn: cn=${group},${suffix}\nchangetype: modify\ndelete: ${attr}\n${attr}: ${value}\n`;
      const file = path.join(dir, "change.ldif");
      fs.writeFileSync(file, change);
      const r = run(ldapEnv, "ldapmodify", ["-x", "-H", uri, "-D", `cn=admin,${suffix}`, "-w", rootPassword, "-f", file]);
      if (r.status !== 0) throw new Error(`ldapmodify: ${r.out.trim()}`);
    },
  };
}

/**
 * This machine's system accounts that can stand in for the directory's users: uids 1 to 999
 * with names Slurm takes, in uid order. slurmctld resolves a job's user through NSS, so the
 * directory's members must be users this machine knows.
 */
export function systemUsers(passwd: string): string[] {
  return passwd
    .split("\n")
    .map((l) => l.split(":"))
    .filter((f) => f.length >= 7 && Number(f[2]) >= 1 && Number(f[2]) <= 999 && /^[a-z_][a-z0-9_.-]*$/.test(f[0]))
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((f) => f[0]);
}
