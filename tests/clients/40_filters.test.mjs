// The full where / where_document grammar (CONTRACT section 4), with the
// expected ids written out by hand. Every case runs through get and query on
// raw /api/v1 and /api/v2, and through both clients where they accept the
// filter; invalid filters must be clean 400s that leave the server serving.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { useServer } from "./lib/server.mjs";
import { raw, paths, v1Client, v3Client, noEmbed, collName, addV3 } from "./lib/api.mjs";
import { ChromaClientError } from "chromadb";

const srv = useServer({ tag: "omvec-40" });

const DATA = {
  ids: ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"],
  embeddings: [[1, 0], [0, 1], [1, 1], [2, 0], [0, 2], [3, 3], [1, 2], [2, 1]],
  metadatas: [
    { color: "red", n: 1, score: 1.5, flag: true },
    { color: "blue", n: 2, score: 2.0, flag: false },
    { color: "red", n: 3, score: 2.5 },
    { color: "green", n: 4, score: 3.5, flag: true },
    { color: "blue", n: 5, score: 0.5 },
    { n: 6 },
    null,
    { color: "RED", flag: 1 },
  ],
  documents: ["apple pie", "blue sky", "red apple", "green field", "five things Apple", null, "apple tart", null],
};
const ALL = DATA.ids;

// [label, where (object or raw JSON text), where_document, expected ids]
const CASES = [
  ["implicit $eq string", { color: "red" }, null, ["r1", "r3"]],
  ["$eq string", { color: { $eq: "red" } }, null, ["r1", "r3"]],
  ["$eq is case-sensitive", { color: "RED" }, null, ["r8"]],
  ["$ne string (records lacking the key match)", { color: { $ne: "red" } }, null, ["r2", "r4", "r5", "r6", "r7", "r8"]],
  ["$gt int", { n: { $gt: 3 } }, null, ["r4", "r5", "r6"]],
  ["$gte int", { n: { $gte: 3 } }, null, ["r3", "r4", "r5", "r6"]],
  ["$lt int", { n: { $lt: 2 } }, null, ["r1"]],
  ["$lte int", { n: { $lte: 2 } }, null, ["r1", "r2"]],
  ["$gt float literal on ints", { n: { $gt: 4.5 } }, null, ["r5", "r6"]],
  ["$gt int literal on floats", { score: { $gt: 2 } }, null, ["r3", "r4"]],
  ["$gte int literal on floats", { score: { $gte: 2 } }, null, ["r2", "r3", "r4"]],
  ["$lt float", { score: { $lt: 1.5 } }, null, ["r5"]],
  ["$lte float", { score: { $lte: 1.5 } }, null, ["r1", "r5"]],
  ["$eq int literal matches float 2.0", { score: 2 }, null, ["r2"]],
  ["$eq float literal 2.0 matches int 2", '{"n":{"$eq":2.0}}', null, ["r2"]],
  ["$ne int (lacking key matches)", { n: { $ne: 2 } }, null, ["r1", "r3", "r4", "r5", "r6", "r7", "r8"]],
  ["$in strings", { color: { $in: ["red", "green"] } }, null, ["r1", "r3", "r4"]],
  ["$nin strings (lacking key matches)", { color: { $nin: ["red", "green"] } }, null, ["r2", "r5", "r6", "r7", "r8"]],
  ["$in ints", { n: { $in: [1, 5, 99] } }, null, ["r1", "r5"]],
  ["$in floats", { score: { $in: [0.5, 3.5] } }, null, ["r4", "r5"]],
  ["$nin ints", { n: { $nin: [1, 2, 3] } }, null, ["r4", "r5", "r6", "r7", "r8"]],
  ["bool $eq true matches bools only", { flag: true }, null, ["r1", "r4"]],
  ["bool $eq false", { flag: { $eq: false } }, null, ["r2"]],
  ["int 1 does not match bool true", { flag: 1 }, null, ["r8"]],
  ["bool $ne true", { flag: { $ne: true } }, null, ["r2", "r3", "r5", "r6", "r7", "r8"]],
  ["bool $in", { flag: { $in: [false] } }, null, ["r2"]],
  ["bool $nin", { flag: { $nin: [true] } }, null, ["r2", "r3", "r5", "r6", "r7", "r8"]],
  ["type mismatch string key vs number", { color: 1 }, null, []],
  ["type mismatch number key vs string", { n: "1" }, null, []],
  ["$eq on a key absent everywhere", { nokey: "x" }, null, []],
  ["$ne on a key absent everywhere", { nokey: { $ne: "x" } }, null, ALL],
  ["$and", { $and: [{ color: "red" }, { n: { $gt: 1 } }] }, null, ["r3"]],
  ["$or", { $or: [{ color: "green" }, { n: { $lt: 2 } }] }, null, ["r1", "r4"]],
  ["$and of three", { $and: [{ n: { $gte: 1 } }, { n: { $lte: 4 } }, { flag: { $ne: false } }] }, null, ["r1", "r3", "r4"]],
  ["nested $or/$and", { $or: [{ $and: [{ color: "blue" }, { n: { $gt: 3 } }] }, { flag: true }] }, null, ["r1", "r4", "r5"]],
  ["nested $and/$or", { $and: [{ $or: [{ color: "red" }, { color: "blue" }] }, { $or: [{ n: 1 }, { n: 5 }] }] }, null, ["r1", "r5"]],
  ["where {} means no filter", {}, null, ALL],
  ["where_document {} means no filter", null, {}, ALL],
  ["$contains (case-sensitive substring)", null, { $contains: "apple" }, ["r1", "r3", "r7"]],
  ["$contains capitalised", null, { $contains: "Apple" }, ["r5"]],
  ["$contains mid-word substring", null, { $contains: "ppl" }, ["r1", "r3", "r5", "r7"]],
  ["$contains with a space", null, { $contains: "e p" }, ["r1"]],
  ["$not_contains (records without a document match)", null, { $not_contains: "apple" }, ["r2", "r4", "r5", "r6", "r8"]],
  ["where_document $and", null, { $and: [{ $contains: "apple" }, { $contains: "red" }] }, ["r3"]],
  ["where_document $or", null, { $or: [{ $contains: "sky" }, { $contains: "field" }] }, ["r2", "r4"]],
  ["where_document nested", null, { $and: [{ $or: [{ $contains: "pie" }, { $contains: "tart" }] }, { $not_contains: "tart" }] }, ["r1"]],
  ["where + where_document", { color: "red" }, { $contains: "pie" }, ["r1"]],
  ["where + $not_contains", { n: { $gte: 3 } }, { $not_contains: "e" }, ["r6"]],
];

function bodyWith(c, extra) {
  const [, where, wd] = c;
  const parts = [];
  if (where !== null) parts.push(`"where":${typeof where === "string" ? where : JSON.stringify(where)}`);
  if (wd !== null) parts.push(`"where_document":${JSON.stringify(wd)}`);
  for (const [k, v] of Object.entries(extra)) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${parts.join(",")}}`;
}

// Lazily created per API version, so a failure on one path does not cancel the other.
const pending = {};
const collId = (ver) => (pending[ver] ??= (async () => {
  const r = await raw(srv, "POST", paths[ver].collections(), { name: collName(`flt_${ver}`) });
  assert.equal(r.status, 200, r.text);
  // r2's score must be stored as the float 2.0 (JSON.stringify would write 2)
  const body = JSON.stringify(DATA).replace('"score":2,', '"score":2.0,');
  assert.ok(body.includes('"score":2.0,'));
  const a = await raw(srv, "POST", paths[ver].op(r.json.id, "add"), body);
  assert.equal(a.status, 201, a.text);
  return r.json.id;
})());

for (const ver of ["v1", "v2"]) {
  const P = paths[ver];
  describe(`raw ${ver}`, () => {
    for (const c of CASES) {
      test(`get: ${c[0]}`, async () => {
        const r = await raw(srv, "POST", P.op(await collId(ver), "get"), bodyWith(c, { include: [] }));
        assert.equal(r.status, 200, `${bodyWith(c, {})} -> ${r.status} ${r.text}`);
        assert.deepEqual(r.json.ids, c[3]);
      });
    }
    test("query with each filter returns exactly the matching records (n_results = 8)", async () => {
      for (const c of CASES) {
        const r = await raw(srv, "POST", P.op(await collId(ver), "query"), bodyWith(c, { query_embeddings: [[0, 0]], n_results: 8, include: ["distances"] }));
        assert.equal(r.status, 200, `${c[0]}: ${r.status} ${r.text}`);
        assert.deepEqual([...r.json.ids[0]].sort(), [...c[3]].sort(), c[0]);
      }
    });
    test("ids + where is the intersection", async () => {
      const r = await raw(srv, "POST", P.op(await collId(ver), "get"), { ids: ["r1", "r2", "r3", "r8"], where: { color: "red" }, include: [] });
      assert.deepEqual(r.json.ids, ["r1", "r3"]);
    });
  });
}

// ---- errors: each is a clean 400 InvalidArgumentError and the server keeps serving
const BAD = [
  ["where_document $regex", { where_document: { $regex: "^ap" } }],
  ["where_document $not_regex", { where_document: { $not_regex: "^ap" } }],
  ["where unknown operator $foo", { where: { n: { $foo: 1 } } }],
  ["where $gt with a string operand", { where: { n: { $gt: "x" } } }],
  ["where $in empty list", { where: { n: { $in: [] } } }],
  ["where $in mixed types", { where: { n: { $in: [1, "x"] } } }],
  ["where $and with one element", { where: { $and: [{ n: 1 }] } }],
  ["where $and not a list", { where: { $and: { n: 1 } } }],
  ["where two keys at top level", { where: { n: 1, color: "red" } }],
  ["where operator object with two ops", { where: { n: { $gt: 1, $lt: 5 } } }],
  ["where null value", { where: { n: null } }],
  ["where bare list value", { where: { n: [1, 2] } }],
  ["where $contains on metadata", { where: { color: { $contains: "r" } } }],
  ["where_document unknown op", { where_document: { $foo: "x" } }],
  ["where_document $contains non-string", { where_document: { $contains: 1 } }],
  ["where_document $contains empty string", { where_document: { $contains: "" } }],
];

for (const ver of ["v1", "v2"]) {
  const P = paths[ver];
  describe(`raw ${ver} invalid filters`, () => {
    for (const [label, body] of BAD) {
      test(`${label} -> 400 InvalidArgumentError (get, query, delete)`, async () => {
        for (const [o, extra] of [["get", {}], ["query", { query_embeddings: [[1, 0]] }], ["delete", {}]]) {
          const r = await raw(srv, "POST", P.op(await collId(ver), o), { ...body, ...extra });
          assert.equal(r.status, 400, `${o} ${JSON.stringify(body)} -> ${r.status} ${r.text}`);
          assert.equal(r.json?.error, "InvalidArgumentError", `${o}: ${r.text}`);
          assert.equal(typeof r.json?.message, "string");
        }
        const hb = await raw(srv, "GET", "/api/v2/heartbeat");
        assert.equal(hb.status, 200);
        const c = await raw(srv, "GET", P.op(await collId(ver), "count"));
        assert.equal(c.json, DATA.ids.length, "a rejected delete must not delete anything");
      });
    }
  });
}

describe("chromadb@1.8.1 client filters", () => {
  let col;
  before(async () => {
    col = await v1Client(srv).createCollection({ name: collName("flt_js1"), embeddingFunction: noEmbed });
    const r = await col.add({ ...DATA, metadatas: DATA.metadatas.map((m) => m ?? {}) });
    assert.equal(r, true);
  });
  test("every case via collection.get / collection.query", async () => {
    for (const c of CASES) {
      const where = typeof c[1] === "string" ? undefined : c[1] ?? undefined;
      if (typeof c[1] === "string") continue;
      const g = await col.get({ where, whereDocument: c[2] ?? undefined, include: [] });
      assert.ok(!g.error, `${c[0]}: ${g.error}`);
      assert.deepEqual(g.ids, c[3], c[0]);
      const q = await col.query({ queryEmbeddings: [[0, 0]], nResults: 8, where, whereDocument: c[2] ?? undefined, include: ["distances"] });
      assert.ok(!q.error, `${c[0]}: ${q.error}`);
      assert.deepEqual([...q.ids[0]].sort(), [...c[3]].sort(), c[0]);
    }
  });
  test("$regex is refused with InvalidArgumentError and the collection still answers", async () => {
    const g = await col.get({ whereDocument: { $regex: "a.*" } });
    assert.equal(g.error, "InvalidArgumentError");
    assert.equal(await col.count(), 8);
  });
});

describe("chromadb@3 client filters", () => {
  let col;
  before(async () => {
    col = await v3Client(srv).createCollection({ name: collName("flt_js3"), embeddingFunction: null });
    await addV3(col, DATA);
  });
  test("every case the client accepts via collection.get / collection.query", async () => {
    let ran = 0;
    for (const c of CASES) {
      if (typeof c[1] === "string") continue;
      const where = c[1] && Object.keys(c[1]).length ? c[1] : undefined; // 3.x refuses {} client-side
      const whereDocument = c[2] && Object.keys(c[2]).length ? c[2] : undefined;
      const g = await col.get({ where, whereDocument, include: [] });
      assert.deepEqual(g.ids, c[3], c[0]);
      const q = await col.query({ queryEmbeddings: [[0, 0]], nResults: 8, where, whereDocument, include: ["distances"] });
      assert.deepEqual([...q.ids[0]].sort(), [...c[3]].sort(), c[0]);
      ran++;
    }
    assert.ok(ran > 40);
  });
  test("$regex is refused with a 400 (ChromaClientError) and the server keeps serving", async () => {
    await assert.rejects(col.get({ whereDocument: { $regex: "a.*" } }), ChromaClientError);
    await assert.rejects(col.query({ queryEmbeddings: [[0, 0]], whereDocument: { $not_regex: "a" } }), ChromaClientError);
    assert.equal(await col.count(), 8);
    const g = await col.get({ whereDocument: { $contains: "apple" }, include: [] });
    assert.deepEqual(g.ids, ["r1", "r3", "r7"]);
  });
});
