/**
 * Generates, from the one description of the inventory's input (inventory/input.ts):
 * `stacks/inventory.schema.json`, the JSON Schema editors use to complete and check
 * `stacks/Pulumi.<stack>.yaml` (each file names it in a yaml-language-server modeline), and the
 * README's table of inventory keys, between its `inventory-keys` markers. `npm run schema`
 * writes both; a test fails when either is stale. The parser (inventory/parse*.ts) takes its key
 * lists and defaults from the same description, so the three cannot drift apart.
 */
import * as fs from "fs";
import * as path from "path";
import { KeyDoc, Section, SECTIONS } from "../inventory/input";

const ROOT = path.resolve(__dirname, "..", "..");
export const INVENTORY_SCHEMA_FILE = path.join(ROOT, "stacks", "inventory.schema.json");
export const README_FILE = path.join(ROOT, "README.md");
export const TABLE_BEGIN = "<!-- inventory-keys:begin (generated from inventory/input.ts by npm run schema; edit that file, not this table) -->";
export const TABLE_END = "<!-- inventory-keys:end -->";

type SectionName = keyof typeof SECTIONS;

/** The JSON Schema of one section: its keys, no others, the required ones required. */
function sectionSchema(section: Section): Record<string, unknown> {
  const required = Object.entries(section)
    .filter(([, k]) => k.required)
    .map(([name]) => name);
  return {
    type: "object",
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(section).map(([name, k]) => [name, { description: describe(k), ...k.schema }])),
    ...(required.length ? { required } : {}),
  };
}

/** A key's description as an editor shows it: meaning, then its default. */
function describe(k: KeyDoc): string {
  return `${k.doc}${k.default === undefined ? "" : ` Default: ${k.default.replace(/`/g, "")}.`}`;
}

/** The schema of a stack file: Pulumi's own keys left open, `aisc:site` described in full. */
export function inventorySchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://aisc.hk/schemas/inventory.schema.json",
    title: "aisc stack file (stacks/Pulumi.<stack>.yaml)",
    description:
      "A Pulumi stack file whose config holds the site inventory under aisc:site. Generated from inventory/input.ts; the parser (aisc plan) checks more than this schema can.",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: { "aisc:site": { $ref: "#/$defs/site" } },
        required: ["aisc:site"],
      },
    },
    required: ["config"],
    $defs: Object.fromEntries(Object.entries(SECTIONS).map(([name, section]) => [name, sectionSchema(section)])),
  };
}

/** The section a key's value is, if it is a mapping or a list of mappings. */
function childSection(k: KeyDoc): SectionName | undefined {
  const ref = (k.schema.$ref ?? (k.schema.items as { $ref?: string } | undefined)?.$ref) as string | undefined;
  return ref?.startsWith("#/$defs/") ? (ref.slice("#/$defs/".length) as SectionName) : undefined;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The README's table: every key by its path from `aisc:site`, with its meaning and default. */
export function inventoryTable(): string {
  const rows: string[] = [];
  const walk = (name: SectionName, prefix: string, seen: readonly SectionName[]) => {
    for (const [key, k] of Object.entries(SECTIONS[name] as Section)) {
      const child = childSection(k);
      const isList = k.schema.type === "array";
      const keyPath = `${prefix}${key}${isList && child ? "[]" : ""}`;
      rows.push(`| \`${keyPath}\` | ${k.required ? "yes" : ""} | ${cell(k.doc)} | ${k.default === undefined ? "" : cell(k.default)} |`);
      if (child && !seen.includes(child)) walk(child, `${keyPath}.`, [...seen, child]);
    }
  };
  walk("site", "", ["site"]);
  return [TABLE_BEGIN, "| key (under `aisc:site`) | required | meaning | default |", "| --- | --- | --- | --- |", ...rows, TABLE_END].join("\n");
}

/** The README with its table replaced by the generated one. */
export function readmeWithTable(readme: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${TABLE_BEGIN} ... ${TABLE_END} block`);
  return `${readme.slice(0, begin)}${inventoryTable()}${readme.slice(end + TABLE_END.length)}`;
}

if (require.main === module) {
  fs.writeFileSync(INVENTORY_SCHEMA_FILE, `${JSON.stringify(inventorySchema(), null, 2)}\n`);
  fs.writeFileSync(README_FILE, readmeWithTable(fs.readFileSync(README_FILE, "utf8")));
  process.stdout.write(`wrote ${path.relative(ROOT, INVENTORY_SCHEMA_FILE)} and the README's inventory table\n`);
}
