/**
 * The policy pack's entry: `pulumi preview --policy-pack policies`. Constructing a PolicyPack
 * starts the policy server, so this is the only file that does; everything else imports
 * ./pack.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./pack";

new PolicyPack(PACK_NAME, { policies: POLICIES, description: "Capacity, tenancy, security and residency rules for Hong Kong's AI supercomputing sites." });
