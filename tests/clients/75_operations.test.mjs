// Operations (issue 6): GET /metrics in Prometheus text, one JSON log line
// per request with --log-level, graceful shutdown on SIGTERM.
import { test } from "node:test";
import http from "node:http";
import assert from "node:assert/strict";
import { createServer, startServer } from "./lib/server.mjs";
import { raw, paths, rng, randomVectors } from "./lib/api.mjs";
import { seed, parseMetrics } from "./lib/artifacts.mjs";

const P = paths.v2;

test("GET /metrics: requests by route and status, latency histograms, collections and records", async () => {
  const s = await startServer({ tag: "omvec-75" });
  try {
    await seed(s, "ops_coll", { n: 50, dim: 4 });
    const before = parseMetrics((await raw(s, "GET", "/metrics")).text);
    for (let i = 0; i < 3; i++) await raw(s, "GET", "/api/v2/heartbeat");
    await raw(s, "GET", "/api/v2/nope");
    await raw(s, "GET", "/api/v2/nope");
    await raw(s, "GET", P.collection("missing_coll"));
    const r = await raw(s, "GET", "/metrics");
    assert.equal(r.status, 200);
    assert.equal(r.contentType, "text/plain; version=0.0.4; charset=utf-8");
    assert.match(r.text, /# TYPE omvec_http_requests_total counter/);
    assert.match(r.text, /# TYPE omvec_http_request_duration_seconds histogram/);
    const m = parseMetrics(r.text);
    const d = (k) => (m[k] || 0) - (before[k] || 0);
    assert.equal(d('omvec_http_requests_total{route="heartbeat",status="200"}'), 3);
    assert.equal(d('omvec_http_requests_total{route="not_found",status="404"}'), 2);
    assert.ok(m['omvec_http_requests_total{route="collection_get",status="400"}'] >= 1 ||
      m['omvec_http_requests_total{route="collection_get",status="404"}'] >= 1, r.text);
    assert.equal(m['omvec_http_requests_total{route="add",status="201"}'] ?? m['omvec_http_requests_total{route="add",status="200"}'], 1);
    // histogram: cumulative buckets, +Inf equals count
    const hb = 'omvec_http_request_duration_seconds_bucket{route="heartbeat",le="+Inf"}';
    assert.equal(m[hb], m['omvec_http_request_duration_seconds_count{route="heartbeat"}']);
    assert.ok(m['omvec_http_request_duration_seconds_bucket{route="heartbeat",le="0.00025"}'] <= m[hb]);
    assert.ok(m['omvec_http_request_duration_seconds_sum{route="heartbeat"}'] >= 0);
    assert.equal(m.omvec_ready, 1);
    assert.equal(m.omvec_prewarm_state, 0);
    assert.equal(m.omvec_collections, 1);
    assert.equal(m.omvec_records, 50);
    assert.ok(m.omvec_index_memory_bytes >= 50 * 4 * 4, `index memory ${m.omvec_index_memory_bytes}`);
    assert.equal(m.omvec_index_pending_vectors, 0); // 50 records: below the deferred-indexing batch size
    assert.ok(m.omvec_process_resident_memory_bytes > 1e6);
    assert.ok(m.omvec_uptime_seconds > 0);
    assert.equal((await raw(s, "POST", "/metrics")).status, 405);
    const rd = await raw(s, "GET", "/ready");
    assert.equal(rd.status, 200);
    assert.deepEqual(rd.json, { ready: true, prewarm: "none" });
  } finally { await s.dispose(); }
});

test("one JSON log line per request with request id, route, status and duration; --log-level warn silences them", async () => {
  const s = await startServer({ tag: "omvec-75", args: ["--log-level", "info"] });
  try {
    await raw(s, "GET", "/api/v2/heartbeat");
    await raw(s, "GET", "/api/v2/nope");
    await raw(s, "GET", "/api/v1/version");
    await new Promise((r) => setTimeout(r, 100));
    const lines = s.log.join("").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const reqs = lines.filter((l) => l.msg === "request");
    const hb = reqs.filter((l) => l.route === "heartbeat" && l.status === 200);
    assert.ok(hb.length >= 1);
    for (const l of reqs) {
      assert.equal(typeof l.request_id, "number");
      assert.equal(typeof l.duration_ms, "number");
      assert.equal(l.level, "info");
      assert.ok(l.method);
    }
    assert.ok(reqs.some((l) => l.route === "not_found" && l.status === 404));
    assert.ok(reqs.some((l) => l.route === "version" && l.status === 200));
    const ids = reqs.map((l) => l.request_id);
    assert.equal(new Set(ids).size, ids.length, "request ids are unique");
  } finally { await s.dispose(); }
  const q = await startServer({ tag: "omvec-75", args: ["--log-level", "warn"] });
  try {
    await raw(q, "GET", "/api/v2/heartbeat");
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!q.log.join("").includes('"msg":"request"'));
  } finally { await q.dispose(); }
});

test("SIGTERM: stop accepting, finish the requests in flight, close the store, exit 0", async () => {
  const s = createServer({ tag: "omvec-75" });
  await s.start();
  const DIM = 64;
  const { id } = await seed(s, "drain_coll", { n: 20000, dim: DIM });
  const queries = randomVectors(150, DIM, rng(3));
  const body = { query_embeddings: queries, n_results: 50, include: ["distances"] };
  const url = s.url + P.op(id, "query");
  let sentTerm = 0;
  const results = await (async () => {
    const agent = new http.Agent({ keepAlive: true });
    const payload = JSON.stringify(body);
    const post = () => new Promise((resolve) => {
      const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } }, (res) => {
        let text = "";
        res.on("data", (d) => { text += d; });
        res.on("end", () => resolve({ status: res.statusCode, n: JSON.parse(text).ids.length, at: Date.now(), connection: res.headers.connection }));
      });
      req.on("error", (e) => resolve({ error: String(e.code || e.message), at: Date.now() }));
      req.end(payload);
    });
    const inflight = Array.from({ length: 12 }, post);
    await new Promise((r) => setTimeout(r, 40));
    sentTerm = Date.now();
    s.proc.kill("SIGTERM");
    return Promise.all(inflight);
  })();
  const exit = await s.exited;
  s.proc = null;
  const ok = results.filter((r) => r.status === 200);
  const errs = results.filter((r) => r.error);
  // nothing accepted was cut off: every request got a full answer, or was
  // refused at connect time (after the listener closed)
  for (const e of errs) assert.equal(e.error, "ECONNREFUSED", JSON.stringify(results));
  assert.ok(ok.length >= 1, JSON.stringify(results));
  for (const r of ok) assert.equal(r.n, 150);
  assert.ok(ok.some((r) => r.at >= sentTerm), "no request finished after SIGTERM: nothing was in flight");
  // answers sent while draining tell keep-alive clients to reconnect elsewhere
  const late = ok.filter((r) => r.at >= sentTerm + 50);
  for (const r of late) assert.equal(r.connection, "close", JSON.stringify(r));
  assert.equal(exit.code, 0);
  const log = s.log.join("");
  assert.match(log, /signal 15: draining and stopping/);
  assert.match(log, /stopped cleanly/);
  // the store was closed cleanly: a restart sees everything
  const again = await startServer({ dir: s.dir, tag: "omvec-75" });
  try {
    const c = await raw(again, "GET", P.op(id, "count"));
    assert.equal(c.json, 20000);
  } finally {
    await again.dispose();
    await s.dispose();
  }
});

test("--host on a non-loopback address without auth refuses to start unless --allow-anonymous", async () => {
  const { spawnSync } = await import("node:child_process");
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { serverBinary, makeTempDir } = await import("./lib/server.mjs");
  const dir = makeTempDir("omvec-75-host");
  try {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (/^CHROMA_/i.test(k)) delete env[k];
    const r = spawnSync(serverBinary(), ["run", "--host", "0.0.0.0", "--port", "0", "--path", dir],
      { env, encoding: "utf8", timeout: 60000 });
    assert.notEqual(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /refusing to serve 0\.0\.0\.0 without auth/);
    assert.match(r.stdout + r.stderr, /--allow-anonymous/);
    const anon = await startServer({ tag: "omvec-75-anon", args: ["--host", "0.0.0.0", "--allow-anonymous"] });
    try {
      assert.equal((await raw(anon, "GET", "/api/v2/heartbeat")).status, 200);
      assert.match(anon.log.join(""), /serving 0\.0\.0\.0 without auth \(--allow-anonymous\)/);
    } finally { await anon.dispose(); }
    const tok = path.join(dir, "tokens");
    fs.writeFileSync(tok, "admin adm-75\n");
    const authed = await startServer({ tag: "omvec-75-tok", args: ["--host", "0.0.0.0", "--tokens", tok] });
    try {
      assert.equal((await raw(authed, "GET", "/api/v2/heartbeat")).status, 200);
    } finally { await authed.dispose(); }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
