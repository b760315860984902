export * from "./tenant";
