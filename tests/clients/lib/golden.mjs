// Golden replay engine: send every recorded request of a golden-*.jsonl file
// to a fresh server, in order, and compare each response with the recorded
// one after the normalisations listed in NORMALISATIONS. Intentional
// differences come from an allow-list supplied by the caller.

import fs from "node:fs";
import path from "node:path";
import { startServer, sharedDir } from "./server.mjs";
import { httpRequest, rawValueText } from "./rawhttp.mjs";

export const NORMALISATIONS = [
  "UUIDs: a recorded collection/database id is mapped to the id our server returned for the same object (matched by name); later request paths and bodies are rewritten with the map, and ids in responses are compared through it",
  "\"nanosecond heartbeat\": any integer",
  "configuration_json.hnsw_configuration.num_threads: any integer (it is the server's CPU count)",
  "object key order is ignored (metadata key order is not significant)",
  "numbers compare within 1e-5 (relative for |x| > 1): float32 printing differs between servers",
  "error bodies {\"error\",\"message\"}: only the error name is compared; message must be a string when the recording had one",
  "FastAPI bodies {\"detail\": ...}: the status must match and our body must carry \"detail\" of the same kind: the same string (\"Not Found\"), or a list of {loc, msg} items whose text may differ (pydantic-version dependent, see README)",
  "collection lists: matched by name as a set, our order must be by id; with limit/offset only the length is compared (the ids, and so the order, are random)",
  "get/query results may carry both include echoes (\"included\" in 0.5.23 order, \"include\") and \"data\": null (CONTRACT 9.1); the echo the recording has is compared, the other must name the same fields",
];

/** Expected body: any error body, {"error": string, ...} or FastAPI's {"detail": ...}. */
export const ANY_ERROR = Object.freeze({ __any_error__: true });

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_G = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const RESULT_ECHO_KEYS = new Set(["include", "included", "data"]);

export function goldenPath(file) {
  return path.join(sharedDir(), "chroma-api", file);
}

export function loadGolden(file) {
  const lines = fs.readFileSync(goldenPath(file), "utf8").split("\n").filter((l) => l.trim());
  return lines.map((line, i) => {
    const rec = JSON.parse(line);
    rec.line = i + 1;
    const rb = rec.request_body;
    if (rb === null || rb === undefined) rec.bodyText = undefined;
    else if (typeof rb === "object" && !Array.isArray(rb) && Object.keys(rb).length === 1 && "__raw_text__" in rb) rec.bodyText = rb.__raw_text__;
    else rec.bodyText = rawValueText(line, "request_body");
    return rec;
  });
}

/**
 * Split a golden file into server runs. The auth recordings were made
 * against two server configurations, named by a "[server header=...]"
 * label prefix; the lines that follow (the python clients) belong to the
 * same server.
 */
export function splitRuns(file, records) {
  const runs = [];
  let cur = null;
  for (const r of records) {
    const m = /^\[server header=(\w+)\]/.exec(r.label || "");
    const mode = m ? m[1] : cur ? cur.mode : "none";
    if (!cur || mode !== cur.mode) {
      cur = { mode, records: [] };
      runs.push(cur);
    }
    cur.records.push(r);
  }
  for (const run of runs) {
    run.env = {};
    if (run.mode !== "none") {
      const token = inferToken(run.records);
      run.token = token;
      run.env.CHROMA_SERVER_AUTHN_PROVIDER = "chromadb.auth.token_authn.TokenAuthenticationServerProvider";
      run.env.CHROMA_SERVER_AUTHN_CREDENTIALS = token;
      if (run.mode === "xheader") run.env.CHROMA_AUTH_TOKEN_TRANSPORT_HEADER = "X-Chroma-Token";
      else if (run.mode !== "authorization") throw new Error(`${file}: unknown server header mode ${run.mode}`);
    }
    run.name = `${file}${runs.length > 1 ? ` [${run.mode}]` : ""}`;
  }
  return runs;
}

/** The token the recording's server accepted: the one on successful non-open requests. */
function inferToken(records) {
  const counts = new Map();
  for (const r of records) {
    if (r.status !== 200 || /\/(heartbeat|version|pre-flight-checks)$|\/api\/v[12]$/.test(r.path)) continue;
    const h = r.request_headers || {};
    let t = h["x-chroma-token"];
    if (!t && h.authorization && h.authorization.startsWith("Bearer ")) t = h.authorization.slice(7).trim();
    if (t) counts.set(t, (counts.get(t) || 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (!best) throw new Error("cannot infer the auth token from the recording");
  return best[0];
}

// ------------------------------------------------------------------ comparison

function isCollectionObj(o) {
  return o && typeof o === "object" && !Array.isArray(o) && typeof o.id === "string" && "configuration_json" in o && "name" in o;
}

class Ctx {
  constructor() {
    this.recToOurs = new Map();
    this.oursToRec = new Map();
  }
  learn(recId, ourId) {
    if (!UUID_RE.test(recId || "") || !UUID_RE.test(ourId || "")) return;
    this.recToOurs.set(recId.toLowerCase(), ourId.toLowerCase());
    this.oursToRec.set(ourId.toLowerCase(), recId.toLowerCase());
  }
  rewrite(text) {
    if (text === undefined) return text;
    return text.replace(UUID_G, (u) => this.recToOurs.get(u.toLowerCase()) ?? u);
  }
  /** Learn id mappings from collection / database objects matched by name. */
  learnFrom(expected, actual) {
    const objs = (x) => (Array.isArray(x) ? x : [x]).filter((o) => o && typeof o === "object" && typeof o.id === "string" && typeof o.name === "string");
    const ours = objs(actual);
    for (const e of objs(expected)) {
      const a = ours.find((o) => o.name === e.name);
      if (a) this.learn(e.id, a.id);
    }
  }
}

const numEq = (a, b) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));

/**
 * Compare `act` with `exp`; push human-readable differences into `diffs`.
 * opts.ignore: set of dotted paths not to compare.
 */
function cmp(exp, act, p, ctx, diffs, opts) {
  const lastKey = p.slice(p.lastIndexOf(".") + 1);
  if (opts.ignoreKeys && opts.ignoreKeys.has(lastKey)) return;
  if (opts.ignore && [...opts.ignore].some((ig) => p === ig || p.startsWith(ig + ".") || p.startsWith(ig + "["))) return;
  if (p.endsWith("nanosecond heartbeat")) {
    if (!Number.isInteger(act)) diffs.push(`${p}: expected an integer heartbeat, got ${JSON.stringify(act)}`);
    return;
  }
  if (p.endsWith("hnsw_configuration.num_threads")) {
    if (!Number.isInteger(act)) diffs.push(`${p}: expected an integer, got ${JSON.stringify(act)}`);
    return;
  }
  if (exp === null || typeof exp !== "object") {
    if (typeof exp === "number" && typeof act === "number") {
      if (!numEq(act, exp)) diffs.push(`${p}: ${act} != ${exp}`);
      return;
    }
    if (typeof exp === "string" && typeof act === "string" && UUID_RE.test(exp) && UUID_RE.test(act)) {
      const e = exp.toLowerCase();
      const a = act.toLowerCase();
      const mapped = ctx.recToOurs.get(e);
      if (mapped) {
        if (mapped !== a) diffs.push(`${p}: id ${act} is not the id that corresponds to recorded ${exp} (${mapped})`);
      } else if (e !== a) {
        const other = ctx.oursToRec.get(a);
        if (other && other !== e) diffs.push(`${p}: id ${act} already corresponds to recorded ${other}, not ${exp}`);
        else ctx.learn(e, a);
      }
      return;
    }
    if (exp !== act) diffs.push(`${p}: ${JSON.stringify(act)} != expected ${JSON.stringify(exp)}`);
    return;
  }
  if (Array.isArray(exp)) {
    if (!Array.isArray(act)) { diffs.push(`${p}: expected an array, got ${JSON.stringify(act)?.slice(0, 200)}`); return; }
    if (exp.length && exp.every(isCollectionObj)) return cmpCollectionList(exp, act, p, ctx, diffs, opts);
    if (exp.length !== act.length) {
      diffs.push(`${p}: length ${act.length} != expected ${exp.length}: ${JSON.stringify(act).slice(0, 300)} vs ${JSON.stringify(exp).slice(0, 300)}`);
      return;
    }
    exp.forEach((e, i) => cmp(e, act[i], `${p}[${i}]`, ctx, diffs, opts));
    return;
  }
  if (act === null || typeof act !== "object" || Array.isArray(act)) {
    diffs.push(`${p}: expected an object, got ${JSON.stringify(act)?.slice(0, 200)}`);
    return;
  }
  const isResult = "ids" in exp && ("included" in exp || "include" in exp);
  if (isResult && Array.isArray(exp.ids) && Array.isArray(exp.ids[0]) && Array.isArray(exp.distances) && Array.isArray(act.distances)) {
    [exp, act] = alignTies(exp, act);
  }
  for (const k of Object.keys(exp)) {
    if (opts.ignoreKeys && opts.ignoreKeys.has(k)) continue;
    if (!(k in act)) {
      if (isResult && RESULT_ECHO_KEYS.has(k) && k !== "included" && k !== "include") continue; // "data"
      if (isResult && (k === "include" && "included" in act)) {
        // recording has 1.0.0's "include", we answer "included" (+ maybe include): same fields?
        cmpEchoSet(exp.include, act.included, `${p}.include`, diffs);
        continue;
      }
      diffs.push(`${p}.${k}: missing`);
      continue;
    }
    if (isResult && k === "include") { cmpEchoSet(exp[k], act[k], `${p}.${k}`, diffs); continue; }
    cmp(exp[k], act[k], p ? `${p}.${k}` : k, ctx, diffs, opts);
  }
  for (const k of Object.keys(act)) {
    if (k in exp) continue;
    if (isResult && RESULT_ECHO_KEYS.has(k)) {
      if (k === "data" && act[k] !== null) diffs.push(`${p}.data: expected null, got ${JSON.stringify(act[k]).slice(0, 100)}`);
      if (k === "include" && "included" in exp) cmpEchoSet(exp.included, act[k], `${p}.include`, diffs);
      if (k === "included" && "include" in exp) cmpEchoSet(exp.include, act[k], `${p}.included`, diffs);
      continue;
    }
    if (opts.ignore && opts.ignore.has(p ? `${p}.${k}` : k)) continue;
    if (opts.ignoreKeys && opts.ignoreKeys.has(k)) continue;
    diffs.push(`${p ? p + "." : ""}${k}: unexpected key (value ${JSON.stringify(act[k])?.slice(0, 100)})`);
  }
}

const PARALLEL = ["ids", "distances", "documents", "metadatas", "embeddings", "uris"];

/**
 * Query results: records at equal distance may come back in any order (the
 * tie-break is unspecified), and at the cut-off of n_results any of the tied
 * records may be the one returned. Reorder our tied entries like the
 * recording; for a tie at the end of the list accept our choice.
 */
function alignTies(exp, act) {
  exp = { ...exp };
  act = { ...act };
  for (const k of PARALLEL) {
    if (Array.isArray(exp[k])) exp[k] = exp[k].map((row) => (Array.isArray(row) ? [...row] : row));
    if (Array.isArray(act[k])) act[k] = act[k].map((row) => (Array.isArray(row) ? [...row] : row));
  }
  exp.ids.forEach((eIds, q) => {
    const eD = exp.distances[q];
    const aIds = act.ids?.[q];
    const aD = act.distances?.[q];
    if (!Array.isArray(eIds) || !Array.isArray(eD) || !Array.isArray(aIds) || !Array.isArray(aD) || aIds.length !== eIds.length) return;
    let i = 0;
    while (i < eIds.length) {
      let j = i + 1;
      while (j < eIds.length && numEq(eD[j], eD[i]) && Math.abs(eD[j] - eD[i]) <= 1e-6 * Math.max(1, Math.abs(eD[i]))) j++;
      if (j - i > 1 || j === eIds.length) {
        const pos = [];
        for (let t = i; t < j; t++) pos.push(t);
        const last = j === eIds.length;
        // our positions in this group, reordered to follow the recording
        const used = new Set();
        const order = pos.map((t) => {
          const m = pos.find((u) => !used.has(u) && aIds[u] === eIds[t]);
          if (m !== undefined) used.add(m);
          return m;
        });
        const rest = pos.filter((u) => !used.has(u));
        const allTied = pos.every((u) => Math.abs(aD[u] - eD[i]) <= 1e-5 * Math.max(1, Math.abs(eD[i])));
        if ((order.every((m) => m !== undefined) || (last && allTied)) && (j - i > 1 || order[0] === undefined)) {
          const src = order.map((m) => (m !== undefined ? m : rest.shift()));
          for (const k of PARALLEL) {
            if (!Array.isArray(act[k]?.[q])) continue;
            const old = [...act[k][q]];
            pos.forEach((t, n) => { act[k][q][t] = old[src[n]]; });
          }
          // a tied record at the cut-off that the recording did not return: accept ours
          if (last && allTied) {
            pos.forEach((t) => {
              if (act.ids[q][t] !== eIds[t]) {
                for (const k of PARALLEL) if (Array.isArray(exp[k]?.[q]) && Array.isArray(act[k]?.[q])) exp[k][q][t] = act[k][q][t];
              }
            });
          }
        }
      }
      i = j;
    }
  });
  return [exp, act];
}

function cmpEchoSet(exp, act, p, diffs) {
  if (!Array.isArray(act)) { diffs.push(`${p}: expected a list, got ${JSON.stringify(act)}`); return; }
  const a = [...new Set(act)].sort().join(",");
  const e = [...new Set(exp)].sort().join(",");
  if (a !== e) diffs.push(`${p}: names [${act}] but expected the fields [${exp}]`);
}

function cmpCollectionList(exp, act, p, ctx, diffs, opts) {
  if (act.length !== exp.length) {
    diffs.push(`${p}: ${act.length} collections (${act.map((c) => c?.name)}) != expected ${exp.length} (${exp.map((c) => c.name)})`);
    return;
  }
  const ids = act.map((c) => c?.id);
  if (ids.join() !== [...ids].sort().join()) diffs.push(`${p}: collection list is not ordered by id`);
  if (opts.paged) {
    const keys = Object.keys(exp[0]).sort().join();
    act.forEach((c, i) => { if (Object.keys(c).sort().join() !== keys) diffs.push(`${p}[${i}]: keys ${Object.keys(c)}`); });
    return;
  }
  for (const e of exp) {
    const a = act.find((c) => c?.name === e.name);
    if (!a) { diffs.push(`${p}: collection ${e.name} missing (we list ${act.map((c) => c?.name)})`); continue; }
    cmp(e, a, `${p}{${e.name}}`, ctx, diffs, opts);
  }
}

/**
 * Compare one exchange. `exp` = {status, body, ignore, raw} (body undefined:
 * not compared). Returns a list of differences ([] = match).
 */
export function compareExchange(exp, res, ctx, { method, path: reqPath, contentType }) {
  const diffs = [];
  if (res.status !== exp.status) {
    diffs.push(`status ${res.status} != expected ${exp.status}`);
    return diffs;
  }
  if (exp.body === undefined || method === "HEAD" || exp.status === 0) return diffs;
  const b = exp.body;
  if (b === null && exp.status >= 400 && res.text === "") return diffs; // recorded empty body
  if (b && typeof b === "object" && !Array.isArray(b) && "__raw_text__" in b) {
    if (res.text !== b.__raw_text__) diffs.push(`body ${JSON.stringify(res.text).slice(0, 200)} != expected text ${JSON.stringify(b.__raw_text__)}`);
    return diffs;
  }
  let act;
  try { act = res.text.length ? JSON.parse(res.text) : undefined; } catch { act = undefined; }
  if (act === undefined && !(b === null && res.text === "")) {
    diffs.push(`body is not JSON: ${JSON.stringify(res.text).slice(0, 200)}`);
    return diffs;
  }
  if (contentType && /json/.test(contentType) && !/json/.test(res.headers?.["content-type"] || "")) {
    diffs.push(`content-type ${res.headers?.["content-type"]} is not JSON`);
  }
  if (b === ANY_ERROR) {
    if (!act || typeof act !== "object" || !("detail" in act || typeof act.error === "string")) diffs.push(`expected a {"detail"} or {"error"} body, got ${res.text.slice(0, 200)}`);
    return diffs;
  }
  if (b && typeof b === "object" && !Array.isArray(b) && "detail" in b && exp.status >= 400) {
    // FastAPI body: ours must carry "detail" of the same kind (a list of
    // validation errors, or a string such as "Not Found"); for a string the
    // text itself is compared
    const kind = (x) => (Array.isArray(x) ? "list" : typeof x);
    if (!act || typeof act !== "object" || !("detail" in act)) diffs.push(`expected a {"detail"} body, got ${res.text.slice(0, 200)}`);
    else if (kind(act.detail) !== kind(b.detail)) diffs.push(`detail is a ${kind(act.detail)}, expected a ${kind(b.detail)}: ${res.text.slice(0, 200)}`);
    else if (typeof b.detail === "string" && act.detail !== b.detail) diffs.push(`detail ${JSON.stringify(act.detail)} != expected ${JSON.stringify(b.detail)}`);
    else if (Array.isArray(b.detail) && !act.detail.every((d) => d && typeof d.msg === "string" && Array.isArray(d.loc))) diffs.push(`detail items need "loc" and "msg": ${res.text.slice(0, 200)}`);
    return diffs;
  }
  if (b && typeof b === "object" && !Array.isArray(b) && typeof b.error === "string" && exp.status >= 400) {
    if (!act || typeof act !== "object") { diffs.push(`expected an error body, got ${res.text.slice(0, 200)}`); return diffs; }
    if (act.error !== b.error) diffs.push(`error ${JSON.stringify(act.error)} != expected ${JSON.stringify(b.error)} (message: ${JSON.stringify(act.message)?.slice(0, 160)})`);
    if ("message" in b && typeof act.message !== "string") diffs.push(`error body without a string message: ${res.text.slice(0, 200)}`);
    return diffs;
  }
  const paged = /[?&](limit|offset)=/.test(reqPath);
  cmp(b, act, "", ctx, diffs, { ignore: new Set(exp.ignore || []), ignoreKeys: new Set(exp.ignoreKeys || []), paged });
  return diffs;
}

// ------------------------------------------------------------------ replay

/**
 * rules: [{file, label (RegExp), when?(rec, state), what, reason,
 *          expect(rec, current, state) -> partial expectation or an array of
 *          alternatives}]. Rules apply in order, each to the expectation the
 *          previous ones produced. A partial expectation may set status, body
 *          (ANY_ERROR = any error body), ignore (dotted paths), ignoreKeys (key
 *          names at any depth) or skip: true (not compared).
 * Returns {results: [...], used: Set(rule index)}.
 */
export async function replayRun(file, run, rules, { onExchange } = {}) {
  const srv = await startServer({ env: run.env, tag: "omvec-golden" });
  const ctx = new Ctx();
  const state = {};
  const results = [];
  const used = new Set();
  try {
    for (const rec of run.records) {
      const reqPath = ctx.rewrite(rec.path);
      const body = ctx.rewrite(rec.bodyText);
      const res = await httpRequest({ host: srv.host, port: srv.port, method: rec.method, path: reqPath, headers: rec.request_headers || {}, body });
      let act;
      try { act = JSON.parse(res.text); } catch { act = undefined; }

      const base = { status: rec.status, body: rec.response_body };
      let alternatives = [base];
      const applied = [];
      rules.forEach((rule, i) => {
        if (rule.file !== file || !rule.label.test(rec.label || "")) return;
        if (rule.when && !rule.when(rec, state)) return;
        used.add(i);
        applied.push(rule);
        const next = [];
        for (const a of alternatives) {
          const e = rule.expect(rec, a, state);
          for (const x of Array.isArray(e) ? e : [e]) {
            next.push({ ...a, ...x, ignore: [...(a.ignore || []), ...(x.ignore || [])], ignoreKeys: [...(a.ignoreKeys || []), ...(x.ignoreKeys || [])] });
          }
        }
        alternatives = next;
      });

      let diffs = null;
      let skipped = false;
      for (const alt of alternatives) {
        if (alt.skip) { skipped = true; diffs = []; break; }
        const snapshot = [new Map(ctx.recToOurs), new Map(ctx.oursToRec)];
        const d = compareExchange(alt, res, ctx, { method: rec.method, path: reqPath, contentType: rec.response_content_type });
        if (d.length === 0) { diffs = []; break; }
        [ctx.recToOurs, ctx.oursToRec] = snapshot;
        if (diffs === null) diffs = d;
      }
      // learn ids from the recorded vs our response regardless of the rule outcome
      if (res.status >= 200 && res.status < 300 && act !== undefined) ctx.learnFrom(rec.response_body, act);

      const r = {
        line: rec.line, label: rec.label, method: rec.method, path: reqPath, body,
        headers: rec.request_headers, status: res.status, text: res.text,
        expected: alternatives.map((a) => ({ status: a.status, body: a.body, skip: a.skip })),
        recorded: { status: rec.status, body: rec.response_body },
        rules: applied.map((x) => x.what), diffs, skipped,
      };
      results.push(r);
      if (onExchange) onExchange(r);
    }
  } finally {
    await srv.dispose();
  }
  return { results, used };
}

export function formatMismatch(r) {
  const req = `${r.method} ${r.path}${r.headers && Object.keys(r.headers).length ? ` ${JSON.stringify(r.headers)}` : ""}${r.body !== undefined ? ` ${r.body.length > 300 ? r.body.slice(0, 300) + "..." : r.body}` : ""}`;
  const exp = r.expected.map((e) => `${e.status} ${JSON.stringify(e.body)?.slice(0, 300)}`).join("  OR  ");
  return [
    `line ${r.line}: ${r.label}${r.rules.length ? `   [allow-list: ${r.rules.join("; ")}]` : ""}`,
    `  request : ${req}`,
    `  expected: ${exp}`,
    `  got     : ${r.status} ${r.text.length > 400 ? r.text.slice(0, 400) + "..." : r.text}`,
    ...r.diffs.slice(0, 8).map((d) => `    - ${d}`),
  ].join("\n");
}
