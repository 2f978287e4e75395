// Error handling: status codes, {"error","message"} bodies, and that a
// rejected batch stores nothing.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { useServer } from "./lib/server.mjs";
import { raw, paths, v1Client, v3Client, noEmbed, collName } from "./lib/api.mjs";
import { ChromaClientError } from "chromadb";

const srv = useServer({ tag: "omvec-50" });

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";

function assertError(r, status, name, ctx = "") {
  assert.equal(r.status, status, `${ctx} -> ${r.status} ${r.text}`);
  assert.match(r.contentType || "", /application\/json/, `${ctx}: content-type`);
  assert.ok(r.json && typeof r.json === "object", `${ctx}: body is not a JSON object: ${r.text}`);
  if (name) {
    assert.equal(r.json.error, name, `${ctx}: ${r.text}`);
    assert.equal(typeof r.json.message, "string", `${ctx}: message`);
  }
}

/** 422 as 0.5.23 answers request-schema problems: FastAPI's "detail" list, plus a named error and message (the JS 3.x client reads "message" on 422). */
function assertValidation(r, ctx) {
  assertError(r, 422, "ValidationError", ctx);
  assert.ok(Array.isArray(r.json.detail) && r.json.detail.length > 0, `${ctx}: detail list: ${r.text}`);
  for (const d of r.json.detail) assert.ok(Array.isArray(d.loc) && typeof d.msg === "string", `${ctx}: detail item: ${r.text}`);
}

for (const ver of ["v1", "v2"]) {
  const P = paths[ver];
  describe(`raw ${ver}`, () => {
    let id;
    const op = (o, body) => raw(srv, "POST", P.op(id, o), body);
    const count = async () => (await raw(srv, "GET", P.op(id, "count"))).json;
    before(async () => {
      const r = await raw(srv, "POST", P.collections(), { name: collName(`err_${ver}`) });
      id = r.json.id;
      const a = await op("add", { ids: ["a", "b", "c"], embeddings: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], documents: ["x", "y", "z"] });
      assert.equal(a.status, 201);
    });

    test("wrong dimension -> 400 InvalidDimension on add, upsert, update, query; nothing stored", async () => {
      assertError(await op("add", { ids: ["w"], embeddings: [[1, 2, 3, 4]] }), 400, "InvalidDimension", "add");
      assertError(await op("upsert", { ids: ["w"], embeddings: [[1, 2]] }), 400, "InvalidDimension", "upsert");
      assertError(await op("update", { ids: ["a"], embeddings: [[1, 2]] }), 400, "InvalidDimension", "update");
      assertError(await op("query", { query_embeddings: [[1, 2]], n_results: 1 }), 400, "InvalidDimension", "query");
      assertError(await op("query", { query_embeddings: [[1, 0, 0], [1, 2]], n_results: 1 }), 400, "InvalidDimension", "query 2nd vector");
      assert.equal(await count(), 3);
      const g = await op("get", { ids: ["a"], include: ["embeddings"] });
      assert.deepEqual(g.json.embeddings, [[1, 0, 0]]);
    });

    test("a batch with one bad vector (mixed dimensions) stores nothing", async () => {
      const r = await op("add", { ids: ["m1", "m2", "m3"], embeddings: [[1, 1, 1], [2, 2], [3, 3, 3]] });
      assert.ok(r.status === 400, `mixed dims -> ${r.status} ${r.text}`);
      assert.ok(r.json && typeof r.json.error === "string");
      assert.equal(await count(), 3);
      assert.deepEqual((await op("get", { ids: ["m1", "m2", "m3"] })).json.ids, []);
      const u = await op("upsert", { ids: ["a", "m4"], embeddings: [[5, 5, 5], [1, 2]] });
      assert.equal(u.status, 400, u.text);
      const g = await op("get", { ids: ["a", "m4"], include: ["embeddings"] });
      assert.deepEqual(g.json.ids, ["a"]);
      assert.deepEqual(g.json.embeddings, [[1, 0, 0]], "rejected upsert must not touch existing records");
    });

    test("add / upsert without embeddings -> 400 InvalidArgumentError, nothing stored", async () => {
      assertError(await op("add", { ids: ["n1"], documents: ["text only"] }), 400, "InvalidArgumentError", "add no embeddings");
      assertError(await op("add", { ids: ["n1"], embeddings: null, documents: ["text only"] }), 400, "InvalidArgumentError", "add embeddings null");
      assertError(await op("upsert", { ids: ["n1"], documents: ["text only"] }), 400, "InvalidArgumentError", "upsert no embeddings");
      assert.equal(await count(), 3);
      // the collection is still healthy afterwards
      assert.equal((await op("add", { ids: ["ok1"], embeddings: [[1, 1, 1]] })).status, 201);
      assert.equal(await count(), 4);
      await op("delete", { ids: ["ok1"] });
    });

    test("array length mismatch -> 400, nothing stored", async () => {
      const r = await op("add", { ids: ["l1", "l2"], embeddings: [[0, 0, 1]] });
      assertError(r, 400, "InvalidArgumentError", "ids/embeddings mismatch");
      const r2 = await op("add", { ids: ["l1", "l2"], embeddings: [[0, 0, 1], [0, 1, 1]], documents: ["one"] });
      assertError(r2, 400, "InvalidArgumentError", "ids/documents mismatch");
      assert.equal(await count(), 3);
    });

    test("non-scalar metadata on add -> 400 InvalidArgumentError, nothing stored", async () => {
      assertError(await op("add", { ids: ["o1", "o2"], embeddings: [[0, 0, 1], [0, 1, 1]], metadatas: [{ a: 1 }, { a: { b: 1 } }] }), 400, "InvalidArgumentError", "nested object");
      assertError(await op("add", { ids: ["o1"], embeddings: [[0, 0, 1]], metadatas: [{ a: [1, 2] }] }), 400, "InvalidArgumentError", "list value");
      assert.equal(await count(), 3);
    });

    test("NaN-like vector components (\"NaN\" string, overflow to +-inf) -> 400 with {error, message}", async () => {
      for (const body of [
        '{"ids":["nan1"],"embeddings":[["NaN",0,0]]}',
        '{"ids":["nan1"],"embeddings":[[1e999,0,0]]}',
        '{"ids":["nan1"],"embeddings":[[-1e999,0,0]]}',
      ]) {
        const r = await raw(srv, "POST", P.op(id, "add"), body);
        assertError(r, 400, null, body);
        assert.equal(typeof r.json.error, "string", `${body}: ${r.text}`);
        assert.equal(typeof r.json.message, "string", `${body}: ${r.text}`);
      }
      const q = await raw(srv, "POST", P.op(id, "query"), '{"query_embeddings":[[1e999,0,0]],"n_results":1}');
      assertError(q, 400, null, "query with inf");
      assert.equal(typeof q.json.error, "string");
      assert.equal(await count(), 3);
    });

    test("wrongly typed fields -> 400 or 422 with a JSON error body, nothing stored", async () => {
      for (const body of [
        '{"ids":["t1"],"embeddings":[[null,0,0]]}',
        '{"ids":["t1"],"embeddings":[[true,0,0]]}',
        '{"ids":["t1"],"embeddings":[[{},0,0]]}',
        '{"ids":["t1"],"embeddings":[1,0,0]}',
        '{"ids":"t1","embeddings":[[1,0,0]]}',
        '{"ids":["t1"],"embeddings":[[1,0,0]],"documents":[5]}',
        '{"ids":["t1"],"embeddings":[[1,0,0]],"metadatas":"x"}',
        '[1,2,3]',
      ]) {
        const r = await raw(srv, "POST", P.op(id, "add"), body);
        assert.ok(r.status === 400 || r.status === 422, `${body} -> ${r.status} ${r.text}`);
        assert.ok(r.json && typeof r.json === "object" && ("error" in r.json || "detail" in r.json), `${body}: ${r.text}`);
      }
      assert.equal(await count(), 3);
    });

    test("literal NaN / Infinity tokens and malformed JSON -> 4xx with a JSON body", async () => {
      for (const body of [
        '{"ids":["nan2"],"embeddings":[[NaN,0,0]]}',
        '{"ids":["nan2"],"embeddings":[[Infinity,0,0]]}',
        "{not json",
        '{"ids": [',
        '{"ids":["x"],"embeddings":[[1,0,0]]} trailing',
        "",
      ]) {
        const r = await raw(srv, "POST", P.op(id, "add"), body);
        assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(body)} -> ${r.status} ${r.text}`);
        assert.ok(r.json && typeof r.json === "object", `${JSON.stringify(body)}: body not JSON: ${r.text}`);
      }
      const bad = await raw(srv, "POST", P.collections(), "{not json");
      assertValidation(bad, "bad JSON on create collection");
      assert.equal(await count(), 3);
    });

    test("empty, malformed or non-object bodies and missing required fields -> 422 (0.5.23's FastAPI answer), checked before the collection lookup", async () => {
      // the recordings: an empty body or bad JSON to /get of an unknown collection is 422, not 400 InvalidCollection
      for (const coll of [id, MISSING_UUID]) {
        for (const [o, body, what] of [
          ["get", "", "empty body"],
          ["get", '{"ids": [', "truncated JSON"],
          ["query", "{not json", "malformed JSON"],
          ["add", "[1,2]", "an array body"],
          ["add", '"text"', "a string body"],
          ["add", { embeddings: [[1, 0, 0]] }, "add without ids"],
          ["upsert", { ids: null, embeddings: [[1, 0, 0]] }, "upsert with ids null"],
          ["update", { ids: "a" }, "update with ids not a list"],
          ["query", { n_results: 1 }, "query without query_embeddings"],
        ]) {
          assertValidation(await raw(srv, "POST", P.op(coll, o), body), `${what} (${coll === id ? "existing" : "unknown"} collection)`);
        }
      }
      // query_texts is embedded on the server when the collection has an embedder
      // (70_ontology); this one has none: a clear 400, and an unknown one is InvalidCollection
      const qt = await raw(srv, "POST", P.op(id, "query"), { query_texts: ["x"] });
      assert.equal(qt.status, 400, qt.text);
      assert.match(qt.json.message, /embedding function/);
      assertError(await raw(srv, "POST", P.op(MISSING_UUID, "query"), { query_texts: ["x"] }), 400, "InvalidCollection", "query_texts on an unknown collection");
      assertValidation(await raw(srv, "POST", P.collections(), ""), "empty body on create collection");
      assertValidation(await raw(srv, "POST", P.collections(), { metadata: { a: 1 } }), "create without name");
      // delete may come without a body, the filter check then answers
      assertError(await raw(srv, "POST", P.op(MISSING_UUID, "delete"), ""), 400, "InvalidCollection", "empty delete on unknown collection");
      assert.equal(await count(), 3);
    });

    test("a JSON body sent as text/plain is parsed (CONTRACT 9.5; fetch sends text/plain for string bodies)", async () => {
      const body = JSON.stringify({ ids: ["tp"], embeddings: [[0.5, 0.5, 0.5]] });
      const r = await raw(srv, "POST", P.op(id, "add"), body, { "content-type": "text/plain;charset=UTF-8" });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual((await op("get", { ids: ["tp"] })).json.ids, ["tp"]);
      assert.equal((await op("delete", { ids: ["tp"] })).status, 200);
      assert.equal(await count(), 3);
    });

    test("unknown collection UUID -> 400 InvalidCollection for every record operation", async () => {
      for (const [m, o, body] of [
        ["POST", "add", { ids: ["a"], embeddings: [[1, 2, 3]] }],
        ["POST", "upsert", { ids: ["a"], embeddings: [[1, 2, 3]] }],
        ["POST", "update", { ids: ["a"], embeddings: [[1, 2, 3]] }],
        ["POST", "get", {}],
        ["POST", "query", { query_embeddings: [[1, 2, 3]] }],
        ["POST", "delete", { ids: ["a"] }],
        ["GET", "count", undefined],
      ]) {
        assertError(await raw(srv, m, P.op(MISSING_UUID, o), body), 400, "InvalidCollection", `${o} on missing collection`);
      }
      assertError(await raw(srv, "PUT", P.collection(MISSING_UUID), { new_name: "zzz_new" }), 400, "InvalidCollection", "modify missing");
      assertError(await raw(srv, "GET", P.collection("no_such_collection")), 400, "InvalidCollection", "get missing by name");
      assertError(await raw(srv, "DELETE", P.collection("no_such_collection")), 400, "InvalidArgumentError", "delete missing by name");
    });

    test("malformed UUID in the path -> 400 InvalidUUID", async () => {
      for (const [m, o, body] of [["POST", "get", {}], ["GET", "count", undefined], ["POST", "add", { ids: ["a"], embeddings: [[1, 2, 3]] }], ["POST", "query", { query_embeddings: [[1, 2, 3]] }]]) {
        assertError(await raw(srv, m, P.op("not-a-uuid", o), body), 400, "InvalidUUID", `${o} bad uuid`);
      }
      assertError(await raw(srv, "PUT", P.collection("not-a-uuid"), { new_name: "abc" }), 400, "InvalidUUID", "modify bad uuid");
    });

    test("oversized batch (> max_batch_size 41666) is refused and stores nothing", async () => {
      const n = 41667;
      const idsArr = Array.from({ length: n }, (_, i) => `big${i}`);
      const emb = Array.from({ length: n }, () => [0.5, 0.5, 0.5]);
      const r = await op("add", { ids: idsArr, embeddings: emb });
      assertError(r, 400, null, "oversized batch");
      assert.equal(typeof r.json.error, "string");
      assert.equal(await count(), 3);
    });

    test("a batch of exactly max_batch_size (41666) is accepted", async () => {
      const n = 41666;
      const ids = Array.from({ length: n }, (_, i) => `max${i}`);
      const r = await op("add", { ids, embeddings: ids.map((_, i) => [i % 7, 1, 0.5]), metadatas: ids.map(() => ({ bulk: true })) });
      assert.equal(r.status, 201, r.text.slice(0, 300));
      assert.equal(await count(), 3 + n);
      const d = await op("delete", { where: { bulk: true } });
      assert.equal(d.status, 200, d.text);
      assert.equal(await count(), 3);
    });

    test("query: empty query_embeddings -> 400 InvalidArgumentError", async () => {
      assertError(await op("query", { query_embeddings: [], n_results: 1 }), 400, "InvalidArgumentError", "empty query_embeddings");
    });

    test("include with an unknown value -> 422", async () => {
      const r = await op("get", { include: ["bogus"] });
      assert.equal(r.status, 422, r.text);
      const q = await op("query", { query_embeddings: [[1, 0, 0]], include: ["nope"] });
      assert.equal(q.status, 422, q.text);
    });

    test("sort (unsupported by 0.5.23) is refused without hurting the server", async () => {
      const r = await op("get", { sort: "id" });
      assert.ok(r.status >= 400, `${r.status} ${r.text}`);
      assert.ok(r.json && typeof r.json.error === "string");
      assert.equal((await raw(srv, "GET", "/api/v2/heartbeat")).status, 200);
    });
  });
}

describe("errors through the clients", () => {
  test("chromadb@1.8.1: wrong dimension and missing collection come back as error names", async () => {
    const c = v1Client(srv);
    const col = await c.createCollection({ name: collName("err_js1"), embeddingFunction: noEmbed });
    assert.equal(await col.add({ ids: ["a"], embeddings: [[1, 2, 3]] }), true);
    const bad = await col.add({ ids: ["b"], embeddings: [[1, 2]] });
    assert.equal(bad.error, "InvalidDimension");
    const q = await col.query({ queryEmbeddings: [[1, 2, 3, 4]], nResults: 1 });
    assert.equal(q.error, "InvalidDimension");
    assert.equal(await col.count(), 1);
    const missing = await c.getCollection({ name: "does_not_exist_js1", embeddingFunction: noEmbed }).catch((e) => e);
    assert.ok(missing instanceof Error);
    assert.match(missing.message, /InvalidCollection/);
  });

  test("chromadb@3: wrong dimension and missing collection raise ChromaClientError (400)", async () => {
    const c = v3Client(srv);
    const col = await c.createCollection({ name: collName("err_js3"), embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 2, 3]] });
    await assert.rejects(col.add({ ids: ["b"], embeddings: [[1, 2]] }), ChromaClientError);
    await assert.rejects(col.upsert({ ids: ["b"], embeddings: [[1, 2]] }), ChromaClientError);
    await assert.rejects(col.query({ queryEmbeddings: [[1, 2, 3, 4]], nResults: 1 }), ChromaClientError);
    assert.equal(await col.count(), 1);
    await assert.rejects(c.getCollection({ name: "does_not_exist_js3" }), ChromaClientError);
    await assert.rejects(c.deleteCollection({ name: "does_not_exist_js3" }), ChromaClientError);
  });
});
