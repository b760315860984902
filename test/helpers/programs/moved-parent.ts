import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createTenants } from "../../../components/tenancy";
import { parseSite } from "../../../inventory/parse";
import { realSite } from "../fixtures";

/**
 * A program for test/components/aliases.test.ts, run by ../run-program-child: the real
 * tenants of Sandy Ridge (createTenants: each Tenant, its ChartResources and every Kubernetes
 * object) under a parent component that `AISC_MOVE` moves:
 * - `before`: the parent as it was, `aisc:platform:Site` named `sandy-ridge`;
 * - `renamed`: re-typed to `aisc:site:Site` and renamed `sr`, with no alias;
 * - `aliased`: renamed the same way, with one alias on the parent naming its old type and name.
 * Tenant components are named after the parent (`<parent>-tenant-<key>`), as the Site names them.
 */
export = async (): Promise<Record<string, unknown>> => {
  const move = process.env.AISC_MOVE ?? "before";
  const site = parseSite(realSite("sandy-ridge"));
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const [type, name] = move === "before" ? ["aisc:platform:Site", "sandy-ridge"] : ["aisc:site:Site", "sr"];
  const aliases = move === "aliased" ? [{ type: "aisc:platform:Site", name: "sandy-ridge" }] : [];
  const parent = new pulumi.ComponentResource(type, name, {}, { aliases });
  const tenants = await createTenants(name, { site, provider }, { parent });
  return { tenants: Object.keys(tenants).length };
};
