// Issue 4: the three ontology collections built from the bundled OBO files
// (`omvec build`), packed as artifacts, and served by a server started with
// --prewarm on an empty directory: text queries (query_texts and `omvec
// match` against it) and vector queries answer exactly as the directory
// the collections were built in.
import { test, before, after } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createServer, makeTempDir, startServer, REPO_ROOT } from "./lib/server.mjs";
import { raw, paths } from "./lib/api.mjs";
import { omvec, waitReady } from "./lib/artifacts.mjs";

const P = paths.v2;
const work = makeTempDir("omvec-72");
const built = path.join(work, "built");
const COLLS = { mondo_v2024_01: "disease", uberon_v2024_01: "tissue", cell_ontology_v2024_01: "cell_type" };
const QUERIES = { disease: "heart attack", tissue: "liver", cell_type: "T cell" };
const arts = [];
const bundled = path.join(REPO_ROOT, "data/ontologies");
const skip = fs.existsSync(path.join(bundled, "cl.obo.gz")) ? false : "no bundled ontologies in data/ontologies";

before(async () => {
  if (skip) return;
  // a small lexical dimension keeps the sanitized build quick
  const b = await omvec("build", "--ontology", "all", "--bundled", bundled, "--dim", "64", "--path", built);
  assert.equal(b.code, 0, b.stderr);
  for (const name of Object.keys(COLLS)) {
    const out = path.join(work, `${name}.tar.gz`);
    const r = await omvec("pack", name, "--path", built, "-o", out, "--version", "2024_01");
    assert.equal(r.code, 0, r.stderr);
    arts.push(out);
  }
}, { timeout: 600000 });

after(() => {
  if (!process.env.OMVEC_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
});

test("--prewarm of the three ontology artifacts on an empty directory: text and vector queries as built", { skip, timeout: 600000 }, async () => {
  const manifests = arts.map((a) => JSON.parse(manifestOf(a)));
  for (const m of manifests) assert.equal(m.embedder.id, "lexical");
  // `omvec match --path` opens its directory with core, which one process
  // at a time may do (issue 10 item 5): the local side reads a copy while
  // the reference server holds `built`
  const local_dir = path.join(work, "local-copy");
  fs.cpSync(built, local_dir, { recursive: true });
  const ref = await startServer({ dir: built, tag: "omvec-72-ref" });
  const s = createServer({ tag: "omvec-72-pw", args: arts.flatMap((a) => ["--prewarm", a]) });
  try {
    await s.start();
    await waitReady(s, 300000);
    for (const [name, alias] of Object.entries(COLLS)) {
      const text = QUERIES[alias];
      // query_texts, embedded on the server with the collection's embedder
      const q = (srv, id) => raw(srv, "POST", P.op(id, "query"), { query_texts: [text], n_results: 5, include: ["distances", "metadatas"] });
      const idOf = async (srv) => (await raw(srv, "GET", P.collection(name))).json.id;
      const [a, b] = [await q(s, await idOf(s)), await q(ref, await idOf(ref))];
      assert.equal(a.status, 200, a.text);
      assert.deepEqual(a.json.ids, b.json.ids, `${name}: ${text}`);
      assert.ok(a.json.ids[0].length === 5);
      // the embedder parameters came with the artifact (they are in the store,
      // not the metadata): a filtered text query embeds with them
      const meta = (await raw(s, "GET", P.collection(name))).json.metadata;
      assert.ok(!("omvec:embedder_params" in meta));
      assert.equal(manifests[Object.keys(COLLS).indexOf(name)].embedder.digest, meta["omvec:embedder_digest"]);
      const fq = await raw(s, "POST", P.op(await idOf(s), "query"), { query_texts: [text], n_results: 2, where: { is_obsolete: false } });
      assert.equal(fq.status, 200, fq.text);
      assert.equal(fq.json.ids[0].length, 2);
      // a vector query: the stored embedding of the top hit finds it again
      const g = await raw(s, "POST", P.op(await idOf(s), "get"), { ids: [a.json.ids[0][0]], include: ["embeddings"] });
      const v = await raw(s, "POST", P.op(await idOf(s), "query"), { query_embeddings: g.json.embeddings, n_results: 1 });
      assert.equal(v.json.ids[0][0], a.json.ids[0][0]);
      // omvec match against the prewarmed server equals the local directory
      const remote = await omvec("match", text, "--ontology", alias, "-k", "5", "--url", s.url, "--json");
      const local = await omvec("match", text, "--ontology", alias, "-k", "5", "--path", local_dir, "--json");
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(remote.stdout, local.stdout);
      assert.ok(remote.stdout.split("\n").filter(Boolean).length === 5);
    }
    const count = await raw(s, "GET", P.countCollections());
    assert.equal(count.json, 3);
  } finally {
    await s.dispose();
    await ref.dispose();
  }
});

/** manifest.json of an artifact, read with tar. */
function manifestOf(tarball) {
  const name = path.basename(tarball, ".tar.gz");
  return spawnSync("tar", ["xzOf", tarball, `${name}/manifest.json`], { encoding: "utf8" }).stdout;
}
