export * from "./cert-manager";
export * from "./namespaces";
export * from "./site";
