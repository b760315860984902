import * as assert from "assert";
import { parseSite } from "../../inventory/parse";
import { mutated, parsedMutation as parsed, rejectsMutation as rejects, withCloudPool } from "../helpers/fixtures";

/**
 * The site-level parts of the parser: top-level keys and cluster settings (networks,
 * milestones and cloud pools in parse-site-networks.test.ts), each accepted value checked in
 * the parsed site and each mistake by its exact keyed message (the sections with their own
 * parsers have their own test files).
 */

describe("parseSite: the site", () => {
  it("keeps the name, display name, power and monitoring the inventory sets", () => {
    const site = parsed((s) => (s.monitoring = { retentionDays: 7, storageClass: "fast" }));
    assert.deepStrictEqual([site.name, site.displayName, site.power], ["testsite", "Test site", { envelopeMW: 2, pue: 1.25 }]);
    assert.deepStrictEqual(site.monitoring, { retentionDays: 7, storageGi: 500, storageClass: "fast", utilisationTarget: 0.9, gpuTempCelsius: 85 });
  });

  it("takes the name as display name when none is given", () => {
    assert.strictEqual(parsed((s) => delete s.displayName).displayName, "testsite");
  });

  it("rejects a bad name, display name, region or capacity block at its key", () => {
    rejects(
      (s) => (s.name = "t".repeat(25)),
      [
        "aisc:site.name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit) of at most 24 characters, got 25",
      ],
    );
    rejects(
      (s) => (s.name = "Test"),
      ["aisc:site.name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), got \"Test\""],
    );
    rejects((s) => (s.displayName = ""), ['aisc:site.displayName: expected a non-empty string, got ""']);
    for (const region of ["xap-east-1", "ap-east-1x", "ap-east"])
      rejects((s) => (s.region = region), [`aisc:site.region: expected an AWS region such as ap-east-1, got "${region}"`]);
    rejects((s) => delete s.capacity, ["aisc:site.capacity: expected a mapping with precision; optional milestones, got nothing"]);
    rejects((s) => (s.monitoring = { gpuTempCelsius: 20 }), ["aisc:site.monitoring.gpuTempCelsius: expected an integer from 40 to 110, got 20"]);
  });

  it("takes alert receivers and routes, each route naming a receiver, and a tenant's own receiver", () => {
    const alerting = { receivers: ["oncall", "channel", "deadman", "lab-ops"], critical: "oncall", warning: "channel", watchdog: "deadman" };
    const site = parsed((s) => {
      s.monitoring = { alerting };
      s.tenants[1].alertReceiver = "lab-ops";
    });
    assert.deepStrictEqual(site.monitoring.alerting, alerting);
    assert.strictEqual(site.tenants[1].alertReceiver, "lab-ops");
    assert.strictEqual(
      parsed((s) => (s.monitoring = { alerting: { receivers: ["a"], critical: "a", warning: "a" } })).monitoring.alerting?.watchdog,
      undefined,
    );
    assert.strictEqual(parseSite(mutated(() => undefined)).monitoring.alerting, undefined);
  });

  it("rejects alerting that names receivers it does not declare, a receiver called null, and a tenant's unknown receiver", () => {
    rejects(
      (s) => (s.monitoring = { alerting: { receivers: ["a", "b"], critical: "c", warning: "a", watchdog: 5 } }),
      [
        'aisc:site.monitoring.alerting.critical: expected one of the receivers (a, b), got "c"',
        "aisc:site.monitoring.alerting.watchdog: expected one of the receivers (a, b), got 5",
      ],
    );
    rejects(
      (s) => (s.monitoring = { alerting: { receivers: ["null", "a", "a"], critical: "a", warning: "a" } }),
      [
        'aisc:site.monitoring.alerting.receivers[2]: duplicate receiver "a"; also at index 1',
        "aisc:site.monitoring.alerting.receivers[0]: expected a name other than null, Alertmanager's receiver that delivers nowhere",
      ],
    );
    rejects(
      (s) => (s.monitoring = { alerting: { receivers: [], critical: "a", warning: "a" } }),
      [
        "aisc:site.monitoring.alerting.receivers: expected at least 1 item, got 0",
        'aisc:site.monitoring.alerting.critical: expected one of the receivers (), got "a"',
        'aisc:site.monitoring.alerting.warning: expected one of the receivers (), got "a"',
      ],
    );
    rejects(
      (s) => (s.tenants[0].alertReceiver = "ops"),
      ['aisc:site.tenants[0].alertReceiver: expected one of monitoring.alerting.receivers (none declared), got "ops"'],
    );
  });

  it("refuses an administrators' group shared by two tenants, at the second", () => {
    rejects(
      (s) => (s.tenants[2].adminGroup = s.tenants[0].adminGroup),
      ['aisc:site.tenants[2].adminGroup: duplicate adminGroup (each tenant needs its own group) "uni-a-admins"; also at index 0'],
    );
  });

  it("accepts a GovCloud-style region and derives its zones", () => {
    const site = parsed((s) => {
      s.region = "us-gov-west-1";
      s.pools.pop();
    });
    assert.deepStrictEqual(site.networks.availabilityZones, ["us-gov-west-1a", "us-gov-west-1b"]);
  });

  it("rejects pools that are missing, empty or not mappings, once each", () => {
    rejects(
      (s) => (s.pools = []),
      [
        "aisc:site.pools: expected at least 1 item, got 0",
        'aisc:site.slurm.partitions[0].pools[0]: expected the name of a pool in aisc:site.pools (), got "h100-a"',
      ],
    );
    rejects(
      (s) => (s.pools = "h100"),
      [
        'aisc:site.pools: expected a list, got "h100"',
        'aisc:site.slurm.partitions[0].pools[0]: expected the name of a pool in aisc:site.pools (), got "h100-a"',
      ],
    );
    rejects(
      (s) => s.pools.push(null),
      ["aisc:site.pools[2]: expected a mapping with name, gpu, gpusPerNode, nodes; optional placement, sharing, inService, nodeWatts, cloud, got null"],
    );
  });

  it("names only pools with string names among the pools a partition may use, and repeats none", () => {
    rejects(
      (s) => {
        withCloudPool(s);
        s.pools.push({ name: 5, gpu: "H100", gpusPerNode: 8, nodes: 1 }, { name: 5, gpu: "H100", gpusPerNode: 8, nodes: 1 });
        s.slurm.partitions[1].pools.push("nope");
      },
      [
        "aisc:site.pools[3].name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), got 5",
        "aisc:site.pools[4].name: expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), got 5",
        'aisc:site.slurm.partitions[1].pools[1]: expected the name of a pool in aisc:site.pools (h100-a, l40s-ts, h100-cloud), got "nope"',
      ],
    );
  });

  it("rejects tenants that are not a list, and allows none", () => {
    rejects((s) => (s.tenants = { "uni-a": {} }), ['aisc:site.tenants: expected a list, got {"uni-a":{}}']);
    assert.deepStrictEqual(parsed((s) => (s.tenants = [])).tenants, []);
  });
});

describe("parseSite: cluster settings", () => {
  it("keeps a version, support tier, endpoint, operator networks, identity, access, render directory and rotation the inventory sets", () => {
    const identity = {
      issuerUrl: "https://sso.example.hk",
      clientId: "k8s",
      usernameClaim: "email",
      groupsClaim: "memberOf",
      usernamePrefix: "sso:",
      groupsPrefix: "sso-group:",
    };
    const access = [
      { principalArn: "arn:aws:iam::111122223333:role/ci", policy: "cluster-admin" },
      { principalArn: "arn:aws:iam::111122223333:user/audit", policy: "view" },
    ];
    const cluster = {
      kind: "eks",
      awsAccountId: "111122223333",
      kubernetesVersion: "1.34",
      supportType: "extended",
      endpointPublicAccess: true,
      apiAccessCidrs: ["10.70.0.0/24"],
      identity,
      access,
      renderYamlToDirectory: "out/k8s",
      activationRotationDays: 7,
    };
    assert.deepStrictEqual(parsed((s) => (s.cluster = cluster)).cluster, cluster);
  });

  it("defaults the newest version aisc pins add-ons for, standard support, no operator networks, oidc: prefixes and 14-day activations", () => {
    assert.deepStrictEqual(
      parsed(
        (s) =>
          (s.cluster = {
            identity: { issuerUrl: "https://sso.example.hk", clientId: "k8s" },
            access: [{ principalArn: "arn:aws:iam::111122223333:role/ci", policy: "cluster-admin" }],
          }),
      ).cluster,
      {
        kind: "eks",
        kubernetesVersion: "1.36",
        supportType: "standard",
        endpointPublicAccess: false,
        apiAccessCidrs: [],
        identity: {
          issuerUrl: "https://sso.example.hk",
          clientId: "k8s",
          usernameClaim: "sub",
          groupsClaim: "groups",
          usernamePrefix: "oidc:",
          groupsPrefix: "oidc:",
        },
        access: [{ principalArn: "arn:aws:iam::111122223333:role/ci", policy: "cluster-admin" }],
        activationRotationDays: 14,
      },
    );
  });

  it("needs an EKS site's identity provider and a cluster-admin role, and refuses both for an existing cluster", () => {
    rejects(
      (s) => (s.cluster = { kind: "eks" }),
      [
        "aisc:site.cluster.identity: expected the site directory's OIDC provider (issuerUrl, clientId; optional usernameClaim, groupsClaim, usernamePrefix, groupsPrefix), so tenants' adminGroup bindings match its users",
        "aisc:site.cluster.access: expected the IAM roles that administer the cluster (principalArn, policy: cluster-admin, admin or view), with at least one cluster-admin",
      ],
    );
    rejects(
      (s) => (s.cluster.access = [{ principalArn: "arn:aws:iam::111122223333:role/viewer", policy: "view" }]),
      [
        "aisc:site.cluster.access: expected at least one cluster-admin entry: the cluster grants its creator nothing, so the role that runs pulumi up must be listed as cluster-admin",
      ],
    );
    rejects(
      (s) => (
        (s.cluster.kind = "existing"),
        (s.system = { storageClass: "local-nvme" }),
        (s.pools = s.pools.slice(0, 2)),
        (s.slurm.partitions = [{ name: "h100", pools: ["h100-a"] }])
      ),
      [
        "aisc:site.cluster.identity: expected nothing for an existing cluster: aisc creates no AWS resources for it",
        "aisc:site.cluster.access: expected nothing for an existing cluster: aisc creates no AWS resources for it",
      ],
    );
  });

  it("rejects identities and access entries EKS would refuse, or that would pass as Kubernetes' own groups, at their keys", () => {
    rejects(
      (s) => (s.cluster.identity = { issuerUrl: "http://sso.example.hk", clientId: "k8s", groupsPrefix: "system:" }),
      [
        'aisc:site.cluster.identity.issuerUrl: expected the directory\'s OIDC issuer, an https URL such as https://sso.example.hk/realms/aisc, got "http://sso.example.hk"',
        'aisc:site.cluster.identity.groupsPrefix: expected a prefix that does not start with system: (EKS refuses it: Kubernetes reserves system: names), got "system:"',
      ],
    );
    rejects(
      (s) =>
        (s.cluster.access = [
          { principalArn: "arn:aws:sts::111122223333:assumed-role/ci/session", policy: "cluster-admin" },
          { principalArn: "arn:aws:iam::111122223333:role/ci", policy: "owner" },
          { principalArn: "arn:aws:iam::111122223333:role/ci", policy: "view" },
        ]),
      [
        'aisc:site.cluster.access[0].principalArn: expected an IAM role or user ARN such as arn:aws:iam::111122223333:role/aisc-ci (not an assumed-role session), got "arn:aws:sts::111122223333:assumed-role/ci/session"',
        'aisc:site.cluster.access[1].policy: expected one of cluster-admin, admin, view, got "owner"',
        'aisc:site.cluster.access[2].principalArn: duplicate principal "arn:aws:iam::111122223333:role/ci"; also at index 1',
      ],
    );
    rejects(
      (s) => (s.cluster.apiAccessCidrs = ["0.0.0.0/0", "10.1.2.3/24"]),
      [
        'aisc:site.cluster.apiAccessCidrs[0]: expected a private (RFC 1918) range: the endpoint is reached over the site\'s private link, got "0.0.0.0/0"',
        'aisc:site.cluster.apiAccessCidrs[1]: expected an IPv4 CIDR such as 10.0.0.0/24 with no host bits set, got "10.1.2.3/24"',
      ],
    );
    rejects((s) => (s.cluster.activationRotationDays = 16), ["aisc:site.cluster.activationRotationDays: expected an integer from 1 to 15, got 16"]);
    rejects(
      (s) => (s.cluster.awsAccountId = 111122223333),
      ['aisc:site.cluster.awsAccountId: expected an AWS account ID of 12 digits, quoted, such as "111122223333", got 111122223333'],
    );
    rejects((s) => (s.cluster.supportType = "lts"), ['aisc:site.cluster.supportType: expected one of standard, extended, got "lts"']);
    rejects(
      (s) => (s.cluster.kubernetesVersion = "1.33"),
      ['aisc:site.cluster.kubernetesVersion: expected a version aisc pins EKS add-ons for (1.36, 1.35, 1.34), got "1.33"'],
    );
  });

  it("allows an existing cluster for an on-prem-only site", () => {
    assert.strictEqual(
      parsed((s) => {
        s.cluster = { kind: "existing" };
        s.system = { storageClass: "local-nvme" };
      }).cluster.kind,
      "existing",
    );
  });

  it("rejects bad cluster settings at their keys", () => {
    rejects(
      (s) => (s.cluster = "eks"),
      [
        'aisc:site.cluster: expected a mapping of kind, awsAccountId, kubernetesVersion, supportType, endpointPublicAccess, apiAccessCidrs, identity, access, renderYamlToDirectory, activationRotationDays (all optional), got "eks"',
      ],
    );
    rejects((s) => (s.cluster.kind = "gke"), ['aisc:site.cluster.kind: expected one of eks, existing, got "gke"']);
    for (const v of ["v1.33", "1.333", "1.3"])
      rejects(
        (s) => (s.cluster.kubernetesVersion = v),
        [`aisc:site.cluster.kubernetesVersion: expected a Kubernetes minor version such as "1.36" (quoted), got "${v}"`],
      );
    rejects((s) => (s.cluster.endpointPublicAccess = "no"), ['aisc:site.cluster.endpointPublicAccess: expected true or false, got "no"']);
    rejects(
      (s) => (s.cluster.renderYamlToDirectory = ""),
      [
        `aisc:site.cluster.renderYamlToDirectory: expected a folder inside the project, relative to it, such as rendered/cyberport (letters, digits, '.', '_', '-' and '/'; no '..', '.git' or leading '/'), got ""`,
      ],
    );
  });
});
