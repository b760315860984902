import { LIMITS } from "./limits";
import { SECTIONS, SYSTEM_DEFAULTS } from "./input";
import { EBS_STORAGE_CLASS } from "./platform";
import { DNS_LABEL, Reader, show } from "./reader";
import { ClusterKind, SYSTEM_PLACEMENTS, SystemNodes, SystemPlacement } from "./types";

/** Parses the `system` block: where the platform's own pods run. */

/** An EC2 instance type name such as m5.2xlarge or c7i.metal-24xl. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

export function parseSystem(r: Reader, path: string, value: unknown, kind: ClusterKind | undefined): SystemNodes | undefined {
  const o = value === undefined ? {} : r.object(path, value, SECTIONS.system);
  if (!o) return undefined;
  const fallback: SystemPlacement = kind === "existing" ? "existing" : "cloud";
  const placement = o.placement === undefined ? fallback : r.oneOf(`${path}.placement`, o.placement, SYSTEM_PLACEMENTS);
  if (placement === undefined) return undefined;
  if (kind === "existing" && placement !== "existing") {
    return r.fail(
      `${path}.placement`,
      `expected existing for an existing cluster (aisc creates no nodes there: label your system nodes aisc.hk/node-role=system), got ${show(placement)}`,
    );
  }
  if (kind === "eks" && placement === "existing") {
    return r.fail(`${path}.placement`, "expected cloud or on-prem for an eks cluster: a new cluster has no nodes of its own to place the platform on");
  }
  const storageClass = parseStorageClass(r, `${path}.storageClass`, o.storageClass, placement);
  if (placement === "existing") {
    for (const key of ["nodes", "instanceType"]) {
      if (o[key] !== undefined)
        r.fail(`${path}.${key}`, "expected nothing for existing system nodes: aisc creates none (label yours aisc.hk/node-role=system)");
    }
    return storageClass ? { placement, storageClass } : undefined;
  }
  const max = placement === "cloud" ? LIMITS.nodesPerCloudPool : LIMITS.nodesPerOnPremPool;
  const nodes = o.nodes === undefined ? SYSTEM_DEFAULTS.nodes : r.integer(`${path}.nodes`, o.nodes, 2, max);
  let instanceType: string | undefined;
  if (placement === "cloud") {
    instanceType =
      o.instanceType === undefined
        ? SYSTEM_DEFAULTS.instanceType
        : r.string(`${path}.instanceType`, o.instanceType, { pattern: INSTANCE_TYPE, what: "an EC2 instance type such as m5.2xlarge", maxLength: 64 });
  } else if (o.instanceType !== undefined) {
    r.fail(`${path}.instanceType`, "expected no instanceType for on-prem system nodes (set placement: cloud for an EKS node group)");
  }
  if (nodes === undefined || (placement === "cloud" && instanceType === undefined) || !storageClass) return undefined;
  return { placement, nodes, ...(instanceType ? { instanceType } : {}), storageClass };
}

/** The platform's StorageClass: aisc's EBS class by default in the cloud, the site's own (required) elsewhere. */
function parseStorageClass(r: Reader, path: string, value: unknown, placement: SystemPlacement): string | undefined {
  if (value !== undefined) return r.string(path, value, { pattern: DNS_LABEL, what: "a StorageClass name" });
  if (placement === "cloud") return EBS_STORAGE_CLASS;
  return r.fail(path, `expected the StorageClass of the site's own storage for the platform's volumes: ${placement} system nodes cannot attach EBS volumes`);
}
