import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { membersScript } from "../../charts/slurm";
import { directoryLdif, startDirectory, suffixEntry, systemUsers } from "../../cli/verify-slurm/directory";
import { Daemons, freePort, missingCommands } from "../../cli/verify-slurm/engine";
import { probeTenants } from "../../cli/verify-slurm/probes";
import { parseSite } from "../../inventory/parse";
import { mutated, realSite, smallSite, tempDir } from "../helpers/fixtures";

describe("the members script and the verification's directory", function () {
  describe("pure parts", () => {
    it("makes the top entry for the site's search base, whatever its first attribute", () => {
      assert.deepStrictEqual(suffixEntry("dc=aisc,dc=hk"), [
        "dn: dc=aisc,dc=hk",
        "objectClass: top",
        "objectClass: dcObject",
        "objectClass: organization",
        "dc: aisc",
        "o: aisc",
        "",
      ]);
      assert.deepStrictEqual(suffixEntry("ou=hpc,o=site"), ["dn: ou=hpc,o=site", "objectClass: top", "objectClass: organizationalUnit", "ou: hpc", ""]);
      assert.deepStrictEqual(suffixEntry("o=site"), ["dn: o=site", "objectClass: top", "objectClass: organization", "o: site", ""]);
      assert.deepStrictEqual(suffixEntry("l=hk"), ["dn: l=hk", "objectClass: top", "objectClass: extensibleObject", "l: hk", ""]);
    });

    it("alternates posixGroup and groupOfNames, so the script meets both kinds of member list", () => {
      const ldif = directoryLdif("dc=x", [
        { name: "a", members: ["daemon", "bin"] },
        { name: "b", members: ["sys"] },
      ]);
      assert.match(ldif, /^dn: cn=a,dc=x\ncn: a\nobjectClass: posixGroup\ngidNumber: 20000\nmemberUid: daemon\nmemberUid: bin\n$/m);
      assert.match(ldif, /^dn: cn=b,dc=x\ncn: b\nobjectClass: groupOfNames\nmember: uid=sys,ou=people,dc=x\n$/m);
    });

    it("takes this machine's system accounts in uid order, never root or ordinary users", () => {
      const passwd = [
        "root:x:0:0::/root:/bin/bash",
        "bin:x:2:2::/bin:/usr/sbin/nologin",
        "daemon:x:1:1::/:/usr/sbin/nologin",
        "alice:x:1000:1000::/home/alice:/bin/bash",
        "Bad:x:5:5::/:/bin/false",
        "nobody:x:65534:65534::/:/usr/sbin/nologin",
        "",
      ].join("\n");
      assert.deepStrictEqual(systemUsers(passwd), ["daemon", "bin"]);
    });

    it("probes every tenant of a small site, and the smallest, middle and largest of a big one", () => {
      assert.deepStrictEqual(
        probeTenants(parseSite(smallSite())).map((t) => [t.tenant, t.limit, t.partition]),
        [
          ["gov-c", 4, "train"],
          ["uni-a", 8, "train"],
          ["lab-b", 16, "train"],
        ],
      );
      assert.deepStrictEqual(
        probeTenants(parseSite(realSite("cyberport"))).map((t) => [t.tenant, t.limit]),
        [
          ["td", 8],
          ["startup-cohort-b", 32],
          ["hkgai", 320],
        ],
      );
      assert.deepStrictEqual(probeTenants(parseSite(mutated((s) => s.tenants.forEach((t: any) => (t.gpus = 0))))), []);
    });
  });

  describe("against a real OpenLDAP, with a recording sacctmgr", function () {
    const needed = ["slapd", "slapadd", "ldapsearch", "ldapmodify", "curl"];
    let dir: string;
    let daemons: Daemons;
    let uri: string;
    before(async function () {
      const missing = missingCommands(needed);
      if (missing.length) {
        console.log(`    (not installed: ${missing.join(", ")}; the directory tests are pending here)`);
        this.skip();
      }
      dir = tempDir();
      daemons = new Daemons(process.env);
      const directory = await startDirectory(
        process.env,
        daemons,
        path.join(dir, "ldap"),
        await freePort(),
        "dc=aisc,dc=hk",
        [
          { name: "grp-posix", members: ["alice", "Bad Name", "carol"] },
          { name: "grp-names", members: ["dave"] },
        ],
        "secret",
      );
      uri = directory.uri;
      fs.writeFileSync(path.join(dir, "sync.sh"), membersScript());
      // sacctmgr that records its calls: the account has bob and carol; carol's default account is another.
      fs.mkdirSync(path.join(dir, "bin"));
      fs.writeFileSync(
        path.join(dir, "bin", "sacctmgr"),
        [
          "#!/bin/sh",
          `echo "$*" >> ${dir}/calls`,
          'case "$*" in',
          '  *"show assoc where account="*) printf "\\nbob\\ncarol\\n" ;;',
          '  *"show user bob format=defaultaccount"*) echo t ;;',
          '  *"show user carol format=defaultaccount"*) echo other ;;',
          '  *"show assoc where user=bob format=account"*) echo t ;;',
          '  *"show user alice format=user"*) ;;',
          "esac",
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
    });
    after(async () => daemons && (await daemons.stopAll()));
    beforeEach(() => fs.rmSync(path.join(dir, "calls"), { force: true }));

    const sync = (group: string, ldapUri = uri) =>
      spawnSync("sh", [path.join(dir, "sync.sh")], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, LDAP_URI: ldapUri, SEARCH_BASE: "dc=aisc,dc=hk", GROUP: group, ACCOUNT: "t" },
      });
    const calls = () => (fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : []);

    it("adds the group's members, removes who left, and skips names Slurm cannot take", () => {
      const r = sync("grp-posix");
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(r.stdout, "added alice to t\nremoved bob from t\n");
      assert.match(r.stderr, /^skipped, not a user name Slurm takes: Bad Name$/m);
      assert.deepStrictEqual(
        calls().filter((c) => /^-i /.test(c)),
        ["-i add user alice account=t defaultaccount=t", "-i remove user bob where account=t"],
      );
    });

    it("reads a groupOfNames' member DNs by their uid", () => {
      const r = sync("grp-names");
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /^added dave to t$/m);
    });

    it("changes nothing when the group is not found, or the directory cannot be reached", () => {
      const missing = sync("grp-none");
      assert.strictEqual(missing.status, 1);
      assert.strictEqual(missing.stderr, "directory group grp-none: found 0 groups under dc=aisc,dc=hk, expected 1; Slurm users of t left as they are\n");
      const unreachable = sync("grp-posix", "ldap://127.0.0.1:1");
      assert.notStrictEqual(unreachable.status, 0);
      assert.deepStrictEqual(calls(), []);
    });
  });
});
