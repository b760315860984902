export * from "./tenant";
export * from "./tenants";
