export * from "./chart-resources";
