// @ts-check
/**
 * `npm run lint`: typescript-eslint with type information, for defects rather than taste.
 * The recommended type-checked set catches promises nobody awaits or handles, `any` leaking
 * out of untyped data into typed code, and unused variables; `switch-exhaustiveness-check`
 * catches a new union member that a switch without `default` forgot. Formatting is Prettier's job
 * (`prettier --check`, same script), and unused exports are knip's (`knip`, same script).
 */
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "reports/**", ".stryker-tmp/**", "node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.mjs", "bin/*.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      // `_name` says "deliberately unused" (a destructured field left out, an interface's parameter).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read plans, manifests and reports back as parsed JSON and YAML, whose shape the
    // assertion itself states: typing every read would restate the assertion. Promise and
    // unused-code rules stay on: a floating promise in a test is a test that cannot fail.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    // The CommonJS launcher and the config files run as plain JavaScript under Node.
    files: ["bin/*.js", "*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { require: "readonly", process: "readonly", __dirname: "readonly", console: "readonly" } },
    rules: { ...tseslint.configs.disableTypeChecked.rules, "@typescript-eslint/no-require-imports": "off" },
  },
);
