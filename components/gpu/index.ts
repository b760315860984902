export * from "./nvidia";
