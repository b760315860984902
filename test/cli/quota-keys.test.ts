import * as assert from "assert";
import { quotaKeyProblem, resourceNames } from "../../cli/quota-keys";
import { K8sValidator } from "../../cli/verify-k8s";
import { tenantQuota } from "../../charts/tenant";
import { parseSite } from "../../inventory/parse";
import { realSite } from "../helpers/fixtures";

/** ResourceQuota keys: only the names Kubernetes counts pass; a misspelled one limits nothing. */

const RESOURCES = new K8sValidator().builtInResources();

describe("ResourceQuota keys", () => {
  it("pluralises kinds as Kubernetes names their resources", () => {
    assert.deepStrictEqual(
      [
        ...resourceNames([
          "v1/Pod",
          "v1/Endpoints",
          "v1/ComponentStatus",
          "networking.k8s.io/v1/NetworkPolicy",
          "networking.k8s.io/v1/Ingress",
          "apps/v1/Deployment",
          "batch/v1/CronJob",
        ]),
      ],
      ["pods", "endpoints", "componentstatuses", "networkpolicies.networking.k8s.io", "ingresses.networking.k8s.io", "deployments.apps", "cronjobs.batch"],
    );
    for (const r of ["pods", "services", "deployments.apps", "jobs.batch", "networkpolicies.networking.k8s.io", "rolebindings.rbac.authorization.k8s.io"])
      assert.ok(RESOURCES.has(r), r);
  });

  it("accepts the names Kubernetes counts", () => {
    const keys = [
      "requests.cpu",
      "limits.memory",
      "requests.storage",
      "persistentvolumeclaims",
      "pods",
      "services.loadbalancers",
      "services.nodeports",
      "requests.nvidia.com/gpu",
      "requests.nvidia.com/mig-1g.10gb",
      "requests.nvidia.com/gpu.shared",
      "requests.hugepages-2Mi",
      "hugepages-1Gi",
      "gold.storageclass.storage.k8s.io/requests.storage",
      "fast-ssd.storageclass.storage.k8s.io/persistentvolumeclaims",
      "gpu.nvidia.com.deviceclass.resource.k8s.io/devices",
      "count/deployments.apps",
      "count/services",
      "count/jobs.batch",
    ];
    for (const key of keys) assert.strictEqual(quotaKeyProblem(key, RESOURCES), undefined, key);
  });

  it("refuses keys Kubernetes ignores, saying what it would count", () => {
    assert.strictEqual(
      quotaKeyProblem("count/services.loadbalancer", RESOURCES),
      "count/services.loadbalancer names no resource Kubernetes serves here (expected count/<plural>.<group>, core resources without a group, such as count/deployments.apps or count/services)",
    );
    assert.match(quotaKeyProblem("count/services.nodeports", RESOURCES)!, /^count\/services\.nodeports names no resource/);
    assert.strictEqual(quotaKeyProblem("nvidia.com/gpu", RESOURCES), "extended resources are quota'd by their requests only: expected requests.nvidia.com/gpu");
    assert.strictEqual(
      quotaKeyProblem("limits.nvidia.com/gpu", RESOURCES),
      "extended resources are quota'd by their requests only: expected requests.nvidia.com/gpu",
    );
    assert.match(quotaKeyProblem("count/", RESOURCES)!, /^count\/ names no resource/);
    for (const key of ["gpu", "services.loadbalancer", "requests.gpus", "Requests.cpu"])
      assert.match(quotaKeyProblem(key, RESOURCES) ?? "", /^not a quota Kubernetes counts/, key);
  });

  it("accepts every key of every tenant's quota on both real sites", () => {
    for (const stack of ["cyberport", "sandy-ridge"]) {
      const site = parseSite(realSite(stack));
      for (const tenant of site.tenants) {
        for (const key of Object.keys(tenantQuota(site, tenant)))
          assert.strictEqual(quotaKeyProblem(key, RESOURCES), undefined, `${stack} ${tenant.name} ${key}`);
      }
    }
  });
});
