// The data directory's guards (issue 10 items 4 and 5): one process per data
// directory (a second run, build, pull or import-chroma is refused, naming the holder; a
// kill -9 leaves nothing that blocks a restart), and a damaged or vanished
// store is refused at start instead of being served as complete.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createServer, startServer, makeTempDir, sharedDir } from "./lib/server.mjs";
import { raw } from "./lib/api.mjs";
import { omvec, seed } from "./lib/artifacts.mjs";

const work = makeTempDir("omvec-81");
after(() => { if (!process.env.OMVEC_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true }); });

test("one process per data directory: a second run, build or pull is refused naming the holder", async () => {
  const s = await startServer({ tag: "omvec-81-lock" });
  try {
    await seed(s, "lock_coll", { n: 20, dim: 4 });
    const pid = s.proc.pid;
    const holder = new RegExp(`data directory .* is in use by pid ${pid}: .*omvec run`);
    const second = await omvec("run", "--port", "0", "--path", s.dir);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr + second.stdout, holder);
    const build = await omvec("build", "--ontology", "mondo", "--obo", "/nonexistent.obo", "--path", s.dir);
    assert.equal(build.code, 1);
    assert.match(build.stderr, holder);
    const art = path.join(work, "lock.tar.gz");
    const pk = await omvec("pack", "lock_coll", "--path", s.dir, "-o", art, "--version", "1");
    assert.equal(pk.code, 0, pk.stderr); // reading a store while it is served is fine
    const pull = await omvec("pull", art, "--path", s.dir, "--force");
    assert.notEqual(pull.code, 0);
    assert.match(pull.stderr + pull.stdout, holder);
    const chromaDir = path.join(sharedDir(), "data", "chroma-dirs", "c100-small");
    if (fs.existsSync(chromaDir)) {
      const imp = await omvec("import-chroma", chromaDir, "--path", s.dir);
      assert.notEqual(imp.code, 0, "import-chroma into a directory in use");
      assert.match(imp.stderr + imp.stdout, holder);
    }
    // the server is unaffected
    assert.equal((await raw(s, "GET", "/api/v2/heartbeat")).status, 200);
    // a kill -9 leaves the lock file, which must not block a restart
    await s.kill9();
    assert.ok(fs.existsSync(path.join(s.dir, "omvec.lock")));
    await s.start();
    const c = await raw(s, "GET", "/api/v2/tenants/default_tenant/databases/default_database/collections_count");
    assert.equal(c.json, 1);
    await s.stop();
    const pull2 = await omvec("pull", art, "--path", s.dir, "--force");
    assert.equal(pull2.code, 0, pull2.stderr);
  } finally { await s.dispose(); }
});

/** Start `omvec run` on dir expecting a refusal; returns its output. */
async function refused(dir) {
  const r = await omvec("run", "--port", "0", "--path", dir);
  assert.notEqual(r.code, 0, `started on a damaged store:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

test("a damaged store is refused at start naming the file; the index file is not rewritten", async () => {
  const s = await startServer({ tag: "omvec-81-damage" });
  let idx;
  try {
    await seed(s, "damage_coll", { n: 1000, dim: 8 });
    await s.stop();
    const file = path.join(s.dir, "omvec.sqlite3");
    idx = fs.readdirSync(path.join(s.dir, "index")).filter((f) => f.endsWith(".hnsw"));
    assert.equal(idx.length, 1);
    const idxPath = path.join(s.dir, "index", idx[0]);
    const idxBefore = fs.readFileSync(idxPath);
    // damage b-tree pages: the page-type byte of every page after the schema
    const buf = fs.readFileSync(file);
    let psz = buf.readUInt16BE(16);
    if (psz === 1) psz = 65536;
    for (let pg = 2; pg < buf.length / psz; pg++) buf[pg * psz] = 0x07;
    fs.writeFileSync(file, buf);
    const out = await refused(s.dir);
    assert.match(out, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is damaged`));
    assert.deepEqual(fs.readFileSync(idxPath), idxBefore);
    // a 0-byte store where data used to be: refused, not started empty
    fs.writeFileSync(file, "");
    assert.match(await refused(s.dir), /omvec\.sqlite3 is empty \(0 bytes\) but the directory held data \(1 index file/);
    fs.rmSync(file);
    assert.match(await refused(s.dir), /omvec\.sqlite3 is missing but the directory held data/);
    assert.deepEqual(fs.readFileSync(idxPath), idxBefore);
  } finally { await s.dispose(); }
});

test("--prewarm on a damaged store exits non-zero naming the file and what to do (not 503 forever)", async () => {
  const s = await startServer({ tag: "omvec-81-prewarm" });
  const art = path.join(work, "prewarm.tar.gz");
  let idxPath, idxBefore;
  try {
    await seed(s, "pw_coll", { n: 500, dim: 8 });
    const pk = await omvec("pack", "pw_coll", "--path", s.dir, "-o", art, "--version", "1");
    assert.equal(pk.code, 0, pk.stderr);
    await s.stop();
    const file = path.join(s.dir, "omvec.sqlite3");
    const idx = fs.readdirSync(path.join(s.dir, "index")).filter((f) => f.endsWith(".hnsw"));
    idxPath = path.join(s.dir, "index", idx[0]);
    idxBefore = fs.readFileSync(idxPath);
    const buf = fs.readFileSync(file);
    let psz = buf.readUInt16BE(16);
    if (psz === 1) psz = 65536;
    for (let pg = 2; pg < buf.length / psz; pg++) buf[pg * psz] = 0x07;
    fs.writeFileSync(file, buf);
    const esc = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // omvec() kills the command after 60 s: a server left not ready fails here
    for (const args of [["--prewarm", art], []]) {
      const r = await omvec("run", "--port", "0", "--path", s.dir, ...args);
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 1, `run ${args.join(" ")} did not exit 1 (code ${r.code}):\n${out}`);
      assert.match(out, new RegExp(`${esc} is damaged`));
      assert.match(out, /move .* aside .*--prewarm|restore .* from a backup/, out);
      assert.deepEqual(fs.readFileSync(idxPath), idxBefore, "the index file is untouched");
    }
    // a 0-byte store where data used to be: refused the same way under --prewarm
    fs.writeFileSync(file, "");
    const z = await omvec("run", "--port", "0", "--path", s.dir, "--prewarm", art);
    assert.equal(z.code, 1, `code ${z.code}: ${z.stdout}${z.stderr}`);
    assert.match(z.stdout + z.stderr, /omvec\.sqlite3 is empty \(0 bytes\) but the directory held data/);
    // moved aside as the message says, --prewarm installs into an empty directory and serves
    const fresh = path.join(work, "prewarm-fresh");
    const ok = await startServer({ tag: "omvec-81-prewarm2", dir: fresh, args: ["--prewarm", art] });
    try {
      let ready;
      for (let i = 0; i < 600; i++) {
        ready = await raw(ok, "GET", "/ready");
        if (ready.status === 200) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(ready.status, 200, ready.text);
    } finally { await ok.dispose(); }
  } finally { await s.dispose(); }
});
