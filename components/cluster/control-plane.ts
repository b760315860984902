import { eksClusterName } from "../../inventory/platform";
import { Site } from "../../inventory/types";

/**
 * Pure decisions about a site's EKS control plane: its name, its logs and their key, and the
 * kubeconfig that reaches it. GpuCluster only wires these to AWS, so they are tested without Pulumi.
 */

/**
 * Control-plane log types every cluster ships: all five. Audit is what compliance reviewers ask
 * for; the controller manager's and scheduler's logs are what explains a node group that does
 * not scale or a pod that never schedules.
 */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** The log group EKS writes a cluster's control-plane logs to (EKS chooses the name). */
export function logGroupName(eksName: string): string {
  return `/aws/eks/${eksName}/cluster`;
}

/** Who the program runs as: the account every key policy and trust condition names. */
export interface AwsIdentity {
  readonly accountId: string;
  /** The ARN partition, `aws` (or `aws-us-gov`, `aws-cn`). */
  readonly partition: string;
}

/**
 * The key policy of the control-plane logs' key: the account administers it (as KMS's default
 * policy does), and CloudWatch Logs in the region may use it only for this cluster's log group
 * (CloudWatch Logs user guide, "Encrypt log data using AWS KMS").
 */
export function logKeyPolicy(id: AwsIdentity, region: string, eksName: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${id.partition}:iam::${id.accountId}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "LogsUseForTheClusterLogGroup",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnEquals: { "kms:EncryptionContext:aws:logs:arn": `arn:${id.partition}:logs:${region}:${id.accountId}:log-group:${logGroupName(eksName)}` },
        },
      },
    ],
  });
}
/** How long control-plane logs are kept, in days. */
export const LOG_RETENTION_DAYS = 365;

/** The EKS cluster's name: stable, so replacing it is never an accident of renaming. */
export function clusterName(site: Site): string {
  return eksClusterName(site.name);
}

/**
 * A kubeconfig for the cluster that authenticates with `aws eks get-token`, so it holds no
 * credential of its own; it is still handled as a secret because it names the endpoint.
 */
export function eksKubeconfig(name: string, endpoint: string, caData: string, region: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": caData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
          },
        },
      },
    ],
  });
}
