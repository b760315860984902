import Module from "module";
import * as path from "path";

/**
 * Loaded first by the plan worker, before anything loads the Pulumi SDK: two modules the SDK's
 * index loads eagerly but a plan never calls become lazy, each loaded whole on first use. The
 * SDK's function serialization (`runtime/closure`, for dynamic providers and callback
 * functions) brings the TypeScript compiler through `typescript-shim` and npm's
 * `@npmcli/arborist` (with sigstore, tar, cacache and their own dependencies): about 440 of the
 * 1,190 modules the three SDKs load, and half their load time, measured with `npm run bench`
 * (README, Performance). aisc's program serializes no function; if one ever did, the real
 * module would load at its first property read and work as before.
 */

/** The SDK modules deferred, each as resolved from the SDK module that requires it. */
export const DEFERRED: readonly { request: string; from: string }[] = [
  { request: "./typescript-shim", from: "." },
  { request: "@npmcli/arborist", from: "runtime/closure" },
];

/**
 * Puts a stand-in for `file` in Node's module cache: an object that loads the real module on
 * the first read of any property and forwards every read to it. It says it is an ES module
 * (`__esModule`) without loading anything, so the compiled `import * as x` of the module that
 * requires it keeps the stand-in rather than copying its properties, which would load it.
 */
export function deferModule(file: string): void {
  if (require.cache[file]) return;
  let real: Record<PropertyKey, unknown> | undefined;
  const load = (): Record<PropertyKey, unknown> => {
    if (!real) {
      delete require.cache[file];
      real = require(file) as Record<PropertyKey, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports
    }
    return real;
  };
  const standIn = new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? true : load()[key]),
      has: (_, key) => key in load(),
    },
  );
  const entry = new Module(file);
  entry.filename = file;
  entry.loaded = true;
  entry.exports = standIn;
  require.cache[file] = entry;
}

/** Defers {@link DEFERRED} in this process; returns the files it deferred. */
export function deferUnusedSdkModules(): string[] {
  const sdk = path.dirname(require.resolve("@pulumi/pulumi"));
  return DEFERRED.map(({ request, from }) => {
    const file = require.resolve(request, { paths: [path.join(sdk, from)] });
    deferModule(file);
    return file;
  });
}

deferUnusedSdkModules();
