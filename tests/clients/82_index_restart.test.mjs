// The HNSW index across restarts, through the API (issue 3): a collection
// big enough to be searched through the graph (over 2,048 records), its
// index file written in the background, then
//   - a clean restart serves the same answers (the file is used as is);
//   - kill -9 right after an acknowledged batch: the restart re-inserts
//     what the file lacks, nothing is lost, the new records are found;
//   - a corrupt, then a truncated index file: rejected with a warning in the
//     log, rebuilt from the store, same data served.
// Answers are checked against exact search computed here (recall@10).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createServer } from "./lib/server.mjs";
import { raw, paths, rng } from "./lib/api.mjs";

const srv = createServer({ tag: "omvec-82" });
before(async () => { await srv.start(); });
after(async () => { await srv.dispose(); });

const P = paths.v2;
const DIM = 16;
const PER = 1000;
const rand = rng(8282);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// clustered unit-ish vectors, float32
const centres = Array.from({ length: 20 }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));
function vec() {
  const c = centres[Math.floor(rand() * centres.length)];
  return c.map((x) => Math.fround(x + (rand() - 0.5) * 0.5));
}
const stored = new Map(); // id -> vector
function batch(b) {
  const ids = Array.from({ length: PER }, (_, i) => `k${b}_${i}`);
  const embeddings = ids.map(() => vec());
  ids.forEach((id, i) => stored.set(id, embeddings[i]));
  return { ids, embeddings, metadatas: ids.map((_, i) => ({ b, odd: i % 2 === 1 })) };
}
const cosd = (a, b) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return 1 - d / Math.sqrt(na * nb);
};
const queries = Array.from({ length: 25 }, () => vec());

let collId;
async function query(qs) {
  const r = await raw(srv, "POST", P.op(collId, "query"), { query_embeddings: qs, n_results: 10, include: ["distances"] });
  assert.equal(r.status, 200, r.text);
  return r.json;
}
async function recall() {
  const res = await query(queries);
  let hit = 0;
  queries.forEach((q, i) => {
    const truth = [...stored.entries()].map(([id, v]) => [id, cosd(q, v)]).sort((x, y) => x[1] - y[1]).slice(0, 10).map((x) => x[0]);
    for (const id of res.ids[i]) {
      assert.ok(stored.has(id), `result ${id} is not a stored record`);
      if (truth.includes(id)) hit++;
    }
  });
  return hit / (queries.length * 10);
}
async function count() {
  const r = await raw(srv, "GET", P.op(collId, "count"));
  assert.equal(r.status, 200, r.text);
  return r.json;
}
const indexFile = () => path.join(srv.dir, "index", `${collId}.hnsw`);
async function waitForIndexFile(newerThan = 0) {
  for (let i = 0; i < 200; i++) {
    if (fs.existsSync(indexFile()) && fs.statSync(indexFile()).mtimeMs > newerThan) return;
    await sleep(50);
  }
  assert.fail("the index file was not written within 10 s");
}

test("clean restart serves identical answers from the index file", async () => {
  const r = await raw(srv, "POST", P.collections(), { name: "index_restart", metadata: { "hnsw:space": "cosine" } });
  assert.equal(r.status, 200, r.text);
  collId = r.json.id;
  for (let b = 0; b < 4; b++) {
    const a = await raw(srv, "POST", P.op(collId, "add"), batch(b));
    assert.equal(a.status, 201, a.text);
  }
  await waitForIndexFile();
  const before = await query(queries);
  assert.ok(await recall() >= 0.95);
  await srv.restart();
  assert.equal(await count(), 4 * PER);
  assert.deepEqual(await query(queries), before);
  assert.match(srv.logTail(200), /index file current/);
});

test("kill -9 right after an acknowledged batch: nothing lost, new records found", async () => {
  const mtime = fs.statSync(indexFile()).mtimeMs;
  const b4 = batch(4);
  const a = await raw(srv, "POST", P.op(collId, "add"), b4);
  assert.equal(a.status, 201, a.text);
  await srv.kill9(); // normally before the background save (it waits for a quiet second)
  const stale = fs.statSync(indexFile()).mtimeMs === mtime;
  await srv.start();
  assert.equal(await count(), 5 * PER);
  assert.ok(await recall() >= 0.95);
  const own = await query(b4.embeddings.slice(0, 20));
  own.ids.forEach((ids, i) => assert.equal(ids[0], b4.ids[i], "a re-inserted record is its own nearest neighbour"));
  // a very slow machine may have saved the file before the kill; then it is current
  // the server serves the saved graph at once and leaves the tail to the
  // background indexer (issue 10 item 8)
  if (stale) assert.match(srv.logTail(200), /1000 vectors left to the background indexer since the index file/);
});

test("a corrupt or truncated index file is rejected and rebuilt", async () => {
  await srv.stop();
  const size = fs.statSync(indexFile()).size;
  const fd = fs.openSync(indexFile(), "r+");
  fs.writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, Math.floor(size / 2));
  fs.closeSync(fd);
  await srv.start();
  assert.match(srv.logTail(200), /index file rejected \(.*checksum mismatch\)/);
  assert.equal(await count(), 5 * PER);
  assert.ok(await recall() >= 0.95);
  await srv.stop();
  fs.truncateSync(indexFile(), 1000);
  await srv.start();
  assert.match(srv.logTail(200), /index file rejected \(.*file size does not match/);
  assert.equal(await count(), 5 * PER);
  assert.ok(await recall() >= 0.95);
  // a filtered query over the rebuilt graph (2,500 candidates) stays correct
  const f = await raw(srv, "POST", P.op(collId, "query"), { query_embeddings: queries.slice(0, 3), n_results: 10, where: { odd: true }, include: ["metadatas"] });
  assert.equal(f.status, 200, f.text);
  for (const ms of f.json.metadatas) {
    assert.equal(ms.length, 10);
    for (const m of ms) assert.equal(m.odd, true);
  }
});
