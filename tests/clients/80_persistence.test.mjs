// Durability: kill -9 with a write in flight, restart on the same directory;
// acknowledged writes survive completely, the in-flight one is all-or-nothing,
// and a clean restart changes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "./lib/server.mjs";
import { raw, paths, rng, randomVectors, v1Client, v3Client } from "./lib/api.mjs";

const srv = createServer({ tag: "omvec-80" });
before(async () => { await srv.start(); });
after(async () => { await srv.dispose(); });

const P = paths.v2;
const BATCHES = 20;
const PER = 100;
const DIM = 8;
const rand = rng(8080);
const VECS = Array.from({ length: BATCHES }, () => randomVectors(PER, DIM, rand));
const batch = (b) => ({
  ids: Array.from({ length: PER }, (_, i) => `b${String(b).padStart(2, "0")}_${String(i).padStart(3, "0")}`),
  embeddings: VECS[b],
  documents: Array.from({ length: PER }, (_, i) => `batch ${b} record ${i}`),
  metadatas: Array.from({ length: PER }, (_, i) => ({ batch: b, i, half: i < 50, w: i + 0.25 })),
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let collId;
const NAME = "persist_main";

async function count() {
  const r = await raw(srv, "GET", P.op(collId, "count"));
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** How many records of batch b are stored, checking the stored content of each. */
async function presentOf(b) {
  const exp = batch(b);
  const r = await raw(srv, "POST", P.op(collId, "get"), { ids: exp.ids, include: ["embeddings", "documents", "metadatas"] });
  assert.equal(r.status, 200, r.text);
  const byId = new Map(r.json.ids.map((id, j) => [id, j]));
  for (const [k, id] of exp.ids.entries()) {
    if (!byId.has(id)) continue;
    const j = byId.get(id);
    assert.equal(r.json.documents[j], exp.documents[k], `document of ${id}`);
    assert.deepEqual(r.json.metadatas[j], exp.metadatas[k], `metadata of ${id}`);
    r.json.embeddings[j].forEach((x, t) => assert.ok(Math.abs(x - exp.embeddings[k][t]) < 1e-6, `embedding of ${id}`));
  }
  return r.json.ids.length;
}

async function snapshot() {
  const all = await raw(srv, "POST", P.op(collId, "get"), { include: ["embeddings", "documents", "metadatas"] });
  const q = await raw(srv, "POST", P.op(collId, "query"), { query_embeddings: VECS[3].slice(0, 3), n_results: 7, include: ["distances", "documents"] });
  const f = await raw(srv, "POST", P.op(collId, "get"), { where: { $and: [{ half: true }, { batch: { $gte: 15 } }] }, where_document: { $contains: "record 4" }, include: [] });
  const cols = await raw(srv, "GET", P.collections());
  const cnt = await raw(srv, "GET", P.op(collId, "count"));
  for (const r of [all, q, f, cols, cnt]) assert.equal(r.status, 200, r.text);
  return { all: all.json, query: q.json, filtered: f.json, collections: cols.json, count: cnt.json };
}

test("kill -9 with the 11th batch in flight; restart on the same directory", async () => {
  const r = await raw(srv, "POST", P.collections(), { name: NAME, metadata: { purpose: "persistence" } });
  assert.equal(r.status, 200, r.text);
  collId = r.json.id;

  const acked = [];
  for (let b = 0; b < 10; b++) {
    const a = await raw(srv, "POST", P.op(collId, "add"), batch(b));
    assert.equal(a.status, 201, `batch ${b}: ${a.text}`);
    acked.push(b);
  }
  // 11th request in flight, then kill -9.
  const inflight = raw(srv, "POST", P.op(collId, "add"), batch(10)).then((x) => x, (e) => e);
  await sleep(2);
  await srv.kill9();
  const res = await inflight;
  const inflightAcked = res && res.status === 201;

  await srv.start();
  for (const b of acked) assert.equal(await presentOf(b), PER, `acknowledged batch ${b} must be complete after kill -9`);
  const n10 = await presentOf(10);
  assert.ok(n10 === 0 || n10 === PER, `in-flight batch must be all-or-nothing, found ${n10} of ${PER}`);
  if (inflightAcked) assert.equal(n10, PER, "the 11th batch was acknowledged (201) before the kill, so it must be there");
  assert.equal(await count(), PER * acked.length + n10);
  // collection itself intact
  const g = await raw(srv, "GET", P.collection(NAME));
  assert.equal(g.status, 200);
  assert.equal(g.json.id, collId);
  assert.deepEqual(g.json.metadata, { purpose: "persistence" });
  assert.equal(g.json.dimension, DIM);

  // finish the 20 batches (re-adding batch 10 is harmless: existing ids are ignored)
  for (let b = 10; b < BATCHES; b++) {
    const a = await raw(srv, "POST", P.op(collId, "add"), batch(b));
    assert.equal(a.status, 201, `batch ${b}: ${a.text}`);
  }
  assert.equal(await count(), PER * BATCHES);
  for (let b = 0; b < BATCHES; b++) assert.equal(await presentOf(b), PER, `batch ${b}`);
});

test("repeated kill -9 at random moments during writes: each write is all-or-nothing, acknowledged ones survive", async (t) => {
  const outcomes = [];
  const r = await raw(srv, "POST", P.collections(), { name: "persist_rounds" });
  assert.equal(r.status, 200, r.text);
  const id = r.json.id;
  const rr = rng(99);
  let expected = 0;
  for (let round = 0; round < 8; round++) {
    const n = round % 2 ? 1000 : 100;
    const ids = Array.from({ length: n }, (_, i) => `r${round}_${i}`);
    const body = { ids, embeddings: randomVectors(n, DIM, rr), documents: ids.map((x) => `doc ${x}`), metadatas: ids.map((_, i) => ({ round, i })) };
    const inflight = raw(srv, "POST", P.op(id, "add"), body).then((x) => x, (e) => e);
    await sleep(Math.floor(rr() * 12));
    await srv.kill9();
    const res = await inflight;
    await srv.start();
    const g = await raw(srv, "POST", P.op(id, "get"), { where: { round }, include: ["metadatas", "documents"] });
    assert.equal(g.status, 200, g.text);
    const got = g.json.ids.length;
    assert.ok(got === 0 || got === n, `round ${round}: ${got} of ${n} records after kill -9 (must be all or nothing)`);
    if (res && res.status === 201) assert.equal(got, n, `round ${round}: acknowledged (201) but only ${got} of ${n} records survived`);
    if (got === n) {
      g.json.ids.forEach((x, j) => {
        assert.equal(g.json.documents[j], `doc ${x}`);
        assert.equal(g.json.metadatas[j].round, round);
      });
    }
    expected += got;
    outcomes.push(`${n}:${res && res.status === 201 ? "acked" : "unacked"}/${got === 0 ? "absent" : "present"}`);
    const c = await raw(srv, "GET", P.op(id, "count"));
    assert.equal(c.json, expected, `round ${round}: count`);
  }
  t.diagnostic(`round outcomes (batch size:ack/stored): ${outcomes.join(" ")}`);
  // the main collection was not disturbed by any of this
  assert.equal(await count(), PER * BATCHES);
});

test("a second kill -9 right after acknowledged writes of every kind loses nothing", async () => {
  // update, upsert, delete, collection modify: all acknowledged, then kill -9
  let r = await raw(srv, "POST", P.op(collId, "update"), { ids: ["b00_000", "b00_001"], metadatas: [{ touched: true }, { i: null }], documents: ["updated 0", "updated 1"] });
  assert.equal(r.status, 200, r.text);
  r = await raw(srv, "POST", P.op(collId, "upsert"), { ids: ["b01_000", "extra_1"], embeddings: [VECS[0][5], VECS[0][6]], documents: ["ups 0", "extra"] });
  assert.equal(r.status, 200, r.text);
  r = await raw(srv, "POST", P.op(collId, "delete"), { where: { batch: 19 } });
  assert.equal(r.status, 200, r.text);
  r = await raw(srv, "POST", P.op(collId, "delete"), { ids: ["b18_000", "b18_001"] });
  assert.equal(r.status, 200, r.text);
  r = await raw(srv, "PUT", P.collection(collId), { new_metadata: { purpose: "persistence", rev: 2 } });
  assert.equal(r.status, 200, r.text);
  const other = await raw(srv, "POST", P.collections(), { name: "persist_other", metadata: { "hnsw:space": "cosine" } });
  assert.equal(other.status, 200);
  r = await raw(srv, "POST", P.op(other.json.id, "add"), { ids: ["o1"], embeddings: [[1, 0]] });
  assert.equal(r.status, 201);
  const gone = await raw(srv, "POST", P.collections(), { name: "persist_gone" });
  r = await raw(srv, "DELETE", P.collection("persist_gone"));
  assert.equal(r.status, 200);

  const before = await snapshot();
  assert.equal(before.count, PER * BATCHES + 1 - PER - 2);
  await srv.kill9();
  await srv.start();
  const afterKill = await snapshot();
  assert.deepEqual(afterKill, before);

  r = await raw(srv, "POST", P.op(collId, "get"), { ids: ["b00_000", "b00_001"], include: ["metadatas", "documents"] });
  assert.deepEqual(r.json.documents, ["updated 0", "updated 1"]);
  assert.deepEqual(r.json.metadatas[0], { batch: 0, i: 0, half: true, w: 0.25, touched: true });
  assert.deepEqual(r.json.metadatas[1], { batch: 0, half: true, w: 1.25 });
  r = await raw(srv, "GET", P.collection("persist_other"));
  assert.equal(r.status, 200);
  const q = await raw(srv, "POST", P.op(other.json.id, "query"), { query_embeddings: [[2, 0]], n_results: 1, include: ["distances"] });
  assert.ok(Math.abs(q.json.distances[0][0]) < 1e-6, "cosine space must survive a restart");
  r = await raw(srv, "GET", P.collection("persist_gone"));
  assert.equal(r.status, 400, "deleted collection must stay deleted");
  assert.ok(gone.json.id);
});

test("clean restart (SIGTERM): counts, get and query results identical; clients see the same data", async () => {
  const before = await snapshot();
  const stopped = await srv.stop();
  assert.ok(stopped.code === 0 || stopped.signal === "SIGTERM", `server exit on SIGTERM: ${JSON.stringify(stopped)}`);
  await srv.start();
  const after1 = await snapshot();
  assert.deepEqual(after1, before);
  // and once more, to catch state that only survives one restart
  await srv.restart();
  assert.deepEqual(await snapshot(), before);

  const c1 = v1Client(srv);
  const col1 = await c1.getCollection({ name: NAME, embeddingFunction: { generate: async () => [] } });
  assert.equal(await col1.count(), before.count);
  const col3 = await v3Client(srv).getCollection({ name: NAME });
  assert.equal(await col3.count(), before.count);
  const g = await col3.get({ limit: 5, offset: 100 });
  assert.deepEqual(g.ids, before.all.ids.slice(100, 105));
});
