import { Policies } from "@pulumi/policy";
import { CAPACITY_POLICIES } from "./capacity";
import { quotaForEveryGpuResource } from "./gpu-quotas";
import { gpuRuntimePlatformOnly } from "./gpu-runtime";
import { eksVersionSupported } from "./eks-support";
import {
  awsRegionHongKong,
  bucketsPrivateEncrypted,
  eksAuditLogs,
  eksEndpointPrivate,
  eksSecretsEncrypted,
  SECURITY_POLICIES,
  statefulProtected,
} from "./security";
import { SUBSIDY_POLICIES } from "./subsidy";
import { TENANCY_POLICIES } from "./tenancy";

/**
 * Every policy of the aisc pack, in report order. An explicit list, no registration by side
 * effect: the pack's entry file builds the PolicyPack from it, and `aisc plan` and the tests
 * evaluate the same objects without starting the policy server.
 */
export const POLICIES: Policies = [
  ...CAPACITY_POLICIES,
  ...SUBSIDY_POLICIES,
  ...TENANCY_POLICIES,
  quotaForEveryGpuResource,
  gpuRuntimePlatformOnly,
  ...SECURITY_POLICIES,
];

export const PACK_NAME = "aisc";
/** The pack's version, as the engine reads it from policies/package.json (a test keeps the two equal). */
export const PACK_VERSION = "0.1.0";

/**
 * The policies that judge AWS resources alone: what the cluster stage (components/platform/
 * stages.ts), which creates no Kubernetes object, is held to by `aisc plan`. The capacity and
 * tenancy policies read Kubernetes objects and judge the platform stage.
 */
export const CLUSTER_STAGE_POLICIES: Policies = [
  awsRegionHongKong,
  eksEndpointPrivate,
  eksSecretsEncrypted,
  eksAuditLogs,
  eksVersionSupported,
  bucketsPrivateEncrypted,
  statefulProtected,
];
