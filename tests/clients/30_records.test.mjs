// Records: add/get/update/upsert/delete/count with 0.5.23 write semantics
// (CONTRACT sections 2.2 and 3), through both clients and raw HTTP.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { useServer } from "./lib/server.mjs";
import { raw, paths, v1Client, v3Client, noEmbed, collName } from "./lib/api.mjs";

const srv = useServer({ tag: "omvec-30" });

const SEED = {
  ids: ["a", "b", "c", "d", "e"],
  embeddings: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0.5, 0.25, 0.125]],
  metadatas: [
    { color: "red", n: 1, score: 1.5, flag: true },
    { color: "blue", n: 2, score: 2.0 },
    { color: "red", n: 3, score: 2.5, flag: false },
    { color: "green", n: 4 },
    { color: "blue", n: 5, score: 0.5 },
  ],
  documents: ["apple pie", "blue sky", "red apple", "green field", "five things"],
};
const clone = (x) => JSON.parse(JSON.stringify(x));

function assertClose(actual, expected, tol = 1e-6, msg = "") {
  assert.equal(actual.length, expected.length, `${msg} length`);
  actual.forEach((v, i) => {
    if (Array.isArray(v)) assertClose(v, expected[i], tol, msg);
    else assert.ok(Math.abs(v - expected[i]) <= tol, `${msg} [${i}] ${v} != ${expected[i]}`);
  });
}

// ---------------------------------------------------------------- raw, both API paths
for (const ver of ["v1", "v2"]) {
  const P = paths[ver];
  describe(`raw ${ver} record endpoints`, () => {
    let id;
    const op = (o, body) => raw(srv, "POST", P.op(id, o), body);
    const getIds = async (body = {}) => (await op("get", body)).json.ids;

    test("add -> 201 true, count, get all in insertion order with default include", async () => {
      const r = await raw(srv, "POST", P.collections(), { name: collName(`rec_${ver}`) });
      id = r.json.id;
      const a = await op("add", clone(SEED));
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json, true);
      const c = await raw(srv, "GET", P.op(id, "count"));
      assert.equal(c.status, 200);
      assert.equal(c.json, 5);
      const g = await op("get", {});
      assert.equal(g.status, 200, g.text);
      assert.deepEqual(g.json.ids, SEED.ids);
      assert.deepEqual(g.json.documents, SEED.documents);
      assert.deepEqual(g.json.metadatas, SEED.metadatas);
      assert.equal(g.json.embeddings, null);
      assert.equal(g.json.uris, null);
      // both include echoes (CONTRACT section 9.1)
      assert.deepEqual(g.json.included, ["documents", "metadatas"]);
      assert.ok(Array.isArray(g.json.include), "include echo missing");
      assert.deepEqual([...g.json.include].sort(), ["documents", "metadatas"]);
    });

    test("metadata number types survive: int stays int, integral float stays float, bool stays bool", async () => {
      const body = `{"ids":["t1"],"embeddings":[[0,0,0]],"metadatas":[{"i":2,"f":2.0,"g":-0.5,"b":false,"s":"2"}]}`;
      const a = await raw(srv, "POST", P.op(id, "add"), body);
      assert.equal(a.status, 201, a.text);
      const g = await raw(srv, "POST", P.op(id, "get"), { ids: ["t1"], include: ["metadatas"] });
      const t = g.text.replace(/\s+/g, "");
      assert.match(t, /"i":2[,}]/);
      assert.match(t, /"f":2\.0[,}]|"f":2e0|"f":2\.0e0/i, `float 2.0 must re-read as a float: ${g.text}`);
      assert.match(t, /"b":false/);
      assert.match(t, /"s":"2"/);
      assert.deepEqual(g.json.metadatas[0], { i: 2, f: 2, g: -0.5, b: false, s: "2" });
      // where on the float key with an int literal matches (numeric crossing)
      assert.deepEqual(await getIds({ where: { f: 2 }, include: [] }), ["t1"]);
      assert.deepEqual(await getIds({ where: { b: false }, include: [] }), ["t1"]);
      await op("delete", { ids: ["t1"] });
    });

    test("get by ids returns storage order and skips unknown ids", async () => {
      const g = await op("get", { ids: ["e", "zzz", "b", "a"], include: ["documents"] });
      assert.equal(g.status, 200);
      assert.deepEqual(g.json.ids, ["a", "b", "e"]);
      assert.deepEqual(g.json.documents, ["apple pie", "blue sky", "five things"]);
      assert.equal(g.json.metadatas, null);
    });

    test("limit / offset in storage order, after filtering", async () => {
      assert.deepEqual(await getIds({ limit: 2, offset: 1 }), ["b", "c"]);
      assert.deepEqual(await getIds({ limit: 2 }), ["a", "b"]);
      assert.deepEqual(await getIds({ offset: 3 }), ["d", "e"]);
      assert.deepEqual(await getIds({ offset: 10 }), []);
      assert.deepEqual(await getIds({ where: { color: "blue" }, limit: 1, offset: 1 }), ["e"]);
      // 0.5.23: limit 0 means no limit
      assert.deepEqual(await getIds({ limit: 0 }), SEED.ids);
    });

    test("include: embeddings (returned as stored), [] (ids only), uris, distances ignored on get", async () => {
      let g = await op("get", { ids: ["e", "d"], include: ["embeddings", "metadatas", "documents", "uris"] });
      assert.equal(g.status, 200);
      assert.deepEqual(g.json.ids, ["d", "e"]);
      assertClose(g.json.embeddings, [SEED.embeddings[3], SEED.embeddings[4]]);
      assert.deepEqual(g.json.uris, [null, null]);
      assert.deepEqual(g.json.included, ["embeddings", "documents", "uris", "metadatas"]);
      g = await op("get", { include: [] });
      assert.deepEqual(g.json.ids, SEED.ids);
      for (const k of ["embeddings", "documents", "metadatas", "uris"]) assert.equal(g.json[k], null, k);
      g = await op("get", { ids: ["a"], include: ["distances", "documents"] });
      assert.equal(g.status, 200);
      assert.deepEqual(g.json.documents, ["apple pie"]);
      g = await op("get", { include: ["bogus"] });
      assert.equal(g.status, 422);
    });

    test("add of an existing id is ignored (201, old record kept)", async () => {
      const a = await op("add", { ids: ["a", "f"], embeddings: [[9, 9, 9], [0, 2, 0]], documents: ["NEW", "fresh"], metadatas: [{ color: "x" }, { color: "purple" }] });
      assert.equal(a.status, 201);
      const g = await op("get", { ids: ["a", "f"], include: ["embeddings", "documents", "metadatas"] });
      assert.deepEqual(g.json.ids, ["a", "f"]);
      assert.deepEqual(g.json.documents, ["apple pie", "fresh"]);
      assert.deepEqual(g.json.metadatas[0], SEED.metadatas[0]);
      assertClose(g.json.embeddings, [[1, 0, 0], [0, 2, 0]]);
      assert.equal((await raw(srv, "GET", P.op(id, "count"))).json, 6);
    });

    test("duplicate ids inside one batch: 201 / 200 as Chroma, applied in order (add: first wins; upsert, update: later merges)", async () => {
      const c = await raw(srv, "POST", P.collections(), { name: collName(`dups_${ver}`) });
      assert.equal(c.status, 200, c.text);
      const dop = (o, body) => raw(srv, "POST", P.op(c.json.id, o), body);
      const a = await dop("add", { ids: ["dup", "x", "dup"], embeddings: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], documents: ["first", "X", "second"], metadatas: [{ k: 1 }, null, { k: 2 }] });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json, true);
      assert.equal((await raw(srv, "GET", P.op(c.json.id, "count"))).json, 2);
      let g = await dop("get", { include: ["embeddings", "documents", "metadatas"] });
      assert.deepEqual(g.json.ids, ["dup", "x"]);
      assert.deepEqual(g.json.documents, ["first", "X"]);
      assert.deepEqual(g.json.metadatas, [{ k: 1 }, null]);
      assertClose(g.json.embeddings, [[1, 0, 0], [0, 1, 0]]);
      const u = await dop("upsert", { ids: ["n", "n", "dup"], embeddings: [[1, 1, 0], [2, 2, 0], [3, 3, 3]], metadatas: [{ a: 1 }, { b: 2 }, { z: true }] });
      assert.equal(u.status, 200, u.text);
      const up = await dop("update", { ids: ["dup", "dup", "nope", "nope"], documents: ["u1", "u2", "n1", "n2"], metadatas: [{ k: null }, null, { q: 1 }, null] });
      assert.equal(up.status, 200, up.text);
      g = await dop("get", { include: ["embeddings", "documents", "metadatas"] });
      assert.deepEqual(g.json.ids, ["dup", "x", "n"]);
      assert.deepEqual(g.json.documents, ["u2", "X", null]);
      assert.deepEqual(g.json.metadatas, [{ z: true }, null, { a: 1, b: 2 }]);
      assertClose(g.json.embeddings, [[3, 3, 3], [0, 1, 0], [2, 2, 0]]);
    });

    test("update merges metadata key by key; null deletes a key; 200 null", async () => {
      let u = await op("update", { ids: ["a"], metadatas: [{ n: 10, extra: "x" }] });
      assert.equal(u.status, 200);
      assert.equal(u.json, null);
      let g = await op("get", { ids: ["a"], include: ["metadatas", "documents", "embeddings"] });
      assert.deepEqual(g.json.metadatas[0], { color: "red", n: 10, score: 1.5, flag: true, extra: "x" });
      assert.deepEqual(g.json.documents, ["apple pie"]);
      assertClose(g.json.embeddings, [[1, 0, 0]]);
      u = await op("update", { ids: ["a"], metadatas: [{ extra: null, flag: null }] });
      assert.equal(u.status, 200);
      g = await op("get", { ids: ["a"], include: ["metadatas"] });
      assert.deepEqual(g.json.metadatas[0], { color: "red", n: 10, score: 1.5 });
    });

    test("update document only keeps vector and metadata; embedding only keeps the rest", async () => {
      let u = await op("update", { ids: ["b"], documents: ["blue ocean"] });
      assert.equal(u.status, 200, u.text);
      let g = await op("get", { ids: ["b"], include: ["metadatas", "documents", "embeddings"] });
      assert.deepEqual(g.json.documents, ["blue ocean"]);
      assertClose(g.json.embeddings, [[0, 1, 0]]);
      assert.deepEqual(g.json.metadatas[0], SEED.metadatas[1]);
      u = await op("update", { ids: ["b"], embeddings: [[0, 3, 0]], metadatas: null, documents: null, uris: null });
      assert.equal(u.status, 200, u.text);
      g = await op("get", { ids: ["b"], include: ["metadatas", "documents", "embeddings"] });
      assert.deepEqual(g.json.documents, ["blue ocean"]);
      assertClose(g.json.embeddings, [[0, 3, 0]]);
      assert.deepEqual(g.json.metadatas[0], SEED.metadatas[1]);
      // the new vector is what query sees
      const q = await op("query", { query_embeddings: [[0, 3, 0]], n_results: 1, include: ["distances"] });
      assert.deepEqual(q.json.ids, [["b"]]);
      assert.ok(q.json.distances[0][0] < 1e-6);
    });

    test("update of an unknown id is silently ignored", async () => {
      const before = (await raw(srv, "GET", P.op(id, "count"))).json;
      const u = await op("update", { ids: ["nope"], embeddings: [[1, 1, 1]], documents: ["x"] });
      assert.equal(u.status, 200);
      assert.equal((await raw(srv, "GET", P.op(id, "count"))).json, before);
      assert.deepEqual(await getIds({ ids: ["nope"] }), []);
    });

    test("upsert: existing id merges (keeps position), new id appended; 200 null", async () => {
      const u = await op("upsert", {
        ids: ["c", "g"],
        embeddings: [[0, 0, 2], [2, 2, 2]],
        metadatas: [{ n: 30, added: true }, { color: "gold" }],
        documents: ["red apples", "gold"],
      });
      assert.equal(u.status, 200, u.text);
      assert.equal(u.json, null);
      const g = await op("get", { include: ["metadatas", "documents", "embeddings"] });
      assert.deepEqual(g.json.ids, ["a", "b", "c", "d", "e", "f", "g"]);
      const ix = g.json.ids.indexOf("c");
      assert.deepEqual(g.json.metadatas[ix], { color: "red", n: 30, score: 2.5, flag: false, added: true });
      assert.equal(g.json.documents[ix], "red apples");
      assertClose(g.json.embeddings[ix], [0, 0, 2]);
      assert.deepEqual(g.json.metadatas[6], { color: "gold" });
    });

    test("empty metadata {} reads back as null; add with empty ids is a no-op", async () => {
      let a = await op("add", { ids: ["m0"], embeddings: [[0, 0, 0.5]], metadatas: [{}] });
      assert.equal(a.status, 201);
      const g = await op("get", { ids: ["m0"], include: ["metadatas", "documents"] });
      assert.deepEqual(g.json.metadatas, [null]);
      assert.deepEqual(g.json.documents, [null]);
      const before = (await raw(srv, "GET", P.op(id, "count"))).json;
      a = await op("add", { ids: [], embeddings: [] });
      assert.equal(a.status, 201);
      assert.equal((await raw(srv, "GET", P.op(id, "count"))).json, before);
      await op("delete", { ids: ["m0"] });
    });

    test("delete by ids (unknown skipped), by where, by where_document; 200 null", async () => {
      let d = await op("delete", { ids: ["f", "nope"] });
      assert.equal(d.status, 200);
      assert.equal(d.json, null);
      assert.deepEqual(await getIds(), ["a", "b", "c", "d", "e", "g"]);
      d = await op("delete", { where: { color: "gold" } });
      assert.equal(d.status, 200);
      assert.deepEqual(await getIds(), ["a", "b", "c", "d", "e"]);
      d = await op("delete", { where_document: { $contains: "field" } });
      assert.equal(d.status, 200);
      assert.deepEqual(await getIds(), ["a", "b", "c", "e"]);
      d = await op("delete", { ids: ["a", "b"], where: { color: "red" } });
      assert.equal(d.status, 200);
      assert.deepEqual(await getIds(), ["b", "c", "e"]);
      assert.equal((await raw(srv, "GET", P.op(id, "count"))).json, 3);
      // an empty delete is refused (0.5.23)
      d = await op("delete", {});
      assert.equal(d.status, 400);
      assert.equal(d.json.error, "InvalidArgumentError");
      d = await op("delete", { ids: [] });
      assert.equal(d.status, 400);
      assert.equal((await raw(srv, "GET", P.op(id, "count"))).json, 3);
    });

    test("unicode, escapes, empty strings, long documents and extreme numbers round-trip", async () => {
      const long = "lorem ipsum ".repeat(10000) + "needle-at-the-end";
      const recs = {
        ids: ["ü-id ☃", "with/slash and space", "quote\"back\\slash", "emoji-😀", "empty-doc", "long-doc"],
        embeddings: [[0.1, 0.2, 0.3], [1e-7, -1e-7, 0], [3.4e38, -3.4e38, 1], [0.5, 0.5, 0.5], [0, 0, 0.25], [0.25, 0, 0]],
        documents: ["Grüße aus Köln – 東京 🚀", "line1\nline2\ttab\u0001ctl", "she said \"hi\" \\ backslash", "😀😃😄", "", long],
        metadatas: [
          { s: "ünïcödé ☃", big: 9007199254740991, neg: -42 },
          { tiny: 1e-300, huge: 1e300, negf: -0.5 },
          { q: "\"quoted\"", bs: "a\\b" },
          { e: "😀" },
          { empty: "" },
          { n: 0 },
        ],
      };
      const a = await op("add", recs);
      assert.equal(a.status, 201, a.text);
      const g = await op("get", { ids: recs.ids, include: ["documents", "metadatas", "embeddings"] });
      assert.equal(g.status, 200, g.text);
      assert.deepEqual([...g.json.ids].sort(), [...recs.ids].sort());
      for (const [k, id] of recs.ids.entries()) {
        const j = g.json.ids.indexOf(id);
        assert.equal(g.json.documents[j], recs.documents[k], `document of ${JSON.stringify(id)}`);
        assert.deepEqual(g.json.metadatas[j], recs.metadatas[k], `metadata of ${JSON.stringify(id)}`);
        recs.embeddings[k].forEach((x, t) => {
          const f = Math.fround(x);
          assert.ok(Math.abs(g.json.embeddings[j][t] - f) <= Math.abs(f) * 1e-6, `embedding of ${JSON.stringify(id)}: ${g.json.embeddings[j][t]} vs ${f}`);
        });
      }
      // substring filters see unicode and the end of a long document
      const c1 = await op("get", { where_document: { $contains: "東京" }, include: [] });
      assert.deepEqual(c1.json.ids, ["ü-id ☃"]);
      const c2 = await op("get", { where_document: { $contains: "needle-at-the-end" }, include: [] });
      assert.deepEqual(c2.json.ids, ["long-doc"]);
      const c3 = await op("get", { where: { s: "ünïcödé ☃" }, include: [] });
      assert.deepEqual(c3.json.ids, ["ü-id ☃"]);
      const c4 = await op("get", { where: { big: { $gte: 9007199254740991 } }, include: [] });
      assert.deepEqual(c4.json.ids, ["ü-id ☃"]);
      const c5 = await op("get", { where: { empty: "" }, include: [] });
      assert.deepEqual(c5.json.ids, ["empty-doc"]);
      // an empty document is not a missing document
      const c6 = await op("get", { ids: ["empty-doc"], where_document: { $not_contains: "x" }, include: ["documents"] });
      assert.deepEqual(c6.json.documents, [""]);
      const d = await op("delete", { ids: recs.ids });
      assert.equal(d.status, 200);
    });

    test("python-client style bodies with explicit nulls", async () => {
      const a = await op("add", { ids: ["p1", "p2"], embeddings: [[1, 0, 1], [0, 1, 1]], metadatas: null, documents: null, uris: null });
      assert.equal(a.status, 201);
      const g = await op("get", { ids: null, where: null, sort: null, limit: null, offset: null, where_document: null, include: ["metadatas", "documents"] });
      assert.equal(g.status, 200, g.text);
      assert.deepEqual(g.json.ids, ["b", "c", "e", "p1", "p2"]);
      const q = await op("query", { query_embeddings: [[1, 0, 1]], n_results: 2, where: null, where_document: null, include: ["documents", "metadatas", "distances"] });
      assert.equal(q.status, 200, q.text);
      assert.equal(q.json.ids[0][0], "p1");
      assert.deepEqual(q.json.included, ["distances", "documents", "metadatas"]);
    });
  });
}

// ---------------------------------------------------------------- concurrency
test("concurrent writers and readers on one collection (raw v2)", async () => {
  const P = paths.v2;
  const r = await raw(srv, "POST", P.collections(), { name: collName("conc") });
  const id = r.json.id;
  const W = 16;
  const PER = 50;
  const writes = Array.from({ length: W }, (_, w) => raw(srv, "POST", P.op(id, "add"), {
    ids: Array.from({ length: PER }, (_, i) => `w${w}_${i}`),
    embeddings: Array.from({ length: PER }, (_, i) => [w, i, 1]),
    metadatas: Array.from({ length: PER }, (_, i) => ({ w, i })),
  }));
  const reads = Array.from({ length: W }, () => raw(srv, "POST", P.op(id, "query"), { query_embeddings: [[1, 1, 1]], n_results: 5, include: ["distances"] }));
  const counts = Array.from({ length: W }, () => raw(srv, "GET", P.op(id, "count")));
  const all = await Promise.all([...writes, ...reads, ...counts]);
  all.slice(0, W).forEach((x) => assert.equal(x.status, 201, x.text));
  all.slice(W, 2 * W).forEach((x) => assert.equal(x.status, 200, x.text));
  all.slice(2 * W).forEach((x) => assert.ok(x.status === 200 && Number.isInteger(x.json) && x.json >= 0 && x.json <= W * PER));
  assert.equal((await raw(srv, "GET", P.op(id, "count"))).json, W * PER);
  // every writer's records are complete and in one piece
  for (let w = 0; w < W; w++) {
    const g = await raw(srv, "POST", P.op(id, "get"), { where: { w }, include: ["metadatas"] });
    assert.equal(g.json.ids.length, PER, `writer ${w}`);
    // a batch keeps its request order
    assert.deepEqual(g.json.ids, Array.from({ length: PER }, (_, i) => `w${w}_${i}`));
  }
  // concurrent upserts/deletes on overlapping ids leave a consistent state
  const ops = [];
  for (let k = 0; k < 20; k++) {
    ops.push(raw(srv, "POST", P.op(id, "upsert"), { ids: ["hot"], embeddings: [[k, k, k]], metadatas: [{ k }] }));
    ops.push(raw(srv, "POST", P.op(id, "get"), { ids: ["hot"], include: ["metadatas", "embeddings"] }));
  }
  (await Promise.all(ops)).forEach((x) => assert.equal(x.status, 200, x.text));
  const hot = await raw(srv, "POST", P.op(id, "get"), { ids: ["hot"], include: ["metadatas", "embeddings"] });
  assert.equal(hot.json.ids.length, 1);
  const k = hot.json.metadatas[0].k;
  assert.deepEqual(hot.json.embeddings[0], [k, k, k], "metadata and vector of one upsert must stay together");
});

// ---------------------------------------------------------------- chromadb@1.8.1 (/api/v1)
describe("chromadb@1.8.1 client (/api/v1)", () => {
  test("full record lifecycle", async () => {
    const c = v1Client(srv);
    const col = await c.createCollection({ name: collName("rec_js1"), embeddingFunction: noEmbed });
    const s = clone(SEED);
    const addRes = await col.add({ ids: s.ids, embeddings: s.embeddings, metadatas: s.metadatas, documents: s.documents });
    assert.equal(addRes, true);
    assert.equal(await col.count(), 5);

    let g = await col.get();
    assert.deepEqual(g.ids, SEED.ids);
    assert.deepEqual(g.documents, SEED.documents);
    assert.deepEqual(g.metadatas, SEED.metadatas);

    g = await col.get({ ids: ["c", "a", "zzz"], include: ["embeddings", "documents"] });
    assert.deepEqual(g.ids, ["a", "c"]);
    assertClose(g.embeddings, [[1, 0, 0], [0, 0, 1]]);
    assert.equal(g.metadatas, null);

    g = await col.get({ limit: 2, offset: 2 });
    assert.deepEqual(g.ids, ["c", "d"]);

    // re-add existing: ignored
    await col.add({ ids: ["a"], embeddings: [[5, 5, 5]], documents: ["changed"] });
    g = await col.get({ ids: ["a"] });
    assert.deepEqual(g.documents, ["apple pie"]);

    // update: merge and null-delete (the 1.8.1 client passes nulls through)
    assert.equal(await col.update({ ids: ["a"], metadatas: [{ n: 11, tmp: "t" }] }), null);
    g = await col.get({ ids: ["a"] });
    assert.deepEqual(g.metadatas[0], { color: "red", n: 11, score: 1.5, flag: true, tmp: "t" });
    await col.update({ ids: ["a"], metadatas: [{ tmp: null, color: null }] });
    g = await col.get({ ids: ["a"] });
    assert.deepEqual(g.metadatas[0], { n: 11, score: 1.5, flag: true });

    // upsert existing + new
    assert.equal(await col.upsert({ ids: ["b", "z"], embeddings: [[0, 1, 1], [3, 3, 3]], metadatas: [{ up: 1 }, { up: 2 }], documents: ["b2", "z"] }), null);
    g = await col.get({ include: ["metadatas", "documents"] });
    assert.deepEqual(g.ids, ["a", "b", "c", "d", "e", "z"]);
    assert.deepEqual(g.metadatas[1], { color: "blue", n: 2, score: 2.0, up: 1 });
    assert.equal(g.documents[1], "b2");

    // delete
    assert.equal(await col.delete({ ids: ["z", "unknown"] }), null);
    await col.delete({ where: { color: "green" } });
    await col.delete({ whereDocument: { $contains: "five" } });
    assert.equal(await col.count(), 3);
    g = await col.get({ include: [] });
    assert.deepEqual(g.ids, ["a", "b", "c"]);

    // peek-like get with embeddings
    g = await col.get({ limit: 10, include: ["embeddings", "documents", "metadatas"] });
    assert.equal(g.embeddings.length, 3);
  });
});

// ---------------------------------------------------------------- chromadb@3 (/api/v2)
describe("chromadb@3 client (/api/v2)", () => {
  test("full record lifecycle", async () => {
    const c = v3Client(srv);
    const col = await c.createCollection({ name: collName("rec_js3"), embeddingFunction: null });
    const s = clone(SEED);
    await col.add({ ids: s.ids, embeddings: s.embeddings, metadatas: s.metadatas, documents: s.documents });
    assert.equal(await col.count(), 5);

    let g = await col.get();
    assert.deepEqual(g.ids, SEED.ids);
    assert.deepEqual(g.documents, SEED.documents);
    assert.deepEqual(g.metadatas, SEED.metadatas);
    assert.deepEqual([...g.include].sort(), ["documents", "metadatas"]);
    const rows = g.rows();
    assert.equal(rows[2].document, "red apple");

    g = await col.get({ ids: ["e", "a", "zzz"], include: ["embeddings"] });
    assert.deepEqual(g.ids, ["a", "e"]);
    assertClose(g.embeddings, [[1, 0, 0], [0.5, 0.25, 0.125]]);

    g = await col.get({ limit: 2, offset: 3 });
    assert.deepEqual(g.ids, ["d", "e"]);
    g = await col.get({ where: { color: "red" }, include: ["metadatas"] });
    assert.deepEqual(g.ids, ["a", "c"]);

    // re-add existing: ignored
    await col.add({ ids: ["b"], embeddings: [[7, 7, 7]], documents: ["changed"] });
    g = await col.get({ ids: ["b"], include: ["documents", "embeddings"] });
    assert.deepEqual(g.documents, ["blue sky"]);
    assertClose(g.embeddings, [[0, 1, 0]]);

    // update merge (the 3.x client drops null metadata values client-side, so
    // null-deletion is covered by the raw and 1.8.1 tests)
    await col.update({ ids: ["b"], metadatas: [{ n: 20, more: "yes" }] });
    g = await col.get({ ids: ["b"] });
    assert.deepEqual(g.metadatas[0], { color: "blue", n: 20, score: 2.0, more: "yes" });
    await col.update({ ids: ["b"], embeddings: [[0, 2, 0]] });
    g = await col.get({ ids: ["b"], include: ["embeddings", "documents"] });
    assertClose(g.embeddings, [[0, 2, 0]]);
    assert.deepEqual(g.documents, ["blue sky"]);
    await col.update({ ids: ["not-there"], embeddings: [[1, 2, 3]] });
    assert.equal(await col.count(), 5);

    await col.upsert({ ids: ["d", "y"], embeddings: [[1, 1, 1], [2, 2, 2]], metadatas: [{ color: "teal" }, { color: "yellow" }] });
    g = await col.get({ include: ["metadatas"] });
    assert.deepEqual(g.ids, ["a", "b", "c", "d", "e", "y"]);
    assert.deepEqual(g.metadatas[3], { color: "teal", n: 4 });

    await col.delete({ ids: ["y"] });
    await col.delete({ where: { n: { $in: [4, 5] } } });
    await col.delete({ whereDocument: { $contains: "pie" } });
    g = await col.get({ include: [] });
    assert.deepEqual(g.ids, ["b", "c"]);
    assert.equal(await col.count(), 2);
  });
});
