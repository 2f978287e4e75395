// Golden replay: every recorded exchange of the Chroma goldens, replayed
// against a fresh omvec server and compared (lib/golden.mjs). Intentional
// differences live in ./golden-allowlist.mjs; anything else fails.
//
//   GOLDEN_FILES=golden-v2.jsonl   replay only some files (comma-separated)
//   GOLDEN_ALLOW_PENDING=1         also apply the PENDING table (differences
//                                  awaiting a decision, see golden-allowlist.mjs)
//   GOLDEN_NO_ALLOWLIST=1          compare with the raw recordings (for
//                                  checking the plumbing against the real
//                                  server the recording came from)
//   GOLDEN_REPORT=path             write every exchange (JSON lines) there
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { loadGolden, splitRuns, replayRun, formatMismatch } from "./lib/golden.mjs";
import { ALLOWLIST, PENDING } from "./golden-allowlist.mjs";

const FILES = (process.env.GOLDEN_FILES || "golden-v1-0523.jsonl,golden-v2-0523.jsonl,golden-v2.jsonl,golden-auth-0523.jsonl")
  .split(",").map((s) => s.trim()).filter(Boolean);
const RULES = process.env.GOLDEN_NO_ALLOWLIST ? [] : [...ALLOWLIST, ...(process.env.GOLDEN_ALLOW_PENDING ? PENDING : [])];
const report = process.env.GOLDEN_REPORT ? fs.openSync(process.env.GOLDEN_REPORT, "w") : null;

const usedRules = new Set();

for (const file of FILES) {
  const records = loadGolden(file);
  const runs = splitRuns(file, records);
  for (const run of runs) {
    test(`replay ${run.name} (${run.records.length} exchanges)`, { timeout: 120000 }, async () => {
      const { results, used } = await replayRun(file, run, RULES, {
        onExchange: (r) => { if (report) fs.writeSync(report, JSON.stringify({ file, ...r }) + "\n"); },
      });
      used.forEach((i) => usedRules.add(i));
      const bad = results.filter((r) => r.diffs.length);
      const skipped = results.filter((r) => r.skipped).length;
      if (bad.length) {
        assert.fail(`${bad.length} of ${results.length} exchanges differ from ${file}` +
          `${skipped ? ` (${skipped} not compared by allow-list)` : ""}:\n\n${bad.map(formatMismatch).join("\n\n")}`);
      }
    });
  }
}

test("every allow-list entry matches at least one recorded exchange", { skip: !!process.env.GOLDEN_FILES || RULES.length === 0 }, () => {
  const unused = RULES.map((r, i) => [r, i]).filter(([, i]) => !usedRules.has(i));
  assert.deepEqual(unused.map(([r]) => `${r.file} ${r.label} (${r.what})`), []);
});
