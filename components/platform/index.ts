export * from "./namespaces";
export * from "./site";
