// The ontology pipeline end to end with the real binary: `omvec build` from a
// local HTTP server and from the real Cell Ontology file, held-out synonyms,
// a failed build leaving the old collection intact, server-side query_texts
// on the v1 and v2 routes (and a clear 400 without an embedder), the plain
// vector API still working on a built collection, and `omvec match` giving
// the same results against the directory and against the server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createServer, makeTempDir, serverBinary, sharedDir } from "./lib/server.mjs";
import { raw, paths } from "./lib/api.mjs";

const SMALL_OBO = `format-version: 1.2
ontology: cl

[Term]
id: CL:0000084
name: T cell
def: "A type of lymphocyte whose defining characteristic is the expression of a T cell receptor complex." [GO_REF:0000031]
synonym: "T lymphocyte" EXACT []
synonym: "T-cell" EXACT []
is_a: CL:0000542 ! lymphocyte

[Term]
id: CL:0000236
name: B cell
synonym: "B lymphocyte" EXACT []
synonym: "B-cell" EXACT []

[Term]
id: CL:0000540
name: neuron
def: "The basic cellular unit of nervous tissue." []
synonym: "nerve cell" EXACT []

[Term]
id: CL:0000999
name: obsolete thing
is_obsolete: true

[Term]
id: GO:0005623
name: not a cell type
`;

const dir = makeTempDir("omvec-70");
let httpServer;
let httpUrl;
const srv = createServer({ dir });

// Asynchronous, so the HTTP server in this process keeps answering meanwhile.
// opts: { cwd, env } (env replaces the inherited LOBSTER_VECTOR_CLOUD_* variables).
function omvec(args, opts = {}) {
  const env = { ...process.env };
  delete env.LOBSTER_VECTOR_CLOUD_URL;
  delete env.LOBSTER_VECTOR_CLOUD_TOKEN;
  Object.assign(env, opts.env || {});
  return new Promise((resolve) => {
    execFile(serverBinary(), args, { encoding: "utf8", timeout: 240000, cwd: opts.cwd, env }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}

before(async () => {
  httpServer = http.createServer((req, res) => {
    if (req.url === "/cl.obo") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(SMALL_OBO);
    } else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
  httpUrl = `http://127.0.0.1:${httpServer.address().port}`;
});

after(async () => {
  await srv.dispose().catch(() => {});
  httpServer.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("build from a URL writes the indexable terms only", async () => {
  const r = await omvec(["build", "--ontology", "cell_ontology", "--obo", `${httpUrl}/cl.obo`, "--path", dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /cell_ontology_v2024_01: 3 terms/);
});

test("a failed build (HTTP 404) says why and keeps the old collection", async () => {
  const r = await omvec(["build", "--ontology", "cell_type", "--obo", `${httpUrl}/missing.obo`, "--path", dir]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /404/);
  const bad = await omvec(["build", "--ontology", "nope", "--path", dir]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /cell_ontology \(cell_type\)/);
});

test("served: query_texts on v1 and v2, records as the backend expects", async () => {
  await srv.start();
  for (const P of [paths.v1, paths.v2]) {
    const c = await raw(srv, "GET", P.collection("cell_ontology_v2024_01"));
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.metadata["hnsw:space"], "cosine");
    assert.equal(c.json.metadata["omvec:embedder"], "lexical");
    const n = await raw(srv, "GET", P.op(c.json.id, "count"));
    assert.equal(n.json, 3);
    const q = await raw(srv, "POST", P.op(c.json.id, "query"), {
      query_texts: ["T lymphocyte", "nerve cells"], n_results: 2,
      include: ["documents", "metadatas", "distances"],
    });
    assert.equal(q.status, 200, q.text);
    assert.deepEqual(q.json.ids.map((r) => r[0]), ["CL:0000084", "CL:0000540"]);
    assert.equal(q.json.ids[0].length, 2);
    assert.ok(q.json.distances[0][0] < 1e-6, "an exact synonym is at distance 0");
    assert.ok(q.json.distances[0][0] <= q.json.distances[0][1]);
    assert.equal(q.json.documents[0][0], "T cell: A type of lymphocyte whose defining characteristic is the expression of a T cell receptor complex.");
    assert.deepEqual(q.json.metadatas[0][0], {
      is_obsolete: false, name: "T cell", namespace: "", synonyms: "T lymphocyte; T-cell", term_id: "CL:0000084",
      parents: "CL:0000542", // its is_a parent (docs/search-quality.md, "Parents")
    });
    // a filter takes the vector path and still works
    const f = await raw(srv, "POST", P.op(c.json.id, "query"), {
      query_texts: ["lymphocyte"], n_results: 5, where: { name: "B cell" },
    });
    assert.equal(f.status, 200, f.text);
    assert.deepEqual(f.json.ids, [["CL:0000236"]]);
  }
});

test("the plain vector API still answers on a built collection", async () => {
  const P = paths.v1;
  const c = (await raw(srv, "GET", P.collection("cell_ontology_v2024_01"))).json;
  const g = await raw(srv, "POST", P.op(c.id, "get"), { ids: ["CL:0000236"], include: ["embeddings"] });
  assert.equal(g.status, 200, g.text);
  const q = await raw(srv, "POST", P.op(c.id, "query"), { query_embeddings: g.json.embeddings, n_results: 1 });
  assert.equal(q.status, 200, q.text);
  assert.deepEqual(q.json.ids, [["CL:0000236"]]);
});

test("a record added to a built collection is found by the next text query", async () => {
  const P = paths.v2;
  const c = (await raw(srv, "GET", P.collection("cell_ontology_v2024_01"))).json;
  // warm the text index, then change the collection
  assert.equal((await raw(srv, "POST", P.op(c.id, "query"), { query_texts: ["zebra finch song neuron"], n_results: 1 })).status, 200);
  const g = await raw(srv, "POST", P.op(c.id, "get"), { ids: ["CL:0000540"], include: ["embeddings"] });
  const add = await raw(srv, "POST", P.op(c.id, "add"), {
    ids: ["CL:9999999"], embeddings: g.json.embeddings, documents: ["zebra finch song neuron"],
    metadatas: [{ term_id: "CL:9999999", name: "zebra finch song neuron", synonyms: "HVC neuron", namespace: "", is_obsolete: false }],
  });
  assert.equal(add.status, 201, add.text);
  const q = await raw(srv, "POST", P.op(c.id, "query"), { query_texts: ["HVC neuron"], n_results: 1 });
  assert.deepEqual(q.json.ids, [["CL:9999999"]]);
  await raw(srv, "POST", P.op(c.id, "delete"), { ids: ["CL:9999999"] });
  const q2 = await raw(srv, "POST", P.op(c.id, "query"), { query_texts: ["HVC neuron"], n_results: 1 });
  assert.notDeepEqual(q2.json.ids, [["CL:9999999"]]);
});

test("query_texts on a collection without an embedder is a clear 400", async () => {
  const P = paths.v2;
  const c = await raw(srv, "POST", P.collections(), { name: "plain_vectors" });
  assert.equal(c.status, 200, c.text);
  await raw(srv, "POST", P.op(c.json.id, "add"), { ids: ["a"], embeddings: [[1, 0, 0]] });
  const q = await raw(srv, "POST", P.op(c.json.id, "query"), { query_texts: ["hello"] });
  assert.equal(q.status, 400, q.text);
  assert.match(q.json.message, /embedding function/);
  const bad = await raw(srv, "POST", P.op(c.json.id, "query"), { query_texts: [3] });
  assert.equal(bad.status, 400);
});

test("the real Cell Ontology: 3,324 terms, held-out synonyms left out, match local = remote", async () => {
  const obo = path.join(sharedDir(), "data/ontologies/cl/cl-simple-2026-03-26.obo");
  const held = path.join(dir, "held.jsonl");
  fs.writeFileSync(held, JSON.stringify({ ontology: "cell_ontology", term_id: "CL:0000084", synonym: "T lymphocyte", scope: "EXACT" }) + "\n");
  await srv.stop(); // a running server serves what it loaded at start
  const b = await omvec(["build", "--ontology", "cell_ontology", "--obo", obo, "--exclude-synonyms", held, "--path", dir]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /3324 terms .*1 held-out synonyms removed/);
  await srv.start();
  const c = (await raw(srv, "GET", paths.v1.collection("cell_ontology_v2024_01"))).json;
  assert.equal((await raw(srv, "GET", paths.v1.op(c.id, "count"))).json, 3324);
  // the embedder parameters live in the store; the metadata holds a short reference
  assert.equal(c.metadata["omvec:embedder"], "lexical");
  assert.equal(c.metadata["omvec:embedder_version"], "lexical-1");
  assert.match(c.metadata["omvec:embedder_digest"], /^sha256:[0-9a-f]{64}$/);
  assert.ok(!("omvec:embedder_params" in c.metadata));
  assert.ok(JSON.stringify(c.metadata).length < 400, JSON.stringify(c.metadata));
  // ... and the server finds them: a filtered text query embeds with the lexical model
  const fq = await raw(srv, "POST", paths.v1.op(c.id, "query"),
    { query_texts: ["T cell"], n_results: 3, where: { namespace: "cell" } });
  assert.equal(fq.status, 200, fq.text);
  assert.equal(fq.json.ids[0].length, 3);
  const g = await raw(srv, "POST", paths.v1.op(c.id, "get"), { ids: ["CL:0000084"] });
  assert.ok(!g.json.metadatas[0].synonyms.split("; ").includes("T lymphocyte"));
  assert.ok(g.json.metadatas[0].synonyms.split("; ").includes("T-lymphocyte"));

  const queries = ["heart muscle cell", "Tregs", "neuron", "CD8+ T cell"];
  const remote = [];
  for (const t of queries) {
    const r = await omvec(["match", t, "--ontology", "cell_type", "-k", "5", "--json", "--url", srv.url]);
    assert.equal(r.status, 0, r.stderr);
    remote.push(r.stdout);
  }
  // neither --path nor --url: LOBSTER_VECTOR_CLOUD_URL picks the server (omvec_open_env)
  const empty = makeTempDir("omvec-70-cwd");
  const viaEnv = await omvec(["match", queries[0], "--ontology", "cell_type", "-k", "5", "--json"],
    { cwd: empty, env: { LOBSTER_VECTOR_CLOUD_URL: srv.url } });
  assert.equal(viaEnv.status, 0, viaEnv.stderr);
  assert.equal(viaEnv.stdout, remote[0]);
  await srv.stop();
  // ... and without it, ./omvec_data, whose absence is said in plain words
  const none = await omvec(["match", queries[0], "--ontology", "cell_type"], { cwd: empty });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no local data directory '\.\/omvec_data'/);
  assert.match(none.stderr, /omvec build --ontology cell_type/);
  assert.match(none.stderr, /LOBSTER_VECTOR_CLOUD_URL/);
  assert.doesNotMatch(none.stderr, /does not exist/);
  fs.rmSync(empty, { recursive: true, force: true });
  const local = [];
  for (const t of queries) {
    const r = await omvec(["match", t, "--ontology", "cell_ontology", "-k", "5", "--json", "--path", dir]);
    assert.equal(r.status, 0, r.stderr);
    local.push(r.stdout);
  }
  assert.deepEqual(local, remote);
  assert.match(local[0], /"score":[01]\.\d{4},/); // rounded to 4 decimals as printed
  const lines = local[0].trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 5);
  for (const l of lines) {
    assert.deepEqual(Object.keys(l), ["term", "ontology_id", "score", "metadata", "distance_metric"]);
    assert.equal(l.distance_metric, "cosine");
    assert.ok(l.score >= 0 && l.score <= 1 && Math.abs(l.score * 1e4 - Math.round(l.score * 1e4)) < 1e-6);
  }
  assert.ok(lines[0].score >= lines[4].score);
  assert.equal(lines[0].ontology_id, "CL:0000746", "heart muscle cell -> cardiac muscle cell");
});
