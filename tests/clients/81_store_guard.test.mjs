// The data directory's guards (issue 10 items 4 and 5): one process per data
// directory (a second run, build or pull is refused, naming the holder; a
// kill -9 leaves nothing that blocks a restart), and a damaged or vanished
// store is refused at start instead of being served as complete.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createServer, startServer, makeTempDir } from "./lib/server.mjs";
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
