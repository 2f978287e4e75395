#!/usr/bin/env node
// scripts/gen_openapi.mjs - writes src/http/console/openapi.json, the API
// document omvec serves at GET /openapi.json (compiled into the binary).
// Run after changing the route table (src/api/api_routes.c); the unit test
// tests/unit/http/test_openapi.c fails when the two disagree.
//   node scripts/gen_openapi.mjs           write it
//   node scripts/gen_openapi.mjs --check   exit 1 if the file differs (95_console)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "src/http/console/openapi.json");

const ref = (n) => ({ $ref: `#/components/schemas/${n}` });
const json = (schema) => ({ content: { "application/json": { schema } } });
const parameters = {};
const p = (name, where = "path", desc) => {
  const key = `${name}_${where}`;
  parameters[key] ||= { name, in: where, required: where === "path", schema: { type: where === "query" && (name === "limit" || name === "offset") ? "integer" : "string" }, ...(desc ? { description: desc } : {}) };
  return { $ref: `#/components/parameters/${key}` };
};
const OPEN = [];           // no token
const READ = [{ token: [] }, { bearer: [] }];
const R = (n) => ({ $ref: `#/components/responses/${n}` });
const errors = { 400: R("Invalid"), 403: R("Forbidden"), 404: R("NotFound"), 503: R("NotReady") };
const responses = { Invalid: { description: "Invalid request", ...json(ref("Error")) }, Forbidden: { description: "Missing, wrong or read-only token", ...json(ref("Error")) }, NotFound: { description: "Not found", ...json(ref("Error")) }, NotReady: { description: "Not ready: prewarming artifacts", ...json(ref("Error")) } };

function op(id, tag, summary, { sec = READ, params = [], body, res = { type: "object" }, extra = {} } = {}) {
  const o = { operationId: id, tags: [tag], summary, ...(sec === OPEN ? { security: OPEN } : {}), parameters: params, responses: { 200: { description: "Success", ...json(res) }, ...(sec === OPEN ? {} : errors), ...extra } };
  if (!params.length) delete o.parameters;
  if (body) o.requestBody = { required: true, ...json(body) };
  return o;
}

const paths = {};
const add = (route, method, o) => ((paths[route] ||= {})[method] = o);

for (const v of [1, 2]) {
  const b = `/api/v${v}`;
  const sfx = v === 1 ? "_v1" : "";
  const tag = `Chroma v${v}`;
  const td = v === 1 ? [p("tenant", "query"), p("database", "query")] : [p("tenant"), p("database")];
  const tdPath = v === 1 ? "" : "/tenants/{tenant}/databases/{database}";
  const coll = v === 1 ? `${b}/collections/{collection_id}` : `${b}${tdPath}/collections/{collection_id}`;
  const cp = v === 1 ? [p("collection_id")] : [...td, p("collection_id")];
  const cpName = v === 1 ? [p("collection_id"), ...td] : cp;
  add(b, "get", op(`root${sfx}`, tag, "Heartbeat (root)", { sec: OPEN, res: ref("Heartbeat") }));
  add(`${b}/heartbeat`, "get", op(`heartbeat${sfx}`, tag, "Heartbeat: nanoseconds since the epoch", { sec: OPEN, res: ref("Heartbeat") }));
  add(`${b}/version`, "get", op(`version${sfx}`, tag, "The Chroma version whose API is served", { sec: OPEN, res: { type: "string" } }));
  add(`${b}/pre-flight-checks`, "get", op(`pre_flight_checks${sfx}`, tag, "Server limits (max_batch_size)", { sec: OPEN }));
  if (v === 2) {
    add(`${b}/healthcheck`, "get", op("healthcheck", tag, "Ready to serve (503 while prewarming)", { sec: OPEN }));
    add(`${b}/auth/identity`, "get", op("get_user_identity", tag, "The caller's user id, tenant and databases"));
  }
  add(`${b}/reset`, "post", op(`reset${sfx}`, tag, "Delete everything (ALLOW_RESET=TRUE, admin token)", { res: { type: "boolean" } }));
  add(`${b}/tenants`, "post", op(`create_tenant${sfx}`, tag, "Create a tenant", { body: ref("CreateTenant") }));
  add(`${b}/tenants/{tenant}`, "get", op(`get_tenant${sfx}`, tag, "Get a tenant", { params: [p("tenant")] }));
  if (v === 1) {
    add(`${b}/databases`, "post", op("create_database_v1", tag, "Create a database", { params: [p("tenant", "query")], body: ref("CreateDatabase") }));
    add(`${b}/databases/{database}`, "get", op("get_database_v1", tag, "Get a database", { params: [p("database"), p("tenant", "query")] }));
  } else {
    add(`${b}/tenants/{tenant}/databases`, "get", op("list_databases", tag, "List a tenant's databases", { params: [p("tenant"), p("limit", "query"), p("offset", "query")], res: { type: "array", items: { type: "object" } } }));
    add(`${b}/tenants/{tenant}/databases`, "post", op("create_database", tag, "Create a database", { params: [p("tenant")], body: ref("CreateDatabase") }));
    add(`${b}/tenants/{tenant}/databases/{database}`, "get", op("get_database", tag, "Get a database", { params: td }));
    add(`${b}/tenants/{tenant}/databases/{database}`, "delete", op("delete_database", tag, "Delete a database", { params: td }));
  }
  const list = `${b}${tdPath}/collections`;
  add(list, "get", op(`list_collections${sfx}`, tag, "List collections", { params: [...td, p("limit", "query"), p("offset", "query")], res: { type: "array", items: ref("Collection") } }));
  add(list, "post", op(`create_collection${sfx}`, tag, "Create a collection (get_or_create)", { params: td, body: ref("CreateCollection"), res: ref("Collection") }));
  add(v === 1 ? `${b}/count_collections` : `${b}${tdPath}/collections_count`, "get", op(`count_collections${sfx}`, tag, "Number of collections", { params: td, res: { type: "integer" } }));
  if (v === 2)
    add(`${b}${tdPath}/collections_status`, "get", op("collections_status", "omvec", "Per collection: records, vectors not yet in the graph (pending), and the artifact version and tarball sha256 it was installed from (null when none); read by the console", { params: td, res: { type: "array", items: ref("CollectionStatus") } }));
  add(coll, "get", op(`get_collection${sfx}`, tag, "Get a collection by name (or id)", { params: cpName, res: ref("Collection") }));
  add(coll, "put", op(`update_collection${sfx}`, tag, "Rename a collection or change its metadata", { params: cp, body: ref("UpdateCollection") }));
  add(coll, "delete", op(`delete_collection${sfx}`, tag, "Delete a collection by name", { params: cpName }));
  for (const [verb, schema, summary] of [["add", "AddEmbedding", "Add records"], ["upsert", "AddEmbedding", "Insert or update records"], ["update", "AddEmbedding", "Update records"], ["delete", "DeleteEmbedding", "Delete records by id and/or filter"], ["get", "GetEmbedding", "Get records by id and/or filter"]])
    add(`${coll}/${verb}`, "post", op(`${verb}${sfx}`, tag, summary, { params: cp, body: ref(schema), res: verb === "get" ? ref("GetResult") : { type: "object" } }));
  add(`${coll}/query`, "post", op(`get_nearest_neighbors${sfx}`, tag, "Nearest neighbours of query_embeddings, or of query_texts embedded on the server with the collection's embedder (omvec)", { params: cp, body: ref("QueryEmbedding"), res: ref("QueryResult") }));
  add(`${coll}/count`, "get", op(`count${sfx}`, tag, "Number of records", { params: cp, res: { type: "integer" } }));
}

const text = (desc) => ({ 200: { description: desc, content: { "text/plain": { schema: { type: "string" } } } } });
add("/ready", "get", { operationId: "ready", tags: ["omvec"], summary: "Readiness: 200 once data is served, 503 while prewarming", security: OPEN, responses: { 200: { description: "Ready", ...json(ref("Ready")) }, 503: { description: "Prewarming", ...json(ref("Ready")) } } });
add("/metrics", "get", { operationId: "metrics", tags: ["omvec"], summary: "Prometheus metrics (read token)", responses: { ...text("Prometheus text format 0.0.4"), 403: errors[403] } });
add("/openapi.json", "get", { operationId: "openapi", tags: ["omvec"], summary: "This document", security: OPEN, responses: { 200: { description: "OpenAPI 3.1 document", ...json({ type: "object" }) } } });
const html = { 200: { description: "The console page", content: { "text/html": { schema: { type: "string" } } } }, 404: { description: "Console turned off (--no-console)" } };
add("/", "get", { operationId: "console_root", tags: ["console"], summary: "The browser console (term lookup, collections, server state)", security: OPEN, responses: html });
add("/console", "get", { operationId: "console", tags: ["console"], summary: "The browser console", security: OPEN, responses: html });
add("/console/{asset}", "get", { operationId: "console_asset", tags: ["console"], summary: "The console's files (console.css, console.js) and info.json (omvec version, SIMD kernel)", security: OPEN, parameters: [p("asset")], responses: { 200: { description: "The file" }, 404: { description: "No such file, or the console is off" } } });

const str = { type: "string" }, meta = { type: ["object", "null"], additionalProperties: { type: ["string", "number", "boolean"] } };
const ids = { type: "array", items: str };
const doc = {
  openapi: "3.1.0",
  info: { title: "omvec", version: "0.1.0", description: "omvec serves the Chroma HTTP API (v1 and v2 routes, Chroma 0.5.23 semantics; docs/compatibility.md) plus /ready, /metrics, query_texts on collections with an embedder, and a browser console at /. Tokens go in X-Chroma-Token or Authorization: Bearer; a read token is enough for reads." },
  tags: [{ name: "Chroma v1" }, { name: "Chroma v2" }, { name: "omvec" }, { name: "console" }],
  security: READ,
  paths,
  components: {
    responses,
    parameters,
    securitySchemes: { token: { type: "apiKey", in: "header", name: "X-Chroma-Token" }, bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      Error: { type: "object", properties: { error: str, message: str } },
      Heartbeat: { type: "object", properties: { "nanosecond heartbeat": { type: "integer" } } },
      Ready: { type: "object", properties: { ready: { type: "boolean" }, prewarm: { enum: ["none", "running", "done", "failing"] } } },
      CreateTenant: { type: "object", required: ["name"], properties: { name: str } },
      CreateDatabase: { type: "object", required: ["name"], properties: { name: str } },
      Collection: { type: "object", properties: { id: str, name: str, metadata: meta, dimension: { type: ["integer", "null"] }, tenant: str, database: str } },
      CollectionStatus: { type: "object", properties: { id: str, name: str, count: { type: "integer" }, pending: { type: "integer" }, artifact_version: { type: ["string", "null"] }, artifact_sha256: { type: ["string", "null"] } } },
      CreateCollection: { type: "object", required: ["name"], properties: { name: str, metadata: meta, get_or_create: { type: "boolean" } } },
      UpdateCollection: { type: "object", properties: { new_name: str, new_metadata: meta } },
      AddEmbedding: { type: "object", required: ["ids"], properties: { ids, embeddings: { type: ["array", "null"], items: { type: "array", items: { type: "number" } } }, documents: { type: ["array", "null"], items: { type: ["string", "null"] } }, metadatas: { type: ["array", "null"], items: meta }, uris: { type: ["array", "null"] } } },
      DeleteEmbedding: { type: "object", properties: { ids, where: { type: "object" }, where_document: { type: "object" } } },
      GetEmbedding: { type: "object", properties: { ids, where: { type: "object" }, where_document: { type: "object" }, limit: { type: "integer" }, offset: { type: "integer" }, include: { type: "array", items: str } } },
      QueryEmbedding: { type: "object", properties: { query_embeddings: { type: "array", items: { type: "array", items: { type: "number" } } }, query_texts: { type: "array", items: str, description: "omvec: embedded on the server with the collection's embedder (metadata omvec:embedder)" }, n_results: { type: "integer" }, where: { type: "object" }, where_document: { type: "object" }, include: { type: "array", items: str } } },
      GetResult: { type: "object", properties: { ids, documents: { type: ["array", "null"] }, metadatas: { type: ["array", "null"] }, embeddings: { type: ["array", "null"] }, include: { type: "array" } } },
      QueryResult: { type: "object", properties: { ids: { type: "array", items: ids }, distances: { type: ["array", "null"] }, documents: { type: ["array", "null"] }, metadatas: { type: ["array", "null"] }, embeddings: { type: ["array", "null"] }, include: { type: "array" } } },
    },
  },
};
const out = JSON.stringify(doc) + "\n";
if (process.argv.includes("--check")) { // exit 1 when the checked-in file is stale
  const same = fs.existsSync(OUT) && fs.readFileSync(OUT, "utf8") === out;
  if (!same) console.error(`${OUT} is stale: run node scripts/gen_openapi.mjs`);
  process.exit(same ? 0 : 1);
}
fs.writeFileSync(OUT, out);
console.log(`${OUT}: ${Object.values(paths).reduce((n, m) => n + Object.keys(m).length, 0)} operations, ${fs.statSync(OUT).size} bytes`);
