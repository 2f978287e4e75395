// Prints golden-differences.md from the allow-list tables:
//   node tests/clients/lib/differences-md.mjs > tests/clients/golden-differences.md
import { ALLOWLIST, PENDING } from "../golden-allowlist.mjs";
import { NORMALISATIONS } from "./golden.mjs";

const esc = (s) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
const label = (r) => (String(r.label) === "/./" ? "any" : "`" + String(r.label).replace(/`/g, "'") + "`") + (r.whenText ? `, only: ${r.whenText}` : "");

function table(rows) {
  // merge entries that only differ by file
  const groups = new Map();
  for (const r of rows) {
    const key = `${label(r)}\u0000${r.what}\u0000${r.reason}`;
    if (!groups.has(key)) groups.set(key, { ...r, files: [] });
    groups.get(key).files.push(r.file.replace(/\.jsonl$/, ""));
  }
  const out = ["| golden file(s) | label pattern | what differs | reason |", "|---|---|---|---|"];
  for (const g of groups.values()) out.push(`| ${g.files.join(", ")} | ${esc(label(g))} | ${esc(g.what)} | ${esc(g.reason)} |`);
  return out.join("\n");
}

console.log(`# omvec vs. the Chroma golden recordings: intentional differences

Generated from \`tests/clients/golden-allowlist.mjs\` by
\`node tests/clients/lib/differences-md.mjs\`. The replay test
(\`tests/clients/90_golden_replay.test.mjs\`) sends every recorded request of
\`golden-v1-0523.jsonl\`, \`golden-v2-0523.jsonl\`, \`golden-v2.jsonl\` and
\`golden-auth-0523.jsonl\` to a fresh omvec server and compares the answers.
Everything not listed here must match the recording.

The 0.5.23 recordings are the reference: omvec serves 0.5.23 semantics on both
\`/api/v1\` and \`/api/v2\` (CONTRACT.md section 9). \`golden-v2.jsonl\` was
recorded from Chroma 1.0.0, so most of its entries below are the documented
1.0.0 vs 0.5.23 differences.

## Normalisations applied to every exchange

${NORMALISATIONS.map((n) => `* ${n}`).join("\n")}
* query results: records at equal distance may come back in any order; a tie at the n_results cut-off may return a different one of the tied records

## Intentional differences

${table(ALLOWLIST)}

## Pending decisions (not allowed by the test yet)

These differences were observed in omvec but are not asked for by CONTRACT.md;
the replay fails on them until each is either accepted (moved to the table
above, and documented) or changed in the server. \`GOLDEN_ALLOW_PENDING=1\`
applies them.

${table(PENDING)}
`);
