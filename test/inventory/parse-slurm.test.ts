import * as assert from "assert";
import { MONITORING_DEFAULTS } from "../../inventory/input";
import { parseMonitoring } from "../../inventory/parse-monitoring";
import { parsePool } from "../../inventory/parse-pools";
import { parseSlurm } from "../../inventory/parse-slurm";
import { Reader } from "../../inventory/reader";
import { GpuPool } from "../../inventory/types";

/** The Slurm and monitoring blocks parsed on their own: what they yield, or every issue at its key. */

function issuesAnd<T>(call: (r: Reader) => T): [T, string[]] {
  const r = new Reader();
  const value = call(r);
  return [value, r.issues.map((i) => `${i.path}: ${i.message}`)];
}

const poolOf = (value: Record<string, unknown>): GpuPool => parsePool(new Reader(), "x", value)!;
const WHOLE = poolOf({ name: "h100-a", gpu: "H100", gpusPerNode: 8, nodes: 4 });
const SHARED = poolOf({ name: "l40s-ts", gpu: "L40S", gpusPerNode: 4, nodes: 2, sharing: { timeSlicing: { replicas: 4 } } });
const NAMES = ["h100-a", "l40s-ts"];
const LOGIN = { ldapUri: "ldaps://ldap.aisc.hk", searchBase: "dc=aisc,dc=hk" };
const TRAIN = { name: "train", pools: ["h100-a"] };

function slurm(value: unknown, poolNames: string[] = NAMES, pools: GpuPool[] = [WHOLE, SHARED]) {
  return issuesAnd((r) => parseSlurm(r, "s", value, poolNames, pools));
}

/** Expects exactly `issues` for the Slurm block that has `change` applied to a valid one. */
function rejects(change: Record<string, unknown>, issues: string[]) {
  assert.deepStrictEqual(slurm({ partitions: [TRAIN], login: LOGIN, ...change })[1], issues, JSON.stringify(change));
}

describe("parseSlurm", () => {
  it("fills a partition's and the login nodes' and accounting's defaults", () => {
    assert.deepStrictEqual(slurm({ partitions: [TRAIN], login: LOGIN }), [
      {
        partitions: [{ name: "train", pools: ["h100-a"], default: false, maxTimeHours: 72 }],
        login: { ...LOGIN, replicas: 2 },
        accounting: { storageGi: 100 },
      },
      [],
    ]);
  });

  it("keeps what the inventory sets", () => {
    const value = {
      partitions: [{ ...TRAIN, default: true, maxTimeHours: 24 }],
      login: { ldapUri: "ldaps://ldap.aisc.hk:636", searchBase: "ou=people,dc=aisc,dc=hk", replicas: 3 },
      accounting: { storageGi: 200, storageClass: "fast-ssd" },
    };
    assert.deepStrictEqual(slurm(value), [
      { partitions: [{ name: "train", pools: ["h100-a"], default: true, maxTimeHours: 24 }], login: value.login, accounting: value.accounting },
      [],
    ]);
  });

  it("rejects what is not a mapping", () =>
    assert.deepStrictEqual(slurm([]), [undefined, ["s: expected a mapping with partitions, login; optional accounting, got []"]]));

  it("rejects partitions that are missing, empty or not mappings, once each", () => {
    assert.deepStrictEqual(slurm({ partitions: undefined, login: LOGIN }), [
      { partitions: [], login: { ...LOGIN, replicas: 2 }, accounting: { storageGi: 100 } },
      ["s.partitions: expected a list, got nothing"],
    ]);
    rejects({ partitions: [] }, ["s.partitions: expected at least 1 item, got 0"]);
    rejects({ partitions: [null, TRAIN] }, ["s.partitions[0]: expected a mapping with name, pools; optional default, maxTimeHours, got null"]);
  });

  it("rejects partition names Slurm would not take", () => {
    const what = "a partition name (lower-case letters, digits, '-' or '_', starting with a letter)";
    for (const name of ["Train", "1train", "train!", "-x"])
      rejects({ partitions: [{ ...TRAIN, name }] }, [`s.partitions[0].name: expected ${what}, got "${name}"`]);
    rejects({ partitions: [{ ...TRAIN, name: "t".repeat(41) }] }, [`s.partitions[0].name: expected ${what} of at most 40 characters, got 41`]);
    assert.deepStrictEqual(slurm({ partitions: [{ ...TRAIN, name: "t_2-x" }], login: LOGIN })[1], []);
  });

  it("rejects a partition's pools that are missing, empty, unknown or repeated", () => {
    rejects({ partitions: [{ name: "train" }] }, ["s.partitions[0].pools: expected a list, got nothing"]);
    rejects(
      {
        partitions: [
          { name: "train", pools: [] },
          { name: "all", pools: ["h100-a"] },
        ],
      },
      ["s.partitions[0].pools: expected at least 1 item, got 0"],
    );
    rejects({ partitions: [{ name: "train", pools: [5, 5, "h100-a", "h100-a"] }] }, [
      "s.partitions[0].pools[0]: expected the name of a pool in aisc:site.pools (h100-a, l40s-ts), got 5",
      "s.partitions[0].pools[1]: expected the name of a pool in aisc:site.pools (h100-a, l40s-ts), got 5",
      's.partitions[0].pools[3]: duplicate pool "h100-a"; also at index 2',
    ]);
  });

  it("rejects a bad default flag or time limit, and leaves that partition out", () => {
    assert.deepStrictEqual(slurm({ partitions: [{ ...TRAIN, default: "yes" }], login: LOGIN }), [
      { partitions: [], login: { ...LOGIN, replicas: 2 }, accounting: { storageGi: 100 } },
      ['s.partitions[0].default: expected true or false, got "yes"'],
    ]);
    rejects({ partitions: [{ ...TRAIN, maxTimeHours: 8761 }] }, ["s.partitions[0].maxTimeHours: expected an integer from 1 to 8760, got 8761"]);
  });

  it("rejects two partitions of one name, however the list is written", () => {
    rejects({ partitions: [TRAIN, { name: 7, pools: ["h100-a"] }, { name: 7, pools: ["h100-a"] }, { ...TRAIN }] }, [
      "s.partitions[1].name: expected a partition name (lower-case letters, digits, '-' or '_', starting with a letter), got 7",
      "s.partitions[2].name: expected a partition name (lower-case letters, digits, '-' or '_', starting with a letter), got 7",
      's.partitions[3].name: duplicate partition name "train"; also at index 0',
    ]);
  });

  it("judges pool coverage only on pools that parsed under a unique name", () => {
    // The inventory names h100-a twice: that is the pool's error, not a partition's.
    const b = poolOf({ name: "b", gpu: "B200", gpusPerNode: 8, nodes: 1 });
    assert.deepStrictEqual(slurm({ partitions: [{ name: "x", pools: ["b"] }], login: LOGIN }, ["h100-a", "h100-a", "b"], [WHOLE, b])[1], []);
    assert.deepStrictEqual(slurm({ partitions: [{ name: "x", pools: ["h100-a"] }], login: LOGIN }, ["h100-a", "l40s-ts", "b"], [WHOLE, SHARED, b])[1], [
      's.partitions: expected every whole-GPU pool in some partition; pool "b" is in none',
    ]);
  });

  it("rejects login over anything but ldaps://, and a malformed search base", () => {
    const ldap = "an ldaps:// URI (login nodes look users up over TLS only)";
    for (const uri of ["xldaps://ldap", "ldaps://ldap/path", "ldaps://ldap:6x", "ldaps://"])
      rejects({ login: { ...LOGIN, ldapUri: uri } }, [`s.login.ldapUri: expected ${ldap}, got "${uri}"`]);
    for (const base of [",dc=hk", "dc=hk,", "dc=a=b", "dc"])
      rejects({ login: { ...LOGIN, searchBase: base } }, [`s.login.searchBase: expected an LDAP DN such as dc=aisc,dc=hk, got "${base}"`]);
    rejects({ login: { ...LOGIN, replicas: 17 } }, ["s.login.replicas: expected an integer from 1 to 16, got 17"]);
    rejects({ login: "ldaps://ldap" }, ['s.login: expected a mapping with ldapUri, searchBase; optional replicas, got "ldaps://ldap"']);
  });

  it("rejects bad accounting storage", () => {
    rejects({ accounting: 5 }, ["s.accounting: expected a mapping of storageGi, storageClass (all optional), got 5"]);
    rejects({ accounting: { storageGi: 9 } }, ["s.accounting.storageGi: expected an integer from 10 to 100000, got 9"]);
    rejects({ accounting: { storageClass: "Fast" } }, ['s.accounting.storageClass: expected a StorageClass name, got "Fast"']);
  });

  it("yields no settings while the login nodes or accounting are invalid", () => {
    for (const change of [
      { login: { ...LOGIN, ldapUri: "ldap://x" } },
      { login: { ...LOGIN, searchBase: "x" } },
      { login: { ...LOGIN, replicas: 0 } },
      { login: undefined },
      { accounting: { storageGi: 0 } },
      { accounting: [] },
    ]) {
      assert.strictEqual(slurm({ partitions: [TRAIN], login: LOGIN, ...change })[0], undefined, JSON.stringify(change));
    }
  });
});

describe("parseMonitoring", () => {
  const monitoring = (value: unknown) => issuesAnd((r) => parseMonitoring(r, "m", value));

  it("defaults every field: a month of metrics, 500 GiB, a 90% target, 85 °C", () => {
    assert.deepStrictEqual(monitoring(undefined), [{ retentionDays: 30, storageGi: 500, utilisationTarget: 0.9, gpuTempCelsius: 85 }, []]);
    assert.deepStrictEqual(monitoring({}), [{ ...MONITORING_DEFAULTS }, []]);
  });

  it("keeps every field the inventory sets", () => {
    const value = { retentionDays: 90, storageGi: 2000, storageClass: "fast-ssd", utilisationTarget: 0.75, gpuTempCelsius: 80 };
    assert.deepStrictEqual(monitoring(value), [value, []]);
  });

  it("rejects each bad field at its key, and yields nothing then", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ retentionDays: 0 }, "m.retentionDays: expected an integer from 1 to 3650, got 0"],
      [{ storageGi: 9 }, "m.storageGi: expected an integer from 10 to 1000000, got 9"],
      [{ storageClass: "Fast" }, 'm.storageClass: expected a StorageClass name, got "Fast"'],
      [{ utilisationTarget: 0 }, "m.utilisationTarget: expected a number greater than 0 and at most 1, got 0"],
      [{ gpuTempCelsius: 120 }, "m.gpuTempCelsius: expected an integer from 40 to 110, got 120"],
      [{ retention: 30 }, "m.retention: unknown key; expected one of retentionDays, storageGi, storageClass, utilisationTarget, gpuTempCelsius, alerting"],
    ];
    for (const [value, issue] of cases) {
      const [parsed, issues] = monitoring(value);
      assert.deepStrictEqual(issues, [issue]);
      if (!("retention" in value) && !("storageClass" in value)) assert.strictEqual(parsed, undefined, issue);
    }
    assert.deepStrictEqual(monitoring("weekly"), [
      undefined,
      ['m: expected a mapping of retentionDays, storageGi, storageClass, utilisationTarget, gpuTempCelsius, alerting (all optional), got "weekly"'],
    ]);
  });
});
