import * as assert from "assert";
import { images, imagesAndChartsPinned, isPinned, parseImage, pinProblem } from "../../policies/security";
import { plannedResource } from "../helpers/plan";
import { k8s, violations, workload } from "../helpers/policy";

/** The image and chart pinning rule and its parsing of image references, over hand-built resources. */

describe("security policies: images and charts (security-images-and-charts-pinned)", () => {
  it("finds every image with its path, in lists and nested objects, and nothing else called image", () => {
    const props = {
      spec: {
        template: {
          spec: {
            containers: [
              { name: "a", image: "a:1" },
              { name: "b", image: "b:2" },
            ],
            initContainers: [{ image: "c:3" }],
          },
        },
      },
      image: { repository: "x" },
      other: [null, 1, "image"],
    };
    assert.deepStrictEqual(images(props), [
      { path: "spec.template.spec.containers[0].image", image: "a:1" },
      { path: "spec.template.spec.containers[1].image", image: "b:2" },
      { path: "spec.template.spec.initContainers[0].image", image: "c:3" },
    ]);
    assert.deepStrictEqual(images({ image: "top:1" }), [{ path: "image", image: "top:1" }]);
    assert.deepStrictEqual(images([{ image: "x:1" }]), [{ path: "[0].image", image: "x:1" }]);
  });

  it("parses references as the distribution spec does: a port is the host's, never a tag", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    assert.deepStrictEqual(parseImage("registry:5000/team/app"), { name: "registry:5000/team/app" });
    assert.deepStrictEqual(parseImage(`registry:5000/app:1.2@${digest}`), { name: "registry:5000/app", tag: "1.2", digest });
    assert.deepStrictEqual(parseImage("nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04"), {
      name: "nvcr.io/nvidia/k8s/dcgm-exporter",
      tag: "4.2.3-4.1.3-ubuntu22.04",
    });
    for (const bad of ["App:1.0", "app:", "app@sha256:abc", "app:-x", "", "a//b:1", "registry:x/app:1"]) assert.strictEqual(parseImage(bad), undefined, bad);
  });

  it("takes a digest or a tag other than latest, in any case, as pinned, and says why not", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const cases: [string, string | undefined][] = [
      [`registry:5000/app@${digest}`, undefined],
      [`app:latest@${digest}`, undefined],
      [`app@sha512:${"cd".repeat(64)}`, undefined],
      ["app:1.2", undefined],
      ["app:v1.0-RC1", undefined],
      ["nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04", undefined],
      ["app:latest", "is tagged latest, which moves"],
      ["app:LATEST", "is tagged LATEST, which moves"],
      ["registry:5000/app:Latest", "is tagged Latest, which moves"],
      ["registry:5000/app", "has no tag or digest, so it means latest"],
      ["app", "has no tag or digest, so it means latest"],
      ["app:", "is not a valid image reference"],
      ["registry:5000/app@sha256:abc", "is not a valid image reference"],
      ["Registry.io/App:1", "is not a valid image reference"],
    ];
    for (const [image, problem] of cases) {
      assert.strictEqual(pinProblem(image), problem, image);
      assert.strictEqual(isPinned(image), problem === undefined, image);
    }
  });

  it("reads no image out of kinds that cannot run one, such as a ConfigMap's data", () => {
    const imageless = [
      "core/v1:Namespace",
      "core/v1:ConfigMap",
      "core/v1:Secret",
      "core/v1:ResourceQuota",
      "core/v1:LimitRange",
      "networking.k8s.io/v1:NetworkPolicy",
      "core/v1:Service",
      "core/v1:ServiceAccount",
      "core/v1:PersistentVolumeClaim",
      "rbac.authorization.k8s.io/v1:Role",
      "rbac.authorization.k8s.io/v1:RoleBinding",
      "rbac.authorization.k8s.io/v1:ClusterRole",
      "rbac.authorization.k8s.io/v1:ClusterRoleBinding",
      "scheduling.k8s.io/v1:PriorityClass",
      "storage.k8s.io/v1:StorageClass",
    ].map((t) => plannedResource(`kubernetes:${t}`, `uni-a/${t}`, { data: { image: "app" }, metadata: { annotations: { image: "app" } } }));
    const pod = plannedResource("kubernetes:core/v1:Pod", "uni-a/p", { spec: { containers: [{ name: "a", image: "app" }] } });
    assert.deepStrictEqual(violations(imagesAndChartsPinned, [...imageless, pod]), [
      "uni-a/p: uni-a/p runs image app (at spec.containers[0].image), which has no tag or digest, so it means latest: pin it to a version tag or a digest.",
    ]);
  });

  it("fails unpinned images in Kubernetes resources, each at its path", () => {
    const pod = {
      containers: [
        { name: "a", image: "app:latest" },
        { name: "b", image: "app:1.0" },
      ],
      initContainers: [{ name: "i", image: "busybox" }],
    };
    assert.deepStrictEqual(
      violations(imagesAndChartsPinned, [workload("w", "uni-a", pod), plannedResource("aws:ecs/taskDefinition:TaskDefinition", "t", { image: "app:latest" })]),
      [
        "uni-a/w: uni-a/w runs image app:latest (at spec.template.spec.containers[0].image), which is tagged latest, which moves: pin it to a version tag or a digest.",
        "uni-a/w: uni-a/w runs image busybox (at spec.template.spec.initContainers[0].image), which has no tag or digest, so it means latest: pin it to a version tag or a digest.",
      ],
    );
  });

  it("fails a Helm chart with no version or latest, naming the chart, and passes a pinned one", () => {
    const chart = (name: string, props: Record<string, unknown>) => plannedResource("kubernetes:helm.sh/v4:Chart", name, props);
    const resources = [
      chart("none", { chart: "cilium" }),
      chart("latest", { chart: "gpu-operator", version: "latest" }),
      chart("anon", { version: "" }),
      chart("ok", { chart: "slurm", version: "1.0.0", values: { image: "app:latest" } }),
    ];
    assert.deepStrictEqual(violations(imagesAndChartsPinned, resources), [
      "none: Helm chart cilium is not pinned to a version.",
      "latest: Helm chart gpu-operator is not pinned to a version.",
      "anon: Helm chart anon is not pinned to a version.",
    ]);
  });

  it("checks images of any Kubernetes kind", () => {
    assert.deepStrictEqual(violations(imagesAndChartsPinned, [k8s("kubernetes:example.com/v1:Thing", "thing", "uni-a", { spec: { image: "x" } })]), [
      "uni-a/thing: uni-a/thing runs image x (at spec.image), which has no tag or digest, so it means latest: pin it to a version tag or a digest.",
    ]);
  });
});
