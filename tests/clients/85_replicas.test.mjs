// Scale-out (issue 6): three `omvec run` replicas prewarmed from the same
// artifact behind the real nginx with the deployment kit's configuration
// (TLS terminated by nginx). Queries spread across the replicas; a replica
// killed mid-load loses no request (nginx retries reads on the next one); a
// rolling restart to a new artifact version serves no mixed and no empty
// result.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createServer, freePort, makeTempDir } from "./lib/server.mjs";
import { raw, paths, rng, randomVectors } from "./lib/api.mjs";
import { omvec, waitReady, parseMetrics } from "./lib/artifacts.mjs";
import { Nginx, nginxBinary } from "./lib/nginx.mjs";

const P = paths.v2;
const NAME = "rep_coll";
const N = 2000;
const DIM = 32;
const K = 5;
const work = makeTempDir("omvec-85");
const A1 = path.join(work, "v1.tar.gz");
const A2 = path.join(work, "v2.tar.gz");
const skip = nginxBinary() ? false : "nginx is not installed (scripts/install-deps.sh installs nginx-light)";
const replicas = [];
let nginx;
let collId;
const QUERIES = randomVectors(64, DIM, rng(85));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  if (skip) return;
  // two artifact versions of the same collection: same vectors, documents
  // tagged "v1" / "v2"
  const src = createServer({ tag: "omvec-85-src" });
  await src.start();
  try {
    const c = await raw(src, "POST", P.collections(), { name: NAME, metadata: { "hnsw:space": "cosine" } });
    collId = c.json.id;
    const vecs = randomVectors(N, DIM, rng(1));
    const ids = vecs.map((_, i) => `T${String(i).padStart(5, "0")}`);
    const put = (v) => raw(src, "POST", P.op(collId, "upsert"), {
      ids, embeddings: vecs, documents: ids.map((id) => `${v} ${id}`), metadatas: ids.map(() => ({ version: v })),
    });
    assert.ok([200, 201].includes((await put("v1")).status));
    let r = await omvec("pack", NAME, "--path", src.dir, "-o", A1, "--version", "2024_01");
    assert.equal(r.code, 0, r.stderr);
    assert.ok([200, 201].includes((await put("v2")).status));
    r = await omvec("pack", NAME, "--path", src.dir, "-o", A2, "--version", "2024_02");
    assert.equal(r.code, 0, r.stderr);
  } finally { await src.dispose(); }
  // registered before they start, so after() stops every one whatever fails
  for (let i = 0; i < 3; i++) {
    replicas.push(createServer({ tag: `omvec-85-r${i}`, port: await freePort(), args: ["--prewarm", A1, "--log-level", process.env.REPLICA_LOG || "warn"] }));
  }
  await Promise.all(replicas.map((rep) => rep.start()));
  await Promise.all(replicas.map((rep) => waitReady(rep)));
  const ng = new Nginx(replicas.map((r) => `127.0.0.1:${r.port}`));
  nginx = ng;
  await ng.start();
}); // no hook timeout: each step waits on a condition (a loaded 2-core box is slow, not stuck)

after(async () => {
  if (nginx) await nginx.stop().catch(() => {});
  const errs = [];
  for (const r of replicas) await r.dispose().catch((e) => errs.push(e));
  if (!process.env.OMVEC_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  if (errs.length) throw errs[0];
});

const queryPath = () => P.op(collId, "query");
async function query(i) {
  return nginx.request("POST", queryPath(), { query_embeddings: [QUERIES[i % QUERIES.length]], n_results: K, include: ["documents", "distances"] });
}

/** A response is good when it is 200 with K hits, all from one version. */
function version(r) {
  if (r.status !== 200) return { bad: `status ${r.status}: ${r.text.slice(0, 200)}` };
  const docs = r.json?.documents?.[0];
  if (!Array.isArray(docs) || docs.length !== K || r.json.ids[0].length !== K) return { bad: `empty or short result: ${r.text.slice(0, 200)}` };
  const vs = new Set(docs.map((d) => d.split(" ")[0]));
  if (vs.size !== 1) return { bad: `mixed versions in one result: ${[...vs]}` };
  return { v: [...vs][0] };
}

/** Why nginx cannot answer, when its process is gone ("" while it runs). */
function nginxGone() {
  const p = nginx?.proc;
  if (!p || (p.exitCode === null && p.signalCode === null)) return "";
  return ` (nginx exited: code ${p.exitCode}, signal ${p.signalCode}; error log: ${nginx.errorLog().slice(-500)})`;
}

/** Run `conc` closed-loop workers until stop(); collect versions and problems
 * (out.n counts every finished request, answered or failed). */
function load(conc = 8) {
  let running = true;
  const out = { n: 0, versions: {}, bad: [] };
  const worker = async (w) => {
    for (let i = w; running; i += conc) {
      // a failed request counts too: the callers wait for a count, and a
      // balancer that refuses every request must fail the test (out.bad),
      // not hang it (a run once hung here with no nginx running)
      try {
        const v = version(await query(i));
        if (v.bad) out.bad.push(v.bad);
        else out.versions[v.v] = (out.versions[v.v] || 0) + 1;
      } catch (e) {
        out.bad.push(`request failed: ${e.message}${nginxGone()}`);
      } finally {
        out.n++;
      }
    }
  };
  const all = Array.from({ length: conc }, (_, w) => worker(w));
  return { out, stop: async () => { running = false; await Promise.all(all); return out; } };
}

async function queryCount(rep) {
  const m = parseMetrics((await raw(rep, "GET", "/metrics")).text);
  return m['omvec_http_requests_total{route="query",status="200"}'] || 0;
}

test("through nginx (TLS): every replica answers, queries spread across all three", { skip }, async () => {
  const before = await Promise.all(replicas.map(queryCount));
  const l = load(6);
  while (l.out.n < 300) await sleep(20);
  const out = await l.stop();
  assert.deepEqual(out.bad, []);
  assert.deepEqual(Object.keys(out.versions), ["v1"]);
  const per = (await Promise.all(replicas.map(queryCount))).map((n, i) => n - before[i]);
  const total = per.reduce((a, b) => a + b, 0);
  assert.equal(total, out.n, `replica counts ${per} vs ${out.n} answered`);
  for (const [i, n] of per.entries()) assert.ok(n >= total / 6, `replica ${i} served only ${n} of ${total}: ${per}`);
  // the balancer hides the per-replica /metrics; plain http is redirected to https
  assert.equal((await nginx.request("GET", "/metrics")).status, 404);
  assert.equal((await nginx.request("GET", "/api/v2/heartbeat")).status, 200);
});

test("one replica killed (kill -9) mid-load: no request is lost", { skip }, async () => {
  const l = load(8);
  while (l.out.n < 100) await sleep(10);
  const atKill = l.out.n;
  await replicas[0].kill9();
  const target = atKill + 400;
  const deadline = Date.now() + 120000; // bounds a hang; the load reaches the target in ~1 s
  while (l.out.n < target && Date.now() < deadline) await sleep(20);
  const out = await l.stop();
  assert.deepEqual(out.bad, [], `lost or wrong answers after the kill`);
  assert.ok(out.n >= target, `only ${out.n - atKill} requests after the kill`);
  assert.deepEqual(Object.keys(out.versions), ["v1"]);
  assert.match(nginx.errorLog(), /connect\(\) failed|upstream prematurely closed|Connection reset|Connection refused/,
    "nginx never saw the dead replica");
});

test("rolling restart to a new artifact version: no mixed, no empty, no failed result", { skip }, async () => {
  const l = load(6);
  while (l.out.n < 50) await sleep(10);
  for (const [i, rep] of replicas.entries()) {
    if (rep.proc) await rep.stop(); // SIGTERM: drain in-flight requests (replica 0 is already dead)
    rep.extraArgs = ["--prewarm", A2, "--log-level", process.env.REPLICA_LOG || "warn"];
    await rep.start();
    const ready = await waitReady(rep);
    assert.equal(ready.status, 200, `replica ${i}`);
    // like a balancer health check gate: roll the next replica only once
    // this one is back in rotation (nginx's passive checks hold a failed
    // server out for fail_timeout)
    const deadline = Date.now() + 120000; // bounds a hang, not a timing assumption
    while (await queryCount(rep) < 20 && Date.now() < deadline) await sleep(50);
    assert.ok(await queryCount(rep) >= 20, `replica ${i} never got traffic back`);
  }
  const out = await l.stop();
  assert.deepEqual(out.bad, []);
  assert.ok(out.versions.v1 > 0 && out.versions.v2 > 0, JSON.stringify(out.versions));
  // after the roll every replica serves v2 only
  const after = load(4);
  while (after.out.n < 60) await sleep(10);
  const fin = await after.stop();
  assert.deepEqual(fin.bad, []);
  assert.deepEqual(Object.keys(fin.versions), ["v2"]);
  for (const rep of replicas) {
    const m = parseMetrics((await raw(rep, "GET", "/metrics")).text);
    assert.equal(m['omvec_prewarm_artifacts_total{outcome="installed"}'], 1);
    assert.equal(m.omvec_records, N);
  }
});
