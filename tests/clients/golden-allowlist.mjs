// Intentional differences between omvec and the recorded Chroma servers,
// used by 90_golden_replay.test.mjs. Every entry names the golden file, a
// label pattern, what differs and why, and gives omvec's expected answer
// (expect(rec, current) returns the replacement for the recorded status /
// body; rules apply in order, each to the result of the previous ones).
// Anything not covered here must match the recording (after the generic
// normalisations in lib/golden.mjs).
//
// ALLOWLIST: differences that CONTRACT.md (sections 5 and 9) asks for, or
//            that replace a 0.5.23 crash/bug by a clean answer; and, for
//            golden-v2.jsonl (Chroma 1.0.0), the 0.5.23 semantics omvec
//            serves on /api/v2 (CONTRACT section 9.1-9.4).
// PENDING:   differences observed in omvec that are not decided yet. Not
//            applied unless GOLDEN_ALLOW_PENDING=1, so the replay fails on
//            them until each one moves to ALLOWLIST (and the docs) or the
//            server changes. Empty since issue 2 closed.
//
// Every entry states omvec's exact expected status and body (error name,
// count, record ids...), so the replay still fails when omvec regresses.
// The same table, in prose, is generated into docs/compatibility.md by
// lib/differences-md.mjs (99_docs_sync.test.mjs checks it is current).

import fs from "node:fs";
import { goldenPath } from "./lib/golden.mjs";

const V1 = "golden-v1-0523.jsonl";
const V2P = "golden-v2-0523.jsonl";
const V2 = "golden-v2.jsonl";
const AUTH = "golden-auth-0523.jsonl";

// ------------------------------------------------------------------ helpers

const cache = new Map();
function records(file) {
  if (!cache.has(file)) {
    cache.set(file, fs.readFileSync(goldenPath(file), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)));
  }
  return cache.get(file);
}
const clone = (x) => (x === undefined ? x : JSON.parse(JSON.stringify(x)));
/** Recorded response body of a line (1-based) of a golden file. */
const fromLine = (file, line) => clone(records(file)[line - 1].response_body);
/** Recorded response body of the only line with this label. */
function fromLabel(file, label) {
  const hits = records(file).filter((r) => r.label === label);
  if (hits.length !== 1) throw new Error(`${file}: label "${label}" matches ${hits.length} lines`);
  return clone(hits[0].response_body);
}
const requestJson = (rec) => { try { return JSON.parse(rec.bodyText); } catch { return undefined; } };

/** Remove records from a recorded get result (ids and the parallel arrays). */
function dropIds(body, ids) {
  const b = clone(body);
  const keep = b.ids.map((id) => !ids.includes(id));
  for (const k of ["ids", "embeddings", "documents", "metadatas", "uris"]) {
    if (Array.isArray(b[k])) b[k] = b[k].filter((_, i) => keep[i]);
  }
  return b;
}

const fakeIds = new Map();
/** A 0.5.23-shaped collection object for a collection the recording does not have (stable made-up id per name). */
function fakeCollection(name, { space = "l2", metadata = null, dimension = null } = {}) {
  if (!fakeIds.has(name)) fakeIds.set(name, `ffffffff-0000-4000-8000-${String(fakeIds.size + 1).padStart(12, "0")}`);
  return {
    id: fakeIds.get(name),
    name,
    configuration_json: {
      hnsw_configuration: { space, ef_construction: 100, ef_search: 10, num_threads: 1, M: 16, resize_factor: 1.2, batch_size: 100, sync_threshold: 1000, _type: "HNSWConfigurationInternal" },
      _type: "CollectionConfigurationInternal",
    },
    metadata, dimension, tenant: "default_tenant", database: "default_database", version: 0, log_position: 0,
  };
}
function editList(body, { add = [], remove = [] }) {
  const b = clone(body).filter((c) => !remove.includes(c.name));
  return [...b, ...add];
}
const isCollection = (o) => o && typeof o === "object" && !Array.isArray(o) && typeof o.id === "string" && "configuration_json" in o;
const hasCollections = (body) => isCollection(body) || (Array.isArray(body) && body.some(isCollection));

/**
 * configuration_json.hnsw_configuration.space as omvec reports it: the space
 * the collection was created with (0.5.23 always printed "l2").
 */
function trueSpace(body, createdWith = {}) {
  const fix = (c) => {
    if (!isCollection(c) || !c.configuration_json?.hnsw_configuration) return c;
    const s = createdWith[c.name] ?? c.metadata?.["hnsw:space"];
    if (s) c.configuration_json.hnsw_configuration.space = s;
    return c;
  };
  const b = clone(body);
  return Array.isArray(b) ? b.map(fix) : fix(b);
}

/** omvec's 422 body for request-schema problems: 0.5.23's status, a named error (plus FastAPI's "detail"). */
const VALIDATION = Object.freeze({ error: "ValidationError", message: "" });

const IDENTITY_TOKEN = { user_id: "anonymous", tenant: "*", databases: ["*"], attributes: null };
const re = (s) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

// ------------------------------------------------------------------ ALLOWLIST

export const ALLOWLIST = [
  // ---- 0.5.23 recordings (v1, v2 dialect, auth) -------------------------------------
  ...[V1, V2P, AUTH].map((file) => ({
    file, label: /./, when: (rec) => rec.status === 200 && hasCollections(rec.response_body), whenText: "any 200 answer holding collection objects",
    what: "configuration_json.hnsw_configuration.space is the collection's real space (0.5.23 always printed \"l2\")",
    reason: "CONTRACT 5: reporting the true space is harmless; the space given by metadata hnsw:space at creation is what takes effect",
    // collections whose metadata hnsw:space was changed or removed after creation
    expect: (rec, cur) => ({ body: trueSpace(cur.body, { V1: { golden_raw: "cosine" }, V2P: { golden_raw: "cosine", py_cosine: "cosine" }, AUTH: { py_cosine: "cosine" } }[{ [V1]: "V1", [V2P]: "V2P", [AUTH]: "AUTH" }[file]]) }),
  })),
  ...[[V1, "error: configuration in 1.x form"], [V2P, "error: configuration in 1.x form"]].map(([file, label]) => ({
    file, label: re(label),
    what: "create with a 1.x configuration {hnsw:{space}} answers 200 with the collection, not 500 KeyError('_type')",
    reason: "CONTRACT 9.3: accept the 1.x configuration form (JS 3.x sends it)",
    expect: () => ({ status: 200, body: fakeCollection("golden_cfg2", { space: "ip" }) }),
  })),
  ...[[V1, "count_collections"], [V2P, "collections_count"]].map(([file, label]) => ({
    file, label: re(label),
    what: "collection count: +1 golden_cfg2 (accepted 1.x configuration), -1 golden_badspace (not left behind)",
    reason: "CONTRACT 9.3; 0.5.23 bug: a create that fails on an invalid hnsw:space still leaves the collection behind",
    expect: (rec, cur) => ({ body: cur.body + 1 - 1 }),
  })),
  ...[[V1, /^(list collections: raw no query params|python client: list_collections\(\))$/], [V2P, /^list collections: raw no query params$/]].map(([file, label]) => ({
    file, label,
    what: "collection list: has golden_cfg2, lacks golden_badspace",
    reason: "CONTRACT 9.3; 0.5.23 bug: failed create (invalid hnsw:space) leaves the collection behind",
    expect: (rec, cur) => ({ body: editList(cur.body, { add: [fakeCollection("golden_cfg2", { space: "ip" })], remove: ["golden_badspace"] }) }),
  })),
  ...[[V1, "raw get bad where: empty object"], [V2P, "raw get bad where: empty object"], [V1, "raw get bad where_document: empty object"], [V2P, "raw get bad where_document: empty object"]].map(([file, label]) => ({
    file, label: re(label),
    what: "where {} / where_document {} is no filter: 200 with every record, not 400",
    reason: "CONTRACT 9.5: lenient where {} (the 0.4.x client sends it on every query)",
    expect: () => ({ status: 200, body: dropIds(fromLabel(file, "raw get: limit 0"), ["r2", "r3"]) }),
  })),
  ...[[V1, 193, V2P, 15], [AUTH, 66, AUTH, 42], [AUTH, 134, AUTH, 111]].map(([file, line, srcFile, srcLine]) => ({
    file, label: /^python client: coll\.query\(query_embeddings, n_results=2, include=\[documents,metadatas,distances\]\)$/,
    when: (rec) => rec.line === line, whenText: `line ${line} (the 0.4.24 client)`,
    what: "0.4.24 client query (sends where {} and where_document {}) answers 200 with results, not 400",
    reason: "CONTRACT 9.5: treat where {} as no filter, so the 0.4.x client's query works",
    expect: () => ({ status: 200, body: fromLine(srcFile, srcLine) }),
  })),
  ...[[V1, "raw add: no embeddings (server has no embedding function)"], [V2P, "raw add: no embeddings (server has no embedding function)"]].map(([file, label]) => ({
    file, label: re(label),
    what: "add without embeddings: 400 InvalidArgumentError, not 201 with a vectorless record",
    reason: "CONTRACT 2.1 and 9.6: reject add/upsert without embeddings",
    expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
  })),
  ...[V1, V2P].flatMap((file) => [
    {
      file, label: /^raw add: metadata (nested object|list value)$/,
      what: "non-scalar metadata value on add: 400 InvalidArgumentError, not 201 with the value silently dropped",
      reason: "CONTRACT 9.6: reject non-scalar metadata values",
      expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
    },
    {
      file, label: /^raw get: (include distances|limit 0|negative offset|after add without embeddings)$/,
      what: "records r2, r3 (non-scalar metadata) and noemb (no embeddings) were refused, so they are not listed",
      reason: "follows from CONTRACT 9.6 (see the add lines)",
      expect: (rec, cur) => ({ body: dropIds(cur.body, ["r2", "r3", "noemb"]) }),
    },
    {
      file, label: /^raw count$/,
      what: "count is 2 lower: r2 and r3 were refused",
      reason: "follows from CONTRACT 9.6",
      expect: (rec, cur) => ({ body: cur.body - 2 }),
    },
  ]),
  ...[
    [V1, /^(error: add wrong dimension via client|raw add: wrong dimension \(4 vs 3\)|raw add: inconsistent dims within batch)$/],
    [V2P, /^(error: add wrong dimension via client|raw add: wrong dimension \(4 vs 3\)|raw add: inconsistent dims within batch|error python client: coll\.add wrong dimension)$/],
    [AUTH, /^error python client: coll\.add wrong dimension$/],
  ].map(([file, label]) => ({
    file, label,
    what: "add with a wrong / mixed dimension: 400 InvalidDimension, not 500 {\"detail\"}",
    reason: "CONTRACT 9.6: prefer 400 InvalidDimension for add (the 0.5.23 client raises a generic Exception either way)",
    expect: () => ({ status: 400, body: { error: "InvalidDimension", message: "" } }),
  })),
  ...[V1, V2P].flatMap((file) => [
    {
      file, label: /^raw add: embeddings length != ids length$/,
      what: "length mismatch: 400 InvalidArgumentError, not 500 IndexError('list index out of range')",
      reason: "0.5.23 crashes (unhandled Python exception); the clean answer is 1.0.0's",
      expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
    },
    {
      file, label: /^raw get: sort given \(not supported\)$/,
      what: "get with sort: 400 InvalidArgumentError, not 500 NotImplementedError",
      reason: "0.5.23 answers with an unhandled exception; sorting stays unsupported, as a clean 400",
      expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
    },
    {
      file, label: /^error: collection in missing database$/,
      what: "create in a database that does not exist: 400 InvalidArgumentError, not 409 UniqueConstraintError \"Collection <new uuid> already exists\"",
      reason: "0.5.23 bug (CONTRACT 7 marks it sic); same answer as 1.0.0",
      expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
    },
  ]),
  {
    file: V1, label: /^python client: list_collections\(\)$/,
    what: "recording artifact: the collection ids in this list are those of the golden-v2-0523 recording's server (e.g. golden_l2_renamed 4ac1fbba...), not of this file's; ids are not compared here",
    reason: "the 0.4.24-client section of golden-v1-0523 was captured against the other 0.5.23 run's data (same names)",
    expect: () => ({ ignoreKeys: ["id"] }),
  },
  {
    file: AUTH, label: /(token in the other header|^\[server header=xheader\] Authorization: Bearer with trailing spaces$)/,
    what: "the right token in the other header (X-Chroma-Token vs Authorization: Bearer) is accepted: 200, not 403",
    reason: "CONTRACT 9.5: accept the token in either header (each official client sends only the one it is configured for)",
    expect: () => ({ status: 200, body: IDENTITY_TOKEN }),
  },

  {
    file: V2P, label: /^error: database: list \(no such route in 0.5.23\)$/,
    what: "GET /api/v2/tenants/{t}/databases (list databases) is served: 200 with the tenant's databases, not 405",
    reason: "issue 2 asks for listing databases; 0.5.23 has no such route, 1.0.0 has it with this answer shape (golden-v2 \"database: list\")",
    expect: () => ({ status: 200, body: fromLabel(V2, "database: list") }),
  },

  // text/plain bodies (0.5.23: 422; 1.0.0: 415)
  ...[[V1, "http: POST with text/plain content-type"], [V2P, "http: POST with text/plain content-type"]].map(([file, label]) => ({
    file, label: re(label),
    what: "a JSON body sent as text/plain is parsed: 200 with the new collection golden_textplain, not 422",
    reason: "CONTRACT 9.5 (lenient where it only helps; bodies are parsed as JSON whatever the Content-Type): the JS clients send text/plain for string bodies",
    expect: () => ({ status: 200, body: fakeCollection("golden_textplain") }),
  })),
  ...[[V1, /^count_collections$/], [V2P, /^collections_count$/]].map(([file, label]) => ({
    file, label, when: (rec) => rec.path.includes("count"), whenText: "the count request",
    what: "collection count +1: golden_textplain (created by the text/plain request)",
    reason: "follows from accepting text/plain (CONTRACT 9.5)",
    expect: (rec, cur) => ({ body: cur.body + 1 }),
  })),
  ...[[V1, /^(list collections: raw no query params|python client: list_collections\(\))$/], [V2P, /^list collections: raw no query params$/]].map(([file, label]) => ({
    file, label, when: (rec) => rec.method === "GET" && /\/collections$/.test(rec.path.split("?")[0]), whenText: "the list request",
    what: "collection lists also show golden_textplain (created by the text/plain request)",
    reason: "follows from accepting text/plain (CONTRACT 9.5)",
    expect: (rec, cur) => ({ body: editList(cur.body, { add: [fakeCollection("golden_textplain")] }) }),
  })),

  // ---- golden-v2.jsonl: Chroma 1.0.0; omvec serves 0.5.23 semantics on /api/v2 ----------
  {
    file: V2, label: /./,
    what: "configuration_json is the 0.5.23 typed form, not 1.0.0's {hnsw, spann, embedding_function}",
    reason: "CONTRACT 9.2: the only form every client accepts; its content is checked by the 0.5.23 replays and 20_collections",
    expect: () => ({ ignoreKeys: ["configuration_json"] }),
  },
  {
    file: V2, label: /^system: version$/, what: "version \"0.5.23\", not \"1.0.0\"", reason: "CONTRACT 9.7",
    expect: () => ({ body: "0.5.23" }),
  },
  {
    file: V2, label: /^system: pre-flight-checks$/, what: "max_batch_size 41666, not 5461", reason: "CONTRACT 9.7 (the 0.5.23 docker image's value)",
    expect: () => ({ body: { max_batch_size: 41666 } }),
  },
  {
    file: V2, label: /./, when: (rec) => rec.path.endsWith("/auth/identity") && rec.status === 200, whenText: "every 200 GET /api/v2/auth/identity",
    what: "identity carries \"attributes\": null", reason: "0.5.23 form (CONTRACT 6.2); 1.x clients ignore it",
    expect: (rec, cur) => ({ body: { ...cur.body, attributes: null } }),
  },
  {
    file: V2, label: /./, when: (rec) => rec.status === 201, whenText: "every recorded 201",
    what: "add answers 201 true, not 201 {}", reason: "CONTRACT 2.2 / 9.4: 0.5.23 success bodies",
    expect: () => ({ body: true }),
  },
  {
    file: V2, label: /./, when: (rec) => rec.status === 200 && rec.response_body && typeof rec.response_body === "object" && !Array.isArray(rec.response_body) && Object.keys(rec.response_body).length === 0, whenText: "every recorded 200 {}",
    what: "update/upsert/delete/modify/create tenant/create database answer 200 null, not 200 {}", reason: "CONTRACT 2.2 / 9.4: 0.5.23 success bodies",
    expect: () => ({ body: null }),
  },
  {
    file: V2, label: /./, when: (rec) => rec.status === 404 && rec.response_body?.error === "NotFoundError" && /^Collection /.test(rec.response_body.message) && rec.method !== "DELETE", whenText: "recorded 404 NotFoundError \"Collection ...\" (not DELETE)",
    what: "unknown collection (by name or id): 400 InvalidCollection, not 404 NotFoundError", reason: "CONTRACT 7 / 9.4: 0.5.23 status codes (1.x JS clients get ChromaClientError instead of ChromaNotFoundError)",
    expect: () => ({ status: 400, body: { error: "InvalidCollection", message: "" } }),
  },
  {
    file: V2, label: /./, when: (rec) => rec.status === 404 && rec.response_body?.error === "NotFoundError" && rec.method === "DELETE", whenText: "recorded 404 NotFoundError on DELETE",
    what: "delete of an unknown collection: 400 InvalidArgumentError, not 404 NotFoundError", reason: "CONTRACT 7 / 9.4",
    expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
  },
  {
    file: V2, label: /./, when: (rec) => rec.status === 409 && rec.response_body?.error === "ChromaError", whenText: "recorded 409 ChromaError",
    what: "duplicate collection / tenant / database: 409 UniqueConstraintError, not 409 ChromaError", reason: "CONTRACT 7 / 9.4",
    expect: () => ({ body: { error: "UniqueConstraintError", message: "" } }),
  },
  {
    file: V2, label: /./, when: (rec) => rec.status === 400 && /dimension/.test(rec.response_body?.message || ""), whenText: "recorded 400 whose message is about the dimension",
    what: "dimension mismatch: 400 InvalidDimension, not 400 InvalidArgumentError", reason: "CONTRACT 2.2 / 9.6",
    expect: () => ({ body: { error: "InvalidDimension", message: "" } }),
  },
  {
    file: V2, label: /^error: (invalid uuid in path|count invalid uuid)$/,
    what: "malformed UUID: 400 InvalidUUID, not 400 InvalidArgumentError", reason: "CONTRACT 7: 0.5.23 error name",
    expect: () => ({ body: { error: "InvalidUUID", message: "" } }),
  },
  {
    file: V2, label: /^raw add: metadata with null value$/,
    what: "a null metadata value on add is accepted and dropped: 201 true, not 422", reason: "0.5.23 semantics (CONTRACT 2.1)",
    expect: () => ({ status: 201, body: true }),
  },
  {
    file: V2, label: /^(raw add: metadata (nested object|list value)|error: collection metadata nested|error: wrong type for name|error: invalid configuration space)$/,
    what: "invalid metadata value / name type / configuration space: 400 InvalidArgumentError, not 422 ChromaError",
    reason: "0.5.23 answers (CONTRACT 9.6; goldens-0523 \"wrong type for name\", \"collection metadata nested\", \"invalid hnsw:space\")",
    expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
  },
  {
    file: V2, label: /^(raw get: include bogus value|error: missing required field name \(create collection\)|list collections: bad limit|http: POST empty body to \/get|error: bad JSON body \((create collection|get)\))$/,
    what: "request-schema errors (unknown include value, missing field, bad query parameter, empty or malformed JSON body): 422 ValidationError, checked before the collection lookup, not 1.0.0's 422 ChromaError / 400 InvalidArgumentError",
    reason: "0.5.23 answers these with 422 (FastAPI validation, before the handler; CONTRACT 7); the body carries FastAPI's \"detail\" list and a \"message\" (read by the JS 3.x client on 422)",
    expect: () => ({ status: 422, body: VALIDATION }),
  },
  {
    file: V2, label: /^(raw query: empty query_embeddings|raw get bad where: \$and with one element|raw get bad where_document: \$contains empty string|raw delete: empty body \(no ids\/where\))$/,
    what: "400 InvalidArgumentError where 1.0.0 answers 200 (empty query_embeddings, $and with one clause, $contains \"\", delete without ids/where)",
    reason: "0.5.23 semantics (CONTRACT 2.2, 3.3, 4.1, 4.2)",
    expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
  },
  {
    file: V2, label: /^raw get where_document: \$(not_)?regex \(newer op\)$/,
    what: "$regex / $not_regex: 400 InvalidArgumentError, not a dropped connection", reason: "CONTRACT 4.2 / 9.6: never panic on $regex",
    expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
  },
  {
    file: V2, label: /^raw (query: include distances in get \(invalid\)|get: limit 0|get: negative offset|get bad where: empty object|get bad where_document: empty object)$/,
    what: "get results in 0.5.23 state and semantics: record r (null metadata value) exists; limit 0 = no limit; negative offset ignored; where {} = no filter",
    reason: "0.5.23 semantics (CONTRACT 2.1, 3.2, 9.5); r2/r3 refused (CONTRACT 9.6)",
    expect: (rec) => ({
      status: 200,
      body: dropIds(fromLabel(V2P, /include distances/.test(rec.label) ? "raw get: include distances" : "raw get: limit 0"), ["r2", "r3"]),
    }),
  },
  {
    file: V2, label: /^raw count$/,
    what: "count 5 (p, q, r, r4, dup), not 4: record r with a null metadata value was stored", reason: "0.5.23 semantics (CONTRACT 2.1)",
    expect: () => ({ body: 5 }),
  },
  {
    file: V2, label: /^poison: add without embeddings \(server has no embedding function\)$/,
    what: "add without embeddings: 400 InvalidArgumentError, not 500 + a poisoned collection", reason: "CONTRACT 2.1 / 9.6",
    expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
  },
  {
    file: V2, label: /^poison: later valid add answers 500 too$/,
    what: "the collection is not poisoned: the next valid add answers 201 true", reason: "CONTRACT 2.1 / 9.6",
    expect: () => ({ status: 201, body: true }),
  },
  {
    file: V2, label: /^poison: get shows what was stored$/,
    what: "get works and shows the two valid records", reason: "CONTRACT 2.1 / 9.6",
    expect: () => ({
      status: 200,
      body: { ids: ["ok", "ok2"], embeddings: [[1, 0, 0], [0, 1, 0]], documents: ["ok doc", null], uris: null, data: null, metadatas: null, included: ["embeddings", "documents"] },
    }),
  },
  {
    file: V2, label: /^http: HEAD heartbeat$/, what: "HEAD: 405, not 200", reason: "0.5.23 behaviour (CONTRACT 1)",
    expect: () => ({ status: 405, body: undefined }),
  },
  {
    file: V2, label: /^http: OPTIONS CORS preflight \(no CORS origins configured\)$/, what: "CORS preflight without configured origins: 400 \"Disallowed CORS origin\", not 405",
    reason: "0.5.23 behaviour (CONTRACT 1)",
    expect: () => ({ status: 400, body: { __raw_text__: "Disallowed CORS origin" } }),
  },
  {
    file: V2, label: /^error: (unknown route|wrong method on count)$/, what: "404 / 405 carry a JSON {\"detail\"} body, not an empty body",
    reason: "0.5.23 behaviour (CONTRACT 7); JS 1.x clients call response.json() on every answer",
    expect: (rec) => ({ body: { detail: rec.status === 404 ? "Not Found" : "Method Not Allowed" } }),
  },
  {
    file: V2, label: /^error: trailing slash on heartbeat$/, what: "trailing slash accepted: 200 heartbeat, not 404", reason: "CONTRACT 1 / 9.5",
    expect: () => ({ status: 200, body: { "nanosecond heartbeat": 0 } }),
  },
  {
    file: V2, label: /^system: reset \(allow_reset false by default\)$/, what: "reset refused with 400 InvalidArgumentError, not 403 ChromaError", reason: "0.5.23 behaviour (CONTRACT 6.2)",
    expect: () => ({ status: 400, body: { error: "InvalidArgumentError", message: "" } }),
  },
  {
    file: V2, label: /^v1: (heartbeat \(deprecated\)|root)$/, what: "/api/v1 is served: 200 heartbeat, not 410 / 404", reason: "CONTRACT 9.1: omvec serves /api/v1 and /api/v2",
    expect: () => ({ status: 200, body: { "nanosecond heartbeat": 0 } }),
  },
  {
    file: V2, label: /^v1: list collections \(deprecated\)$/, what: "/api/v1 is served: 200 with the same collections as the v2 list just before", reason: "CONTRACT 9.1",
    expect: () => ({ status: 200, body: fromLabel(V2, "list collections: raw no query params") }),
  },
  {
    file: V2, label: /^v1: create collection \(deprecated, POST\)$/, what: "/api/v1 is served: 200 with the new collection v1test, not 405", reason: "CONTRACT 9.1",
    expect: () => ({ status: 200, body: fakeCollection("v1test") }),
  },
  {
    file: V2, label: /^startup chromadb@(2\.4\.6|1\.10\.5).*: listCollections$/, when: (rec) => Array.isArray(rec.response_body), whenText: "the list request",
    what: "collection lists also show v1test (created through /api/v1 above)", reason: "CONTRACT 9.1",
    expect: (rec, cur) => ({ body: editList(cur.body, { add: [fakeCollection("v1test")] }) }),
  },
  {
    file: V2, label: /: countCollections$/, when: (rec) => rec.path.endsWith("/collections_count"), whenText: "the collections_count request",
    what: "collection count +1: v1test (created through /api/v1 above)", reason: "CONTRACT 9.1",
    expect: (rec, cur) => ({ body: cur.body + 1 }),
  },

  // text/plain on golden-v2 (after the /api/v1 entries above, which they build on)
  {
    file: V2, label: /^error: text\/plain content-type$/,
    what: "a JSON body sent as text/plain is parsed: 200 with the new collection golden_textplain, not 415",
    reason: "CONTRACT 9.5 (lenient where it only helps; bodies are parsed as JSON whatever the Content-Type): the JS clients send text/plain for string bodies",
    expect: () => ({ status: 200, body: fakeCollection("golden_textplain") }),
  },
  {
    file: V2, label: /^error: string body via fetch \(fetch adds Content-Type text\/plain;charset=UTF-8\)$/,
    what: "text/plain;charset=UTF-8 is parsed: get_or_create answers 200 with the existing golden_noct, not 415",
    reason: "CONTRACT 9.5 (see text/plain above)",
    expect: () => ({ status: 200, body: fromLabel(V2, "http: POST JSON body with NO Content-Type header (python 0.5.x httpx client sends none)") }),
  },
  {
    file: V2, label: /^(collections_count|.*: countCollections)$/, when: (rec) => rec.path.includes("count"), whenText: "the count request",
    what: "collection count +1: golden_textplain (created by the text/plain request)",
    reason: "follows from accepting text/plain (CONTRACT 9.5)",
    expect: (rec, cur) => ({ body: cur.body + 1 }),
  },
  {
    file: V2, label: /^(list collections: raw no query params|v1: list collections \(deprecated\)|startup chromadb@(2\.4\.6|1\.10\.5).*: listCollections)$/,
    when: (rec) => rec.method === "GET" && /\/collections$/.test(rec.path.split("?")[0]), whenText: "the list request",
    what: "collection lists also show golden_textplain (created by the text/plain request)",
    reason: "follows from accepting text/plain (CONTRACT 9.5)",
    expect: (rec, cur) => ({ body: editList(cur.body, { add: [fakeCollection("golden_textplain")] }) }),
  },
];

// ------------------------------------------------------------------ PENDING

export const PENDING = [];
