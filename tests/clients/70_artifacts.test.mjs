// Artifacts: omvec pack / omvec pull / omvec run --prewarm. A round trip
// keeps every record; a tampered, truncated or malicious tarball is refused
// with a clear message and the installed data stays as it was; pulls work
// over HTTP; a server prewarming is alive but not ready, then serves.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createServer, startServer, makeTempDir } from "./lib/server.mjs";
import { raw, paths } from "./lib/api.mjs";
import { omvec, sh, seed, snapshot, fileServer, waitReady, parseMetrics } from "./lib/artifacts.mjs";

const P = paths.v2;
const NAME = "art_mondo";
const work = makeTempDir("omvec-70");
const src = createServer({ tag: "omvec-70-src" });
let vecs;
const A1 = path.join(work, "a1.tar.gz");
const A2 = path.join(work, "a2.tar.gz");

before(async () => {
  await src.start();
  ({ vecs } = await seed(src, NAME, { n: 300 }));
});
after(async () => {
  await src.dispose();
  if (!process.env.OMVEC_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
});

const QUERIES = () => vecs.slice(0, 3);

test("pack writes manifest.json, .version and the data, with the sha256 of every file", async () => {
  const r = await omvec("pack", NAME, "--path", src.dir, "-o", A1, "--version", "2024_01");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /packed art_mondo version 2024_01 \(300 records, 8 dims, cosine\)/);
  const list = sh(`tar tzf ${A1}`).trim().split("\n").sort();
  assert.deepEqual(list, [`${NAME}/`, `${NAME}/.version`, `${NAME}/manifest.json`, `${NAME}/omvec.sqlite3`]);
  const m = JSON.parse(sh(`tar xzOf ${A1} ${NAME}/manifest.json`));
  assert.equal(m.format, "omvec-artifact");
  assert.equal(m.format_version, 1);
  assert.equal(m.artifact_version, "2024_01");
  assert.equal(m.collection.name, NAME);
  assert.equal(m.collection.space, "cosine");
  assert.equal(m.collection.dimension, 8);
  assert.equal(m.collection.count, 300);
  assert.ok("id" in m.embedder && /^sha256:[0-9a-f]{64}$/.test(m.embedder.digest));
  assert.deepEqual(m.files.map((f) => f.path).sort(), [".version", "omvec.sqlite3"]);
  for (const f of m.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
  assert.equal(sh(`tar xzOf ${A1} ${NAME}/.version`), "2024_01\n");
  // a missing collection is a clear error
  const bad = await omvec("pack", "no_such_coll", "--path", src.dir, "-o", path.join(work, "x.tar.gz"));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no collection no_such_coll/);
  assert.ok(!fs.existsSync(path.join(work, "x.tar.gz")));
});

/** One ustar header block; type "0" file, "5" directory. The data (if any) follows, padded to 512. */
function tarEntry(name, size, type = "0") {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "latin1");
  h.write(type === "5" ? "0000755\0" : "0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write("14525245100\0", 136);
  h.write("        ", 148);
  h.write(type, 156);
  h.write("ustar\0" + "00", 257, "latin1");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}
const pad512 = (b) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

describe("pull", () => {
  const dest = makeTempDir("omvec-70-dest");
  after(() => fs.rmSync(dest, { recursive: true, force: true }));
  let expected;

  test("pack -> pull round trip: every record, document, metadata and query result identical", async () => {
    const r = await omvec("pull", A1, "--path", dest);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /installed art_mondo version 2024_01 \(300 records\)/);
    expected = await snapshot(src, NAME, QUERIES());
    const s = await startServer({ dir: dest, tag: "omvec-70-dst" });
    try {
      const got = await snapshot(s, NAME, QUERIES());
      assert.deepEqual(got, expected);
    } finally { await s.dispose(); }
  });

  test("collections_status: the installed artifact's version and tarball sha256, pending 0 once indexed; read token needed", async () => {
    const sha = sh(`sha256sum ${A1}`).split(/\s+/)[0];
    const tokens = path.join(work, "tokens-status");
    fs.writeFileSync(tokens, "read status-read-70\nadmin status-admin-70\n");
    const s = await startServer({ dir: dest, tag: "omvec-70-dst", args: ["--tokens", tokens] });
    try {
      const url = `${P.collections()}_status`;
      const denied = await raw(s, "GET", url);
      assert.equal(denied.status, 403, denied.text);
      const read = { "x-chroma-token": "status-read-70" };
      // pending drains as the index catches up: wait for the condition
      let st;
      for (let i = 0; i < 600; i++) {
        st = await raw(s, "GET", url, undefined, read);
        assert.equal(st.status, 200, st.text);
        if (st.json.length === 1 && st.json[0].pending === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(st.json, [{ id: expected.id, name: NAME, count: 300, pending: 0,
        artifact_version: "2024_01", artifact_sha256: sha }]);
      // a collection a client creates has no artifact
      const admin = { "x-chroma-token": "status-admin-70" };
      const c = await raw(s, "POST", P.collections(), { name: "made_here" }, admin);
      assert.equal(c.status, 200, c.text);
      st = await raw(s, "GET", url, undefined, read);
      assert.deepEqual(st.json.find((x) => x.name === "made_here"),
        { id: c.json.id, name: "made_here", count: 0, pending: 0, artifact_version: null, artifact_sha256: null });
      await raw(s, "DELETE", P.collection("made_here"), undefined, admin);
      // an unknown database lists nothing, as the Chroma listing does
      const none = await raw(s, "GET", "/api/v2/tenants/default_tenant/databases/no_such_db/collections_status", undefined, read);
      assert.equal(none.status, 200, none.text);
      assert.deepEqual(none.json, []);
    } finally { await s.dispose(); }
  });

  test("the same or an older version is kept; --force replaces; a newer one installs", async () => {
    let r = await omvec("pull", A1, "--path", dest);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /kept art_mondo: installed version 2024_01 is not older than 2024_01/);
    r = await omvec("pull", A1, "--path", dest, "--force");
    assert.match(r.stdout, /installed art_mondo version 2024_01/);
    // version 2024_02 with 50 more records
    await raw(src, "POST", P.op(expected.id, "add"), { ids: ["z1"], embeddings: [vecs[5]], documents: ["new"] });
    r = await omvec("pack", NAME, "--path", src.dir, "-o", A2, "--version", "2024_02");
    assert.equal(r.code, 0, r.stderr);
    r = await omvec("pull", A2, "--path", dest);
    assert.match(r.stdout, /installed art_mondo version 2024_02 \(301 records\)/);
    r = await omvec("pull", A1, "--path", dest);
    assert.match(r.stdout, /kept art_mondo: installed version 2024_02 is not older than 2024_01/);
    const s = await startServer({ dir: dest, tag: "omvec-70-dst" });
    try {
      const c = await raw(s, "GET", P.op(expected.id, "count"));
      assert.equal(c.json, 301);
      expected = await snapshot(s, NAME, QUERIES());
    } finally { await s.dispose(); }
  });

  // Each case builds a bad tarball from A1 and expects `pull --force` to
  // refuse it with the message, leaving dest exactly as it was.
  const unpacked = () => {
    const d = fs.mkdtempSync(path.join(work, "u-"));
    sh(`tar xzf ${A1}`, d);
    return d;
  };
  const cases = [
    ["a tampered byte in the data file", /sha256 mismatch for omvec\.sqlite3/, (out) => {
      const d = unpacked();
      const f = path.join(d, NAME, "omvec.sqlite3");
      const b = fs.readFileSync(f);
      b[b.length >> 1] ^= 0x55;
      fs.writeFileSync(f, b);
      sh(`tar czf ${out} ${NAME}`, d);
    }],
    ["a tampered byte in the compressed stream", /damaged or truncated|sha256 mismatch|not a gzip tar/, (out) => {
      const b = fs.readFileSync(A1);
      b[b.length >> 1] ^= 0x55;
      fs.writeFileSync(out, b);
    }],
    ["a truncated gzip", /damaged or truncated|not a gzip tar/, (out) => {
      const b = fs.readFileSync(A1);
      fs.writeFileSync(out, b.subarray(0, b.length >> 1));
    }],
    ["not an archive at all", /not a gzip tar archive|damaged/, (out) => fs.writeFileSync(out, "hello, world\n".repeat(100))],
    ["a ../ path", /"\.\." component \(path escape\)/, (out) => {
      const d = unpacked();
      fs.mkdirSync(path.join(d, "inner"));
      fs.writeFileSync(path.join(d, "evil.txt"), "escaped\n");
      sh(`tar czPf ${out} ../${NAME}/manifest.json ../evil.txt`, path.join(d, "inner"));
    }],
    ["an absolute path", /has an absolute path/, (out) => {
      const d = unpacked();
      sh(`tar czPf ${out} ${path.join(d, NAME, "manifest.json")}`, d);
    }],
    ["a symlink entry", /is a symlink \(refused\)/, (out) => {
      const d = unpacked();
      fs.symlinkSync("/etc/passwd", path.join(d, NAME, "link"));
      sh(`tar czf ${out} ${NAME}`, d);
    }],
    ["a hardlink entry", /is a hardlink \(refused\)/, (out) => {
      const d = unpacked();
      fs.linkSync(path.join(d, NAME, ".version"), path.join(d, NAME, "hard"));
      sh(`tar czf ${out} ${NAME}`, d);
    }],
    ["a format-version mismatch", /artifact format version 2 is not supported \(this omvec reads format version 1\)/, (out) => {
      const d = unpacked();
      const f = path.join(d, NAME, "manifest.json");
      fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace('"format_version": 1', '"format_version": 2'));
      sh(`tar czf ${out} ${NAME}`, d);
    }],
    ["an unlisted extra file", /holds extra\.bin, which the manifest does not list/, (out) => {
      const d = unpacked();
      fs.writeFileSync(path.join(d, NAME, "extra.bin"), "x");
      sh(`tar czf ${out} ${NAME}`, d);
    }],
    [".version differing from the manifest", /sha256 mismatch for \.version|\.version \(/, (out) => {
      const d = unpacked();
      fs.writeFileSync(path.join(d, NAME, ".version"), "2099_01\n");
      sh(`tar czf ${out} ${NAME}`, d);
    }],
    ["a manifest that is not JSON", /manifest: not JSON/, (out) => {
      const d = unpacked();
      fs.writeFileSync(path.join(d, NAME, "manifest.json"), "{not json");
      sh(`tar czf ${out} ${NAME}`, d);
    }],
    // expansion bounds (issue 10 item 6): tar headers that claim 1 GiB,
    // followed by a few bytes only: refused from the header, nothing written
    ["a 1 GiB file before the manifest in a 1 KB archive (gzip bomb)", /comes before manifest\.json and expands past \d+ bytes .*decompression bomb/, (out) => {
      fs.writeFileSync(out, zlib.gzipSync(Buffer.concat([tarEntry(`${NAME}/`, 0, "5"), tarEntry(`${NAME}/omvec.sqlite3`, 1 << 30), Buffer.alloc(4096)])));
    }],
    ["a file larger than the manifest declares", /"art_mondo\/omvec\.sqlite3" holds 1073741824 bytes, manifest\.json says \d+/, (out) => {
      const m = sh(`tar xzOf ${A1} ${NAME}/manifest.json`);
      fs.writeFileSync(out, zlib.gzipSync(Buffer.concat([tarEntry(`${NAME}/`, 0, "5"), tarEntry(`${NAME}/manifest.json`, m.length), pad512(Buffer.from(m)),
        tarEntry(`${NAME}/omvec.sqlite3`, 1 << 30), Buffer.alloc(4096)])));
    }],
    ["a manifest declaring more than the destination can hold", /declares \d+ bytes of files; the destination has room for \d+/, (out) => {
      const m = JSON.parse(sh(`tar xzOf ${A1} ${NAME}/manifest.json`));
      for (const f of m.files) f.size = 15 * 2 ** 30; // 45 GiB in all, each under the 16 GiB file cap
      const mj = Buffer.from(JSON.stringify(m));
      fs.writeFileSync(out, zlib.gzipSync(Buffer.concat([tarEntry(`${NAME}/`, 0, "5"), tarEntry(`${NAME}/manifest.json`, mj.length), pad512(mj), Buffer.alloc(1024)])));
    }],
    ["the artifact gzipped twice", /compressed more than once \(nested compression refused\)/, (out) => {
      fs.writeFileSync(out, zlib.gzipSync(fs.readFileSync(A1)));
    }],
    ["a gzip stream where the store file is expected", /"art_mondo\/omvec\.sqlite3" is a gzip stream \(nested compression refused\)/, (out) => {
      const d = unpacked();
      const f = path.join(d, NAME, "omvec.sqlite3");
      const gz = zlib.gzipSync(fs.readFileSync(f));
      fs.writeFileSync(f, gz);
      const mf = path.join(d, NAME, "manifest.json");
      const m = JSON.parse(fs.readFileSync(mf, "utf8"));
      for (const x of m.files) if (x.path === "omvec.sqlite3") x.size = gz.length;
      fs.writeFileSync(mf, JSON.stringify(m));
      sh(`tar czf ${out} ${NAME}/manifest.json ${NAME}/.version ${NAME}/omvec.sqlite3`, d);
    }],
    ["an entry name with a newline and a forged JSON log line", /"art_mondo\/x\\n\{\\"level\\":\\"error\\".*has a character outside/, (out) => {
      const m = sh(`tar xzOf ${A1} ${NAME}/manifest.json`);
      fs.writeFileSync(out, zlib.gzipSync(Buffer.concat([tarEntry(`${NAME}/`, 0, "5"), tarEntry(`${NAME}/manifest.json`, m.length), pad512(Buffer.from(m)),
        tarEntry(`${NAME}/x\n{"level":"error","msg":"forged"}`, 1), pad512(Buffer.from("x")), Buffer.alloc(1024)])));
    }],
    ["two top directories", /more than one top directory/, (out) => {
      const d = unpacked();
      fs.mkdirSync(path.join(d, "other"));
      fs.writeFileSync(path.join(d, "other", "f"), "x");
      sh(`tar czf ${out} ${NAME} other`, d);
    }],
  ];
  for (const [label, msg, make] of cases) {
    test(`refused with a clear message, data intact: ${label}`, async () => {
      const out = path.join(work, `bad-${label.replace(/\W+/g, "_")}.tar.gz`);
      make(out);
      const r = await omvec("pull", out, "--path", dest, "--force");
      assert.equal(r.code, 1, `${label}: expected refusal, got ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /refused, nothing changed: /);
      assert.match(r.stderr, msg);
      // an outside string never starts a line of its own in the output
      assert.ok(!/\n\{"level"/.test(r.stderr), `forged log line in: ${r.stderr}`);
      assert.deepEqual(fs.readdirSync(dest).filter((f) => f.startsWith(".pull-")), [], "temporary directory left behind");
      assert.ok(!fs.existsSync(path.join(work, "evil.txt.x")));
    });
  }

  test("after every refusal the installed collection is unchanged", async () => {
    assert.ok(!fs.existsSync(path.join(dest, "..", "evil.txt")), "a ../ entry was written outside");
    const s = await startServer({ dir: dest, tag: "omvec-70-dst" });
    try {
      assert.deepEqual(await snapshot(s, NAME, QUERIES()), expected);
    } finally { await s.dispose(); }
  });

  test("a temporary directory left by a killed pull is removed by the next pull once stale", async () => {
    const old = path.join(dest, ".pull-OLD123");
    const fresh = path.join(dest, ".pull-NEW123");
    fs.mkdirSync(path.join(old, "x"), { recursive: true });
    fs.writeFileSync(path.join(old, "x", "omvec.sqlite3"), "partial");
    fs.mkdirSync(fresh);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
    const r = await omvec("pull", A1, "--path", dest);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!fs.existsSync(old), "stale .pull- directory kept");
    assert.ok(fs.existsSync(fresh), "a live pull's directory was removed");
    fs.rmSync(fresh, { recursive: true });
  });

  test("a newer artifact replaces the served vectors, not only the rows (no stale index file)", async () => {
    const d = makeTempDir("omvec-70-ix");
    try {
      assert.equal((await omvec("pull", A2, "--path", d)).code, 0);
      let s = await startServer({ dir: d, tag: "omvec-70-ix" });
      const q = { query_embeddings: [vecs[5]], n_results: 3, include: ["distances"] };
      let r = await raw(s, "POST", P.op(expected.id, "query"), q);
      assert.ok(r.json.ids[0].includes("t00005"), r.text);
      // the index file is written at close: allow a slow (sanitized, loaded) close
      await s._terminate("SIGTERM", 30000);
      await s.dispose();
      const ixdir = path.join(d, "index");
      assert.ok(fs.existsSync(ixdir) && fs.readdirSync(ixdir).some((f) => f.endsWith(".hnsw")), "no index file written");
      // version 2024_03: t00005 now points the other way
      await raw(src, "POST", P.op(expected.id, "update"), { ids: ["t00005"], embeddings: [vecs[5].map((x) => -x)] });
      const A3 = path.join(work, "a3.tar.gz");
      assert.equal((await omvec("pack", NAME, "--path", src.dir, "-o", A3, "--version", "2024_03")).code, 0);
      const p = await omvec("pull", A3, "--path", d);
      assert.match(p.stdout, /installed art_mondo version 2024_03/);
      s = await startServer({ dir: d, tag: "omvec-70-ix" });
      try {
        r = await raw(s, "POST", P.op(expected.id, "query"), q);
        assert.ok(!r.json.ids[0].includes("t00005"), `stale vector served: ${r.text}`);
        assert.ok(r.json.ids[0].includes("z1"), r.text);
      } finally { await s.dispose(); }
    } finally { fs.rmSync(d, { recursive: true, force: true }); }
  });

  test("pull from a local HTTP server; a 404 and a refused connection are clear errors", async () => {
    const fsrv = await fileServer({ "/a1.tar.gz": A1 });
    const d = makeTempDir("omvec-70-http");
    try {
      let r = await omvec("pull", fsrv.url("/a1.tar.gz"), "--path", d);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /installed art_mondo version 2024_01 \(300 records\) from http:/);
      r = await omvec("pull", fsrv.url("/missing.tar.gz"), "--path", d);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /HTTP status 404/);
      r = await omvec("pull", "http://127.0.0.1:1/x.tar.gz", "--path", d);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /download of .* failed/);
      r = await omvec("pull", "ftp://example.invalid/x.tar.gz", "--path", d);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /only http:\/\/, https:\/\/, file:\/\/ or a path/);
    } finally {
      await fsrv.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("prewarm", () => {
  test("a server started with --prewarm on an empty directory answers vector queries", async () => {
    const fsrv = await fileServer({ "/a1.tar.gz": A1 });
    const s = createServer({ tag: "omvec-70-pw", args: ["--prewarm", fsrv.url("/a1.tar.gz")] });
    try {
      await s.start();
      await waitReady(s);
      const want = await snapshot(src, NAME, QUERIES());
      const got = await snapshot(s, NAME, QUERIES());
      assert.deepEqual(got.query, want.query);
      assert.equal(got.all.ids.length, 300);
    } finally {
      await s.dispose();
      await fsrv.close();
    }
  });

  test("while prewarming: heartbeat 200, /ready 503, API 503 ServiceUnavailable, metrics ready 0; then ready", async () => {
    let release;
    const hold = new Promise((r) => { release = r; });
    const fsrv = await fileServer({ "/a1.tar.gz": A1 }, { hold });
    const s = createServer({ tag: "omvec-70-pw", args: ["--prewarm", fsrv.url("/a1.tar.gz")] });
    try {
      await s.start();
      assert.equal((await raw(s, "GET", "/api/v2/heartbeat")).status, 200);
      assert.equal((await raw(s, "GET", "/api/v1/version")).status, 200);
      const nr = await raw(s, "GET", "/ready");
      assert.equal(nr.status, 503);
      assert.deepEqual(nr.json, { ready: false, prewarm: "running" });
      const q = await raw(s, "GET", P.collections());
      assert.equal(q.status, 503);
      assert.deepEqual(q.json, { error: "ServiceUnavailable", message: "not ready: prewarming artifacts" });
      assert.equal((await raw(s, "GET", "/api/v2/healthcheck")).status, 503);
      let m = parseMetrics((await raw(s, "GET", "/metrics")).text);
      assert.equal(m["omvec_ready"], 0);
      assert.equal(m["omvec_prewarm_state"], 1);
      release();
      const ok = await waitReady(s);
      assert.deepEqual(ok.json, { ready: true, prewarm: "done" });
      assert.equal((await raw(s, "GET", P.collection(NAME))).status, 200);
      m = parseMetrics((await raw(s, "GET", "/metrics")).text);
      assert.equal(m["omvec_ready"], 1);
      assert.equal(m["omvec_prewarm_state"], 2);
      assert.equal(m['omvec_prewarm_artifacts_total{outcome="installed"}'], 1);
      assert.equal(m["omvec_records"], 300);
    } finally {
      release();
      await s.dispose();
      await fsrv.close();
    }
  });

  test("a prewarm source that fails keeps the server not ready (and alive), retrying", async () => {
    const bad = path.join(work, "truncated.tar.gz");
    fs.writeFileSync(bad, fs.readFileSync(A1).subarray(0, 200));
    const s = createServer({ tag: "omvec-70-pw", args: ["--prewarm", bad] });
    try {
      await s.start();
      const deadline = Date.now() + 5000;
      let m;
      do {
        m = parseMetrics((await raw(s, "GET", "/metrics")).text);
      } while (!(m['omvec_prewarm_artifacts_total{outcome="failed"}'] >= 1) && Date.now() < deadline);
      assert.ok(m['omvec_prewarm_artifacts_total{outcome="failed"}'] >= 1);
      assert.equal(m["omvec_ready"], 0);
      assert.equal((await raw(s, "GET", "/ready")).status, 503);
      assert.equal((await raw(s, "GET", "/api/v2/heartbeat")).status, 200);
      assert.match(s.logTail(20), /prewarm: .*truncated\.tar\.gz: refused, nothing changed: .*(damaged|truncated)/);
    } finally { await s.dispose(); }
  });

  test("--prewarm of a tarball whose entry name carries a newline and a JSON log line: the name is escaped, no forged line", async () => {
    const bad = path.join(work, "forged-name.tar.gz");
    const m = sh(`tar xzOf ${A1} ${NAME}/manifest.json`);
    fs.writeFileSync(bad, zlib.gzipSync(Buffer.concat([tarEntry(`${NAME}/`, 0, "5"), tarEntry(`${NAME}/manifest.json`, m.length), pad512(Buffer.from(m)),
      tarEntry(`${NAME}/x\n{"level":"info","msg":"request","status":200}`, 1), pad512(Buffer.from("x")), Buffer.alloc(1024)])));
    const s = createServer({ tag: "omvec-70-pw", args: ["--prewarm", bad] });
    try {
      await s.start();
      const deadline = Date.now() + 5000;
      while (!/prewarm: .*forged-name\.tar\.gz: refused/.test(s.logTail(50)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const log = s.logTail(200);
      assert.match(log, /prewarm: .*forged-name\.tar\.gz: refused, nothing changed: artifact entry "art_mondo\/x\\n\{\\"level\\":\\"info\\"/);
      assert.ok(!log.split("\n").some((l) => l.startsWith('{"level":"info","msg":"request","status":200}')), `forged line in the log:\n${log}`);
    } finally { await s.dispose(); }
  });

  test("prewarm installs over a collection a client created empty (issue 10 item 7)", async () => {
    const d = makeTempDir("omvec-70-empty");
    try {
      const c = await startServer({ dir: d, tag: "omvec-70-pw" });
      try {
        const r = await raw(c, "POST", P.collections(), { name: NAME, metadata: { "hnsw:space": "cosine" }, get_or_create: true });
        assert.equal(r.status, 200, r.text);
      } finally { await c.dispose(); }
      const s = createServer({ dir: d, tag: "omvec-70-pw", args: ["--prewarm", A1] });
      await s.start();
      try {
        await waitReady(s);
        const m = parseMetrics((await raw(s, "GET", "/metrics")).text);
        assert.equal(m['omvec_prewarm_artifacts_total{outcome="installed"}'], 1);
        assert.equal(m["omvec_records"], 300);
        const got = await snapshot(s, NAME, QUERIES());
        assert.equal(got.all.ids.length, 300);
      } finally { await s.dispose(); }
    } finally { fs.rmSync(d, { recursive: true, force: true }); }
  });

  test("/ready is never 200 while a prewarmed collection is empty", async () => {
    const d = makeTempDir("omvec-70-empty-art");
    const EMPTY = path.join(work, "empty.tar.gz");
    try {
      const c = await startServer({ dir: d, tag: "omvec-70-pw" });
      try {
        assert.equal((await raw(c, "POST", P.collections(), { name: "art_empty" })).status, 200);
      } finally { await c.dispose(); }
      const pk = await omvec("pack", "art_empty", "--path", d, "-o", EMPTY, "--version", "1");
      assert.equal(pk.code, 0, pk.stderr);
      const s = createServer({ tag: "omvec-70-pw", args: ["--prewarm", EMPTY] });
      await s.start();
      try {
        // wait for the prewarm thread's verdict (a log line), then check /ready
        const limit = Date.now() + 120000; // a bound for a broken build, not a timing assumption
        while (!/is empty after prewarm; staying not ready/.test(s.log.join("")) && Date.now() < limit) {
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.match(s.log.join(""), /collection default_tenant\/default_database\/art_empty is empty after prewarm/);
        assert.equal((await raw(s, "GET", "/ready")).status, 503);
        assert.equal(parseMetrics((await raw(s, "GET", "/metrics")).text)["omvec_ready"], 0);
      } finally { await s.dispose(); }
    } finally { fs.rmSync(d, { recursive: true, force: true }); }
  });

  test("prewarm over existing data of the same version keeps it and is ready", async () => {
    const d = makeTempDir("omvec-70-keep");
    try {
      assert.equal((await omvec("pull", A1, "--path", d)).code, 0);
      const s = createServer({ dir: d, tag: "omvec-70-pw", args: ["--prewarm", A1] });
      await s.start();
      try {
        await waitReady(s);
        const m = parseMetrics((await raw(s, "GET", "/metrics")).text);
        assert.equal(m['omvec_prewarm_artifacts_total{outcome="kept"}'], 1);
        assert.equal((await raw(s, "GET", P.collection(NAME))).status, 200);
      } finally { await s.dispose(); }
    } finally { fs.rmSync(d, { recursive: true, force: true }); }
  });
});
