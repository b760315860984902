export * from "./cloud-pools";
export * from "./compute";
export * from "./gpu-cluster";
export * from "./hybrid-nodes";
export * from "./network";
export * from "./storage";
