// One durable home per vector (issue 13), through the server and the CLI:
// after an index save the store drops the saved rows' vector blobs and the
// vector file DIR/index/<id>.vec is their only copy. Checked here:
//   - get, query and a restart serve every vector bit for bit from it;
//   - pack (pull into a new directory) and export-chroma (import-chroma
//     back) carry every vector exactly;
//   - kill -9 at each step of a save (the test hook OMVEC_TEST_CRASH: after
//     the store is told of the new files, after their renames, after the
//     commit that drops the blobs) loses no acknowledged write;
//   - a damaged or missing vector file is refused at start naming it; a
//     damaged graph file is rebuilt from the vectors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createServer, makeTempDir } from "./lib/server.mjs";
import { raw, paths, rng } from "./lib/api.mjs";
import { omvec } from "./lib/artifacts.mjs";

const srv = createServer({ tag: "omvec-83" });
const work = makeTempDir("omvec-83-work");
before(async () => { await srv.start(); });
after(async () => {
  await srv.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

const P = paths.v2;
const NAME = "vector_home";
const DIM = 16;
const rand = rng(8383);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stored = new Map(); // id -> float32 vector
let collId;
let nextBatch = 0;

function batch(n = 1000) {
  const b = nextBatch++;
  const ids = Array.from({ length: n }, (_, i) => `v${b}_${i}`);
  const embeddings = ids.map(() => Array.from({ length: DIM }, () => Math.fround(rand() * 2 - 1)));
  return { ids, embeddings, documents: ids.map((id) => `doc ${id}`) };
}
async function add(s, body) {
  const r = await raw(s, "POST", P.op(collId, "add"), body);
  assert.equal(r.status, 201, r.text);
  body.ids.forEach((id, i) => stored.set(id, body.embeddings[i]));
}
async function waitLog(s, re, ms = 30000) {
  for (let t = 0; t < ms; t += 50) {
    if (re.test(s.logTail(400))) return;
    await sleep(50);
  }
  assert.fail(`no log line ${re} within ${ms} ms:\n${s.logTail(40)}`);
}
/** Every stored vector served bit for bit by server s (collection by name). */
async function checkVectors(s) {
  const c = await raw(s, "GET", P.collection(NAME));
  assert.equal(c.status, 200, c.text);
  const r = await raw(s, "POST", P.op(c.json.id, "get"), { include: ["embeddings"] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ids.length, stored.size);
  let bad = 0;
  r.json.ids.forEach((id, i) => {
    const want = stored.get(id);
    const got = r.json.embeddings[i];
    if (!want || got.length !== DIM || got.some((x, k) => Math.fround(x) !== want[k])) bad++;
  });
  assert.equal(bad, 0, `${bad} vectors differ`);
  // and the graph finds them: a few records are their own nearest neighbour
  const some = [...stored.keys()].slice(0, 20);
  const q = await raw(s, "POST", P.op(c.json.id, "query"), { query_embeddings: some.map((id) => stored.get(id)), n_results: 1, include: [] });
  assert.equal(q.status, 200, q.text);
  q.json.ids.forEach((ids, i) => assert.equal(ids[0], some[i]));
}
const vecFile = () => path.join(srv.dir, "index", `${collId}.vec`);
const graphFile = () => path.join(srv.dir, "index", `${collId}.hnsw`);
function flipByte(file, at) {
  const fd = fs.openSync(file, "r+");
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  b[0] ^= 0x5a;
  fs.writeSync(fd, b, 0, 1, at);
  fs.closeSync(fd);
}
async function refused(dir) {
  const r = await omvec("run", "--port", "0", "--path", dir);
  assert.notEqual(r.code, 0, `started:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

test("after a save the vector file is the vectors' only home: get, query and a restart serve them bit for bit", async () => {
  const r = await raw(srv, "POST", P.collections(), { name: NAME, metadata: { "hnsw:space": "cosine" } });
  assert.equal(r.status, 200, r.text);
  collId = r.json.id;
  for (let b = 0; b < 3; b++) await add(srv, batch());
  await waitLog(srv, /saved at watermark \d+; 3000 more vectors kept only in its vector file/);
  assert.ok(fs.existsSync(vecFile()));
  await checkVectors(srv);
  await srv.restart();
  assert.match(srv.logTail(200), /index file current/);
  await checkVectors(srv);
});

/** id -> embedding of collection NAME served from dir (a server started there). */
async function served(dir) {
  const s = createServer({ dir });
  await s.start();
  try {
    const c = await raw(s, "GET", P.collection(NAME));
    const r = await raw(s, "POST", P.op(c.json.id, "get"), { include: ["embeddings"] });
    assert.equal(r.status, 200, r.text);
    return new Map(r.json.ids.map((id, i) => [id, r.json.embeddings[i]]));
  } finally { await s.dispose(); }
}

test("pack and export-chroma carry every vector of a store that keeps them in the vector file", async () => {
  const art = path.join(work, "a.tar.gz");
  let r = await omvec("pack", NAME, "--path", srv.dir, "-o", art, "--version", "1");
  assert.equal(r.code, 0, r.stderr);
  const pulled = path.join(work, "pulled");
  r = await omvec("pull", art, "--path", pulled);
  assert.equal(r.code, 0, r.stderr);
  // export-chroma of the store without blobs and of the pulled one (every
  // row with its blob, no server started there yet): the same vectors
  // (Chroma's cosine segment holds them normalised, so compare the two)
  await srv.stop();
  const imported = [];
  for (const [tag, dir] of [["home", srv.dir], ["blobs", pulled]]) {
    const out = path.join(work, `chroma-${tag}`), dest = path.join(work, `imported-${tag}`);
    r = await omvec("export-chroma", NAME, "--path", dir, "-o", out);
    assert.equal(r.code, 0, r.stderr);
    r = await omvec("import-chroma", out, "--path", dest);
    assert.equal(r.code, 0, r.stderr);
    imported.push(dest);
  }
  await srv.start();
  const s = createServer({ dir: pulled });
  await s.start();
  try { await checkVectors(s); } finally { await s.dispose(); }
  const [a, b] = [await served(imported[0]), await served(imported[1])];
  assert.equal(a.size, stored.size);
  assert.deepEqual(a, b);
});

for (const point of ["vec-prepared", "vec-saved", "vec-committed"]) {
  test(`kill -9 in a save (${point}) loses no acknowledged write`, async () => {
    await srv.stop();
    const cs = createServer({ dir: srv.dir, env: { OMVEC_TEST_CRASH: point } });
    await cs.start();
    await add(cs, batch(500));
    const how = await Promise.race([cs.exited, sleep(60000).then(() => null)]);
    cs.proc = null; // it killed itself in the background save
    assert.ok(how, `the server did not reach ${point} within 60 s:\n${cs.logTail(40)}`);
    assert.equal(how.signal, "SIGKILL", cs.logTail(40));
    await srv.start();
    await checkVectors(srv);
  });
}

test("a damaged or missing vector file is refused naming it; a damaged graph file is rebuilt from the vectors", async () => {
  await srv.stop();
  const keep = fs.readFileSync(vecFile());
  flipByte(vecFile(), Math.floor(keep.length / 2));
  let out = await refused(srv.dir);
  assert.ok(out.includes(vecFile()), out);
  assert.match(out, /checksum mismatch/);
  fs.rmSync(vecFile());
  out = await refused(srv.dir);
  assert.ok(out.includes(vecFile()), out);
  fs.writeFileSync(vecFile(), keep);
  flipByte(graphFile(), Math.floor(fs.statSync(graphFile()).size / 2));
  await srv.start();
  assert.match(srv.logTail(200), /index file rejected \(.*checksum mismatch\)/);
  await checkVectors(srv);
});
