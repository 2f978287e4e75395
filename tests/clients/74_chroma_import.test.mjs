// omvec import-chroma: every fixture of $SHARED/data/chroma-dirs (real
// Chroma 0.5.23 and 1.0.0 persist directories, and a lobster-style tarball)
// imports and, served by `omvec run`, returns exactly what the real Chroma
// client read back (DUMPS/): names, metadata with strict JSON types, dimension,
// count, every record's id, document, metadata and embedding (1e-6; exact for
// l2/ip, which Chroma stores as given), and the dumps' exact top-10 queries
// at recall@10 >= 0.99 with default search settings, distances within 1e-4.
// A directory, its tarball and the tarball's http:// URL import the same,
// the source is never modified, and an existing collection is refused
// unless --replace.
import { test, after, describe } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { startServer, createServer, makeTempDir, sharedDir } from "./lib/server.mjs";
import { raw, paths } from "./lib/api.mjs";
import { omvec, fileServer, waitReady } from "./lib/artifacts.mjs";

const P = paths.v1;
const FIX = path.join(sharedDir(), "data", "chroma-dirs");
const work = makeTempDir("omvec-74");
after(() => { if (!process.env.OMVEC_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true }); });

// JSON.parse that keeps int vs float. Only literals JS would misread are
// marked (integral floats such as -2.0, and exponent forms): they become the
// string "\u0001<literal>". T() turns values into {t: "i"|"f", v} (metadata),
// plain() turns an array into numbers (embeddings).
const MARK = "\u0001";
function typedParse(text) {
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?[eE][+-]?\d+|-?\d+\.0+(?![0-9])/g,
    (m) => (m[0] === '"' ? m : `"\\u0001${m}"`)));
}
function T(v) {
  if (typeof v === "string" && v[0] === MARK) return { t: "f", v: Number(v.slice(1)) };
  if (typeof v === "number") return { t: Number.isInteger(v) ? "i" : "f", v };
  if (Array.isArray(v)) return v.map(T);
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = T(x);
    return o;
  }
  return v;
}
const plain = (arr) => arr.map((x) => (typeof x === "string" ? Number(x.slice(1)) : x));
const stripOmvec = (m) => {
  if (m === null || m === undefined) return null;
  const o = {};
  for (const [k, v] of Object.entries(m)) if (!k.startsWith("omvec:")) o[k] = v;
  return o;
};

function loadDump(rel) {
  let f = path.join(FIX, rel);
  if (!fs.existsSync(f)) f += ".gz";
  const buf = fs.readFileSync(f);
  return typedParse((f.endsWith(".gz") ? zlib.gunzipSync(buf) : buf).toString("utf8"));
}

function exactDist(space, a, b) {
  let s = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    if (space === "l2") s += (a[i] - b[i]) ** 2;
    else s += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (space === "l2") return s;
  if (space === "ip") return 1 - s;
  return 1 - s / Math.sqrt(na * nb);
}

const manifest = JSON.parse(fs.readFileSync(path.join(FIX, "manifest.json"), "utf8"));
const pooled = { hit: 0, total: 0 };

function sha(file) {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

// Compare everything `srv` serves against the fixture's dumps.
// exported: an export adds hnsw:space to metadata that lacked it (0.5.23
// reads the space only there), so that key is allowed when it names the space.
async function checkServed(srv, fx, { exported = false } = {}) {
  const colls = Object.values(fx.collections);
  const list = await raw(srv, "GET", P.collections());
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.map((c) => c.name).sort(), colls.map((c) => c.collection).sort());
  const perColl = {};
  for (const m of colls) {
    const dump = loadDump(m.dump);
    const c = await raw(srv, "GET", P.collection(dump.name));
    assert.equal(c.status, 200, c.text);
    const tc = typedParse(c.text);
    let gm = stripOmvec(tc.metadata);
    if (exported && gm && gm["hnsw:space"] === dump.space && !(dump.metadata && "hnsw:space" in dump.metadata)) {
      delete gm["hnsw:space"];
      if (!Object.keys(gm).length && dump.metadata === null) gm = null;
    }
    assert.deepEqual(T(gm), T(dump.metadata), `${dump.name}: metadata`);
    assert.deepEqual(T(tc.dimension), T(dump.dimension), `${dump.name}: dimension`);
    const cnt = await raw(srv, "GET", P.op(c.json.id, "count"));
    assert.deepEqual({ t: "i", v: cnt.json }, T(dump.count), `${dump.name}: count`);
    const g = await raw(srv, "POST", P.op(c.json.id, "get"), { include: ["embeddings", "documents", "metadatas"] });
    assert.equal(g.status, 200, g.text);
    const got = typedParse(g.text);
    const byId = new Map(got.ids.map((id, i) => [id, i]));
    assert.equal(got.ids.length, dump.records.length, `${dump.name}: records`);
    const exact = dump.space !== "cosine";
    for (const r of dump.records) {
      const i = byId.get(r.id);
      assert.ok(i !== undefined, `${dump.name}: id ${r.id} missing`);
      assert.deepEqual(got.documents[i], r.document, `${dump.name}/${r.id}: document`);
      assert.deepEqual(T(got.metadatas[i]), T(r.metadata), `${dump.name}/${r.id}: metadata`);
      const e = plain(got.embeddings[i]), w = plain(r.embedding);
      assert.equal(e.length, w.length);
      for (let k = 0; k < w.length; k++) {
        const ok = exact ? Math.fround(e[k]) === Math.fround(w[k]) : Math.abs(e[k] - w[k]) <= 1e-6;
        if (!ok) assert.fail(`${dump.name}/${r.id}[${k}]: ${e[k]} vs ${w[k]}`);
      }
    }
    if (!dump.queries.length) continue;
    const vecOf = new Map(dump.records.map((r) => [r.id, plain(r.embedding)]));
    const q = await raw(srv, "POST", P.op(c.json.id, "query"), {
      query_embeddings: dump.queries.map((x) => plain(x.embedding)), n_results: 10, include: ["distances"],
    });
    assert.equal(q.status, 200, q.text);
    let hit = 0, total = 0;
    dump.queries.forEach((x, qi) => {
      const want = new Set(x.ids);
      const ids = q.json.ids[qi], d = q.json.distances[qi];
      const qv = plain(x.embedding);
      for (let k = 0; k < ids.length; k++) {
        if (want.has(ids[k])) hit++;
        const ex = exactDist(dump.space, qv, vecOf.get(ids[k]));
        assert.ok(Math.abs(d[k] - ex) <= 1e-4 * Math.max(1, Math.abs(ex)), `${dump.name} q${qi} ${ids[k]}: ${d[k]} vs exact ${ex}`);
        if (k) assert.ok(d[k] >= d[k - 1] - 1e-6, `${dump.name} q${qi}: distances not ascending`);
      }
      total += x.ids.length;
    });
    perColl[dump.name] = hit / total;
    pooled.hit += hit;
    pooled.total += total;
  }
  return perColl;
}

for (const fx of manifest.fixtures) {
  const src = path.join(FIX, fx.source);
  describe(`fixture ${fx.source}`, () => {
    const dest = path.join(work, path.basename(fx.source));
    test(`import-chroma ${fx.source} (Chroma ${fx.chroma_version}) serves its dumps`, async () => {
      const before = fx.kind === "dir" ? sha(path.join(src, "chroma.sqlite3")) : sha(src);
      const r = await omvec("import-chroma", src, "--path", dest);
      assert.equal(r.code, 0, r.stderr);
      const nc = Object.keys(fx.collections).length;
      assert.match(r.stdout, new RegExp(`imported ${nc} collections? \\(`));
      assert.equal(fx.kind === "dir" ? sha(path.join(src, "chroma.sqlite3")) : sha(src), before, "source modified");
      assert.deepEqual(fs.readdirSync(dest).filter((f) => f.startsWith(".chroma")), []);
      const s = await startServer({ dir: dest, tag: "omvec-74" });
      try {
        const per = await checkServed(s, fx);
        for (const [name, rec] of Object.entries(per)) console.log(`# recall@10 ${name}: ${rec.toFixed(4)}`);
      } finally { await s.dispose(); }
    });
    test(`a second import is refused without --replace, the data intact; --replace installs`, async () => {
      const before = sha(path.join(dest, "omvec.sqlite3"));
      let r = await omvec("import-chroma", src, "--path", dest);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /exists in .* \(use --replace/);
      assert.equal(sha(path.join(dest, "omvec.sqlite3")), before);
      r = await omvec("import-chroma", src, "--path", dest, "--replace");
      assert.equal(r.code, 0, r.stderr);
    });
  });
}

for (const fx of manifest.fixtures) {
  test(`round trip: import(export-chroma(${fx.source})) serves the same dumps (directory and --tar)`, async () => {
    const names = Object.keys(fx.collections);
    const imported = path.join(work, path.basename(fx.source));
    const out = path.join(work, `exp-${path.basename(fx.source)}`);
    const tgz = path.join(work, `exp_${path.basename(fx.source).replace(/\.tar\.gz$/, "")}.tar.gz`);
    let r = await omvec("export-chroma", ...names, "--path", imported, "-o", out);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(out, "chroma.sqlite3")));
    r = await omvec("export-chroma", ...names, "--path", imported, "-o", out);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exists/);
    r = await omvec("export-chroma", ...names, "--path", imported, "-o", tgz, "--tar");
    assert.equal(r.code, 0, r.stderr);
    for (const src of [out, tgz]) {
      const d = makeTempDir("omvec-74-rt");
      try {
        r = await omvec("import-chroma", src, "--path", d);
        assert.equal(r.code, 0, r.stderr);
        const s = await startServer({ dir: d, tag: "omvec-74-rt" });
        try { await checkServed(s, fx, { exported: true }); } finally { await s.dispose(); }
      } finally { fs.rmSync(d, { recursive: true, force: true }); }
    }
  });
}

test("pooled recall@10 over every fixture query >= 0.99 (default search settings)", () => {
  assert.ok(pooled.total > 0);
  const rec = pooled.hit / pooled.total;
  console.log(`# pooled recall@10: ${rec.toFixed(4)} over ${pooled.total / 10} queries`);
  assert.ok(rec >= 0.99, `pooled recall@10 ${rec}`);
});

test("the lobster tarball over http:// and --collection imports the same", async () => {
  const fx = manifest.fixtures.find((f) => f.kind === "tar.gz");
  const files = await fileServer({ "/v1/mondo_sapbert_768.tar.gz": path.join(FIX, fx.source) });
  const dest = path.join(work, "http");
  try {
    const r = await omvec("import-chroma", files.url("/v1/mondo_sapbert_768.tar.gz"), "--path", dest,
      "--collection", "mondo_v2024_01");
    assert.equal(r.code, 0, r.stderr);
    const s = await startServer({ dir: dest, tag: "omvec-74-http" });
    try { await checkServed(s, fx); } finally { await s.dispose(); }
  } finally { await files.close(); }
  const bad = await omvec("import-chroma", path.join(FIX, "c0523-mixed"), "--path", path.join(work, "nx"),
    "--collection", "no_such");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no collection no_such/);
});

describe("pull and prewarm recognise a Chroma tarball by content", () => {
  const fx = manifest.fixtures.find((f) => f.kind === "tar.gz");
  const TAR = path.join(FIX, fx.source);

  test("pull installs it, keeps it when pulled again, --force reinstalls; a wrong .sha256 beside it is refused", async () => {
    const d = path.join(work, "pull");
    let r = await omvec("pull", TAR, "--path", d);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /installed mondo_v2024_01 version chroma-sha256:[0-9a-f]{64} \(2000 records\)/);
    r = await omvec("pull", TAR, "--path", d);
    assert.match(r.stdout, /kept mondo_v2024_01/);
    const before = sha(path.join(d, "omvec.sqlite3"));
    const bad = path.join(work, "bad.tar.gz");
    fs.copyFileSync(TAR, bad);
    fs.writeFileSync(bad + ".sha256", "0".repeat(64) + "  bad.tar.gz\n");
    r = await omvec("pull", bad, "--path", d, "--force");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /sha256 mismatch/);
    assert.equal(sha(path.join(d, "omvec.sqlite3")), before);
    fs.writeFileSync(bad + ".sha256", sha(TAR) + "  bad.tar.gz\n");
    r = await omvec("pull", bad, "--path", d, "--force");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /installed mondo_v2024_01/);
    // the console's collections_status: the tarball's digest, recorded with the data
    const s = await startServer({ dir: d, tag: "omvec-74-status" });
    try {
      const st = await raw(s, "GET", `${paths.v2.collections()}_status`);
      assert.equal(st.status, 200, st.text);
      const m = st.json.find((c) => c.name === "mondo_v2024_01");
      assert.equal(m.artifact_version, `chroma-sha256:${sha(TAR)}`);
      assert.equal(m.artifact_sha256, sha(TAR));
      assert.equal(m.count, 2000);
    } finally { await s.dispose(); }
  });

  test("run --prewarm URL into an empty directory: /ready 503 until imported, then serves the dump", async () => {
    let release;
    const hold = new Promise((r) => { release = r; });
    const fsrv = await fileServer({ "/v1/mondo_sapbert_768.tar.gz": TAR }, { hold });
    const s = createServer({ tag: "omvec-74-pw", args: ["--prewarm", fsrv.url("/v1/mondo_sapbert_768.tar.gz")] });
    try {
      await s.start();
      const nr = await raw(s, "GET", "/ready");
      assert.equal(nr.status, 503);
      assert.equal((await raw(s, "GET", P.collections())).status, 503);
      release();
      await waitReady(s, 120000);
      await checkServed(s, fx);
    } finally {
      await s.dispose();
      await fsrv.close();
    }
  });
});
