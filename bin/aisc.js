#!/usr/bin/env node
// The aisc command. The TypeScript is compiled to dist/ by `npm ci` (the prepare script).
"use strict";
const path = require("path");
const fs = require("fs");
const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write("aisc: not built yet; run `npm ci` or `npm run build` first\n");
  process.exit(3);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
