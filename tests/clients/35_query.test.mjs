// Query results against brute force computed here, for l2 / ip / cosine,
// with and without where / where_document filters, through both clients.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { useServer } from "./lib/server.mjs";
import { raw, paths, v1Client, v3Client, noEmbed, collName, rng, randomVectors, addV3 } from "./lib/api.mjs";

const srv = useServer({ tag: "omvec-35" });

const N = 200;
const DIM = 16;
const TOL = 1e-4;
const WORDS = ["alpha", "beta", "gamma", "delta"];

const rand = rng(4242);
const VECS = randomVectors(N, DIM, rand);
const IDS = VECS.map((_, i) => `id${String(i).padStart(3, "0")}`);
const METAS = VECS.map((_, i) => ({ cat: i % 5, even: i % 2 === 0, score: Math.round(rand() * 1000) / 1024 }));
// every 7th record has no document
const DOCS = VECS.map((_, i) => (i % 7 === 0 ? null : `doc ${i} ${WORDS[i % 4]}${i % 3 === 0 ? " Beta" : ""}`));
const QUERIES = randomVectors(4, DIM, rand);

const DIST = {
  l2: (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0),
  ip: (a, b) => 1 - a.reduce((s, x, i) => s + x * b[i], 0),
  cosine: (a, b) => {
    let d = 0, na = 0, nb = 0;
    for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
    return 1 - d / (Math.sqrt(na) * Math.sqrt(nb));
  },
};

// Minimal where / where_document evaluators for the filters used below.
function matchWhere(meta, w) {
  if (!w) return true;
  const [k, v] = Object.entries(w)[0];
  if (k === "$and") return v.every((x) => matchWhere(meta, x));
  if (k === "$or") return v.some((x) => matchWhere(meta, x));
  const has = meta && Object.prototype.hasOwnProperty.call(meta, k);
  const val = has ? meta[k] : undefined;
  const [op, arg] = typeof v === "object" ? Object.entries(v)[0] : ["$eq", v];
  switch (op) {
    case "$eq": return has && val === arg;
    case "$ne": return !has || val !== arg;
    case "$gt": return has && typeof val === "number" && val > arg;
    case "$gte": return has && typeof val === "number" && val >= arg;
    case "$lt": return has && typeof val === "number" && val < arg;
    case "$lte": return has && typeof val === "number" && val <= arg;
    case "$in": return has && arg.includes(val);
    case "$nin": return !has || !arg.includes(val);
    default: throw new Error(`op ${op}`);
  }
}
function matchDoc(doc, w) {
  if (!w) return true;
  const [k, v] = Object.entries(w)[0];
  if (k === "$and") return v.every((x) => matchDoc(doc, x));
  if (k === "$or") return v.some((x) => matchDoc(doc, x));
  if (k === "$contains") return doc !== null && doc.includes(v);
  if (k === "$not_contains") return doc === null || !doc.includes(v);
  throw new Error(`op ${k}`);
}

function bruteForce(space, q, k, where, whereDocument) {
  const cands = [];
  for (let i = 0; i < N; i++) {
    if (!matchWhere(METAS[i], where) || !matchDoc(DOCS[i], whereDocument)) continue;
    cands.push({ id: IDS[i], d: DIST[space](q, VECS[i]) });
  }
  cands.sort((a, b) => a.d - b.d);
  return cands.slice(0, k);
}

const distById = (space, q) => {
  const m = new Map();
  IDS.forEach((id, i) => m.set(id, DIST[space](q, VECS[i])));
  return m;
};

/** ids must match exactly, except that two results whose true distances differ by < 1e-5 may swap. */
function checkResult(space, q, gotIds, gotDists, expected, label) {
  assert.equal(gotIds.length, expected.length, `${label}: got ${gotIds.length} results, expected ${expected.length}`);
  const truth = distById(space, q);
  for (let i = 0; i < expected.length; i++) {
    if (gotIds[i] !== expected[i].id) {
      const dGot = truth.get(gotIds[i]);
      assert.ok(dGot !== undefined && Math.abs(dGot - expected[i].d) < 1e-5,
        `${label}: rank ${i}: got ${gotIds[i]} (d=${dGot}), expected ${expected[i].id} (d=${expected[i].d})`);
    }
    const tol = TOL * Math.max(1, Math.abs(expected[i].d));
    assert.ok(Math.abs(gotDists[i] - expected[i].d) <= tol,
      `${label}: rank ${i}: distance ${gotDists[i]} vs brute force ${expected[i].d}`);
  }
  assert.equal(new Set(gotIds).size, gotIds.length, `${label}: duplicate ids in result`);
  for (let i = 1; i < gotDists.length; i++) assert.ok(gotDists[i] >= gotDists[i - 1] - 1e-6, `${label}: not sorted`);
}

const FILTERS = [
  { name: "no filter" },
  { name: "where $in", where: { cat: { $in: [1, 3] } } },
  { name: "where bool + $gt", where: { $and: [{ even: true }, { score: { $gt: 0.3 } }] } },
  { name: "where $or/$ne", where: { $or: [{ cat: 0 }, { cat: { $ne: 2 } }] } },
  { name: "where_document $contains", whereDocument: { $contains: "beta" } },
  { name: "where_document $not_contains", whereDocument: { $not_contains: "a" } },
  { name: "where + where_document", where: { cat: { $nin: [0, 4] } }, whereDocument: { $or: [{ $contains: "Beta" }, { $contains: "gamma" }] } },
];

for (const space of ["l2", "ip", "cosine"]) {
  describe(`space ${space}`, () => {
    // Each client's collection is set up lazily, so a failure in one client
    // does not cancel the other client's tests.
    const slices = [[0, 100], [100, N]].map(([lo, hi]) => ({ ids: IDS.slice(lo, hi), embeddings: VECS.slice(lo, hi), metadatas: METAS.slice(lo, hi), documents: DOCS.slice(lo, hi) }));
    let p1, p3;
    const col1 = () => (p1 ??= (async () => {
      const c = await v1Client(srv).createCollection({ name: collName(`q1_${space}`), metadata: { "hnsw:space": space }, embeddingFunction: noEmbed });
      // two batches of 100 (crosses 0.5.23's brute-force/hnsw boundary of batch_size=100)
      for (const sl of slices) {
        const r = await c.add(sl);
        assert.equal(r, true, JSON.stringify(r));
      }
      return c;
    })());
    const col3 = () => (p3 ??= (async () => {
      const c = await v3Client(srv).createCollection({ name: collName(`q3_${space}`), configuration: { hnsw: { space } }, embeddingFunction: null });
      for (const sl of slices) await addV3(c, sl);
      return c;
    })());
    let rawId;
    before(async () => {
      const r = await raw(srv, "POST", paths.v2.collections(), { name: collName(`qr_${space}`), metadata: { "hnsw:space": space } });
      assert.equal(r.status, 200, r.text);
      rawId = r.json.id;
      const a = await raw(srv, "POST", paths.v2.op(rawId, "add"), { ids: IDS, embeddings: VECS, metadatas: METAS, documents: DOCS });
      assert.equal(a.status, 201, a.text);
    });

    for (const [who, getCol] of [["js1.8.1", col1], ["js3", col3]]) {
      for (const f of FILTERS) {
        test(`${who} ${f.name}: n_results 1 / 5 / all / more than all (4 queries per request)`, async () => {
          const col = await getCol();
          const matching = bruteForce(space, QUERIES[0], N, f.where, f.whereDocument).length;
          for (const k of [1, 5, matching, N + 50]) {
            const exp = QUERIES.map((q) => bruteForce(space, q, k, f.where, f.whereDocument));
            const r = await col.query({ queryEmbeddings: QUERIES, nResults: k, where: f.where, whereDocument: f.whereDocument, include: ["distances", "metadatas", "documents"] });
            assert.ok(!r.error, `client error: ${r.error}`);
            assert.equal(r.ids.length, QUERIES.length);
            QUERIES.forEach((q, qi) => {
              const label = `${who} ${space} ${f.name} k=${k} q${qi}`;
              checkResult(space, q, r.ids[qi], r.distances[qi], exp[qi], label);
              // metadatas/documents aligned with ids
              r.ids[qi].forEach((id, j) => {
                const ix = IDS.indexOf(id);
                assert.deepEqual(r.metadatas[qi][j], METAS[ix], `${label} metadata of ${id}`);
                assert.equal(r.documents[qi][j], DOCS[ix], `${label} document of ${id}`);
              });
            });
          }
        });
      }
    }

    test("raw query: include embeddings returns stored vectors; n_results 0 gives empty lists", async () => {
      const k = 3;
      const r = await raw(srv, "POST", paths.v2.op(rawId, "query"), { query_embeddings: [QUERIES[1]], n_results: k, include: ["embeddings", "distances"] });
      assert.equal(r.status, 200, r.text);
      const exp = bruteForce(space, QUERIES[1], k);
      checkResult(space, QUERIES[1], r.json.ids[0], r.json.distances[0], exp, `raw ${space}`);
      r.json.ids[0].forEach((id, j) => {
        const v = VECS[IDS.indexOf(id)];
        r.json.embeddings[0][j].forEach((x, t) => assert.ok(Math.abs(x - v[t]) < 1e-6, `embedding of ${id}`));
      });
      assert.equal(r.json.documents, null);
      assert.equal(r.json.metadatas, null);
      assert.deepEqual(r.json.included, ["embeddings", "distances"]);
      const z = await raw(srv, "POST", paths.v2.op(rawId, "query"), { query_embeddings: [QUERIES[0]], n_results: 0, include: ["distances", "documents"] });
      assert.equal(z.status, 200, z.text);
      assert.deepEqual(z.json.ids, [[]]);
      assert.deepEqual(z.json.distances, [[]]);
      // default n_results is 10, default include has distances, documents, metadatas
      const d = await raw(srv, "POST", paths.v1.op(rawId, "query"), { query_embeddings: [QUERIES[2]] });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.ids[0].length, 10);
      checkResult(space, QUERIES[2], d.json.ids[0], d.json.distances[0], bruteForce(space, QUERIES[2], 10), `raw default ${space}`);
      assert.ok(Array.isArray(d.json.documents[0]) && Array.isArray(d.json.metadatas[0]));
    });

    test("a filter that matches nothing gives empty inner lists", async () => {
      const r = await raw(srv, "POST", paths.v2.op(rawId, "query"), { query_embeddings: [QUERIES[0], QUERIES[1]], n_results: 5, where: { cat: 99 } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.ids, [[], []]);
      assert.deepEqual(r.json.distances, [[], []]);
    });
  });
}

test("documented distance values for [2,0,0] against [1,0,0], [1,1,0], [-1,0,0]", async () => {
  const expect = { l2: [1, 2, 9], cosine: [0, 0.2928932, 2], ip: [-1, -1, 3] };
  for (const space of Object.keys(expect)) {
    const r = await raw(srv, "POST", paths.v1.collections(), { name: collName(`doc_${space}`), metadata: { "hnsw:space": space } });
    const id = r.json.id;
    await raw(srv, "POST", paths.v1.op(id, "add"), { ids: ["x", "y", "z"], embeddings: [[1, 0, 0], [1, 1, 0], [-1, 0, 0]] });
    const q = await raw(srv, "POST", paths.v1.op(id, "query"), { query_embeddings: [[2, 0, 0]], n_results: 3, include: ["distances"] });
    assert.equal(q.status, 200, q.text);
    const got = new Map(q.json.ids[0].map((x, i) => [x, q.json.distances[0][i]]));
    ["x", "y", "z"].forEach((x, i) => assert.ok(Math.abs(got.get(x) - expect[space][i]) < 1e-6, `${space} ${x}: ${got.get(x)}`));
  }
});
