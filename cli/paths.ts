import * as path from "path";

/** The project root: this file is compiled to dist/cli/, two levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const STACKS_DIR = path.join(PROJECT_ROOT, "stacks");
export const DEFAULT_OUT = "out";
/** The Pulumi project name (Pulumi.yaml): config keys without a namespace belong to it. */
export const PROJECT = "aisc";
