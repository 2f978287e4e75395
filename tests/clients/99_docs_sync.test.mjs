// docs/compatibility.md is generated from the golden allow-list
// (lib/differences-md.mjs); this fails when someone changed the allow-list
// or the generator without regenerating the document, or edited it by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compatibilityMarkdown } from "./lib/differences-md.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

test("docs/compatibility.md is current (node tests/clients/lib/differences-md.mjs > docs/compatibility.md)", () => {
  const doc = fs.readFileSync(path.join(root, "docs/compatibility.md"), "utf8");
  assert.ok(doc === compatibilityMarkdown(), "docs/compatibility.md differs from what tests/clients/lib/differences-md.mjs prints; regenerate it");
});

test("every allow-list entry appears in docs/compatibility.md", async () => {
  const { ALLOWLIST } = await import("./golden-allowlist.mjs");
  const doc = fs.readFileSync(path.join(root, "docs/compatibility.md"), "utf8");
  for (const r of ALLOWLIST) {
    const what = String(r.what).replace(/\|/g, "\\|");
    assert.ok(doc.includes(what), `missing: ${r.what}`);
  }
});

test("docs/compatibility.md says search is approximate (HNSW) and gives measured recall (issue 10 item 9)", () => {
  const doc = fs.readFileSync(path.join(root, "docs/compatibility.md"), "utf8");
  assert.doesNotMatch(doc, /\*\*Exact search\.\*\*|exact \(brute force/);
  assert.match(doc, /Approximate search \(HNSW\)/);
  assert.match(doc, /recall@10/);
});
