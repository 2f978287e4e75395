// Collections: create/get/list/count/modify/delete, get_or_create, 409, for both clients.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { useServer } from "./lib/server.mjs";
import { raw, paths, v1Client, v3Client, noEmbed, collName } from "./lib/api.mjs";
import { ChromaUniqueError, ChromaClientError } from "chromadb";

const srv = useServer({ tag: "omvec-20" });

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COLLECTION_KEYS = ["configuration_json", "database", "dimension", "id", "log_position", "metadata", "name", "tenant", "version"];

/** The strict 0.5.23 collection shape (CONTRACT section 5 + 9.2). */
function checkCollectionShape(c, { name, metadata, space = null } = {}) {
  assert.deepEqual(Object.keys(c).sort(), COLLECTION_KEYS, `collection keys: ${Object.keys(c)}`);
  assert.match(c.id, UUID_RE);
  if (name !== undefined) assert.equal(c.name, name);
  if (metadata !== undefined) assert.deepEqual(c.metadata, metadata);
  assert.equal(c.tenant, "default_tenant");
  assert.equal(c.database, "default_database");
  const cfg = c.configuration_json;
  assert.equal(cfg._type, "CollectionConfigurationInternal");
  assert.deepEqual(Object.keys(cfg).sort(), ["_type", "hnsw_configuration"]);
  const h = cfg.hnsw_configuration;
  assert.equal(h._type, "HNSWConfigurationInternal");
  assert.deepEqual(Object.keys(h).sort(),
    ["M", "_type", "batch_size", "ef_construction", "ef_search", "num_threads", "resize_factor", "space", "sync_threshold"]);
  assert.ok(["l2", "ip", "cosine"].includes(h.space));
  if (space) assert.ok(h.space === space || h.space === "l2", `space ${h.space}`);
  for (const k of ["M", "batch_size", "ef_construction", "ef_search", "num_threads", "sync_threshold"]) {
    assert.ok(Number.isInteger(h[k]), `${k} must be an int`);
  }
  assert.ok(h.batch_size <= h.sync_threshold);
}

/** resize_factor must be written as a JSON float (e.g. 1.2 or 2.0, never 2). */
function checkResizeFactorIsFloat(text) {
  const m = /"resize_factor"\s*:\s*([-0-9.eE+]+)/.exec(text);
  assert.ok(m, "resize_factor missing");
  assert.match(m[1], /[.eE]/, `resize_factor written as an int: ${m[1]}`);
}

for (const ver of ["v1", "v2"]) {
  const P = paths[ver];
  describe(`raw ${ver} collection endpoints`, () => {
    test("create returns the strict 0.5.23 collection object; dimension null until first write", async () => {
      const name = collName(`raw_${ver}`);
      const r = await raw(srv, "POST", P.collections(), { name, metadata: { source: "t", version: 1, f: 1.5, b: true } });
      assert.equal(r.status, 200, r.text);
      checkCollectionShape(r.json, { name, metadata: { source: "t", version: 1, f: 1.5, b: true } });
      checkResizeFactorIsFloat(r.text);
      assert.equal(r.json.dimension, null);
      const id = r.json.id;
      const a = await raw(srv, "POST", P.op(id, "add"), { ids: ["x"], embeddings: [[1, 2, 3, 4]] });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json, true);
      const g = await raw(srv, "GET", P.collection(name));
      assert.equal(g.status, 200);
      checkCollectionShape(g.json, { name });
      assert.equal(g.json.dimension, 4);
      assert.equal(g.json.id, id);
    });

    test("list is ordered by id and honours limit/offset; count_collections", async () => {
      const names = [collName(`lst_${ver}`), collName(`lst_${ver}`), collName(`lst_${ver}`)];
      for (const n of names) assert.equal((await raw(srv, "POST", P.collections(), { name: n })).status, 200);
      const all = await raw(srv, "GET", P.collections());
      assert.equal(all.status, 200);
      assert.ok(Array.isArray(all.json));
      all.json.forEach((c) => checkCollectionShape(c));
      const ids = all.json.map((c) => c.id);
      assert.deepEqual(ids, [...ids].sort(), "list must be ordered by collection id");
      for (const n of names) assert.ok(all.json.some((c) => c.name === n));
      const cnt = await raw(srv, "GET", P.countCollections());
      assert.equal(cnt.status, 200);
      assert.equal(cnt.json, all.json.length);
      const page = await raw(srv, "GET", P.collections(ver === "v1" ? "?limit=2&offset=1&tenant=default_tenant&database=default_database" : "?limit=2&offset=1"));
      assert.equal(page.status, 200);
      assert.deepEqual(page.json.map((c) => c.id), ids.slice(1, 3));
      const tail = await raw(srv, "GET", P.collections(`?offset=${ids.length - 1}`));
      assert.deepEqual(tail.json.map((c) => c.id), ids.slice(-1));
    });

    test("duplicate name answers 409 UniqueConstraintError; get_or_create returns the existing one unchanged", async () => {
      const name = collName(`dup_${ver}`);
      const r1 = await raw(srv, "POST", P.collections(), { name, metadata: { m: 1 } });
      assert.equal(r1.status, 200);
      const r2 = await raw(srv, "POST", P.collections(), { name, metadata: { m: 2 } });
      assert.equal(r2.status, 409);
      assert.equal(r2.json.error, "UniqueConstraintError");
      assert.equal(typeof r2.json.message, "string");
      const r3 = await raw(srv, "POST", P.collections(), { name, metadata: { m: 3 }, get_or_create: true });
      assert.equal(r3.status, 200);
      assert.equal(r3.json.id, r1.json.id);
      assert.deepEqual(r3.json.metadata, { m: 1 });
    });

    test("modify name and metadata (PUT -> 200 null); old name is gone", async () => {
      const name = collName(`mod_${ver}`);
      const r = await raw(srv, "POST", P.collections(), { name, metadata: { a: 1 } });
      const id = r.json.id;
      const newName = name + "_renamed";
      const m = await raw(srv, "PUT", P.collection(id), { new_name: newName, new_metadata: { b: "two" } });
      assert.equal(m.status, 200, m.text);
      assert.equal(m.json, null);
      const g = await raw(srv, "GET", P.collection(newName));
      assert.equal(g.status, 200);
      assert.equal(g.json.id, id);
      assert.deepEqual(g.json.metadata, { b: "two" });
      const old = await raw(srv, "GET", P.collection(name));
      assert.equal(old.status, 400);
      assert.equal(old.json.error, "InvalidCollection");
      // metadata only, name only
      assert.equal((await raw(srv, "PUT", P.collection(id), { new_metadata: { c: true } })).status, 200);
      assert.equal((await raw(srv, "PUT", P.collection(id), { new_name: name })).status, 200);
      const g2 = await raw(srv, "GET", P.collection(name));
      assert.deepEqual(g2.json.metadata, { c: true });
    });

    test("delete by name (200 null); second delete 400 InvalidArgumentError; records gone", async () => {
      const name = collName(`del_${ver}`);
      const r = await raw(srv, "POST", P.collections(), { name });
      const id = r.json.id;
      await raw(srv, "POST", P.op(id, "add"), { ids: ["a"], embeddings: [[1, 2]] });
      const before = (await raw(srv, "GET", P.countCollections())).json;
      const d = await raw(srv, "DELETE", P.collection(name));
      assert.equal(d.status, 200);
      assert.equal(d.json, null);
      assert.equal((await raw(srv, "GET", P.countCollections())).json, before - 1);
      const d2 = await raw(srv, "DELETE", P.collection(name));
      assert.equal(d2.status, 400);
      assert.equal(d2.json.error, "InvalidArgumentError");
      const c = await raw(srv, "GET", P.op(id, "count"));
      assert.equal(c.status, 400);
      assert.equal(c.json.error, "InvalidCollection");
      // same name can be created again, empty
      const again = await raw(srv, "POST", P.collections(), { name });
      assert.equal(again.status, 200);
      assert.notEqual(again.json.id, id);
      assert.equal((await raw(srv, "GET", P.op(again.json.id, "count"))).json, 0);
    });

    test("GET collection by its UUID looks for a collection *named* that (400 InvalidCollection)", async () => {
      const name = collName(`byid_${ver}`);
      const r = await raw(srv, "POST", P.collections(), { name });
      const g = await raw(srv, "GET", P.collection(r.json.id));
      assert.equal(g.status, 400);
      assert.equal(g.json.error, "InvalidCollection");
    });

    test("space from metadata hnsw:space and from a 1.x configuration object", async () => {
      const n1 = collName(`sp_${ver}`);
      const r1 = await raw(srv, "POST", P.collections(), { name: n1, metadata: { "hnsw:space": "cosine" }, configuration: null });
      assert.equal(r1.status, 200, r1.text);
      checkCollectionShape(r1.json, { metadata: { "hnsw:space": "cosine" }, space: "cosine" });
      const n2 = collName(`sp_${ver}`);
      const r2 = await raw(srv, "POST", P.collections(), { name: n2, configuration: { hnsw: { space: "ip" }, embedding_function: { type: "legacy" } } });
      assert.equal(r2.status, 200, r2.text);
      checkCollectionShape(r2.json, { space: "ip" });
      const n3 = collName(`sp_${ver}`);
      const r3 = await raw(srv, "POST", P.collections(), {
        name: n3,
        configuration: { hnsw_configuration: { space: "ip", _type: "HNSWConfigurationInternal" }, _type: "CollectionConfigurationInternal" },
      });
      assert.equal(r3.status, 200, r3.text);
      checkCollectionShape(r3.json, { space: "ip" });
      // the spaces really apply: [1,0] vs [2,0]
      for (const [r, expected] of [[r1, 0], [r2, -1]]) {
        await raw(srv, "POST", P.op(r.json.id, "add"), { ids: ["x"], embeddings: [[1, 0]] });
        const q = await raw(srv, "POST", P.op(r.json.id, "query"), { query_embeddings: [[2, 0]], n_results: 1, include: ["distances"] });
        assert.equal(q.status, 200, q.text);
        assert.ok(Math.abs(q.json.distances[0][0] - expected) < 1e-6, `distance ${q.json.distances[0][0]} != ${expected}`);
      }
    });

    test("invalid collection names and metadata are 400 InvalidArgumentError", async () => {
      for (const body of [
        { name: "ab" },
        { name: "bad name!" },
        { name: "-leadinghyphen" },
        { name: "a..b_c" },
        { name: "x".repeat(64) },
        { name: collName("meta"), metadata: {} },
        { name: collName("meta"), metadata: { a: { b: 1 } } },
        { name: collName("meta"), metadata: { "hnsw:space": "manhattan" } },
      ]) {
        const r = await raw(srv, "POST", P.collections(), body);
        assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.status} ${r.text}`);
        assert.equal(r.json.error, "InvalidArgumentError");
      }
    });

    test("create without Content-Type header (python client style) works", async () => {
      const name = collName(`noct_${ver}`);
      const r = await raw(srv, "POST", P.collections(), JSON.stringify({ name, metadata: null, configuration: null, get_or_create: true }), { "content-type": null });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.name, name);
    });
  });
}

describe("chromadb@1.8.1 client (/api/v1)", () => {
  test("create / get / list / count / modify / delete / get_or_create / duplicate", async () => {
    const c = v1Client(srv);
    const name = collName("js1");
    const col = await c.createCollection({ name, metadata: { owner: "js1", n: 1 }, embeddingFunction: noEmbed });
    assert.match(col.id, UUID_RE);
    assert.equal(col.name, name);

    const got = await c.getCollection({ name, embeddingFunction: noEmbed });
    assert.equal(got.id, col.id);
    assert.deepEqual(got.metadata, { owner: "js1", n: 1 });

    const dup = await c.createCollection({ name, embeddingFunction: noEmbed }).catch((e) => e);
    assert.ok(dup instanceof Error, "duplicate create must fail");
    assert.match(String(dup.message), /UniqueConstraintError/);

    const goc = await c.getOrCreateCollection({ name, metadata: { other: 1 }, embeddingFunction: noEmbed });
    assert.equal(goc.id, col.id);
    assert.deepEqual(goc.metadata, { owner: "js1", n: 1 });

    const n0 = await c.countCollections();
    const list = await c.listCollections();
    assert.equal(list.length, n0);
    assert.ok(list.some((x) => x.id === col.id && x.name === name));
    const page = await c.listCollections({ limit: 1, offset: 0 });
    assert.equal(page.length, 1);
    assert.equal(page[0].id, list[0].id);

    await col.modify({ name: name + "_v2", metadata: { owner: "js1b" } });
    const renamed = await c.getCollection({ name: name + "_v2", embeddingFunction: noEmbed });
    assert.equal(renamed.id, col.id);
    assert.deepEqual(renamed.metadata, { owner: "js1b" });
    const missing = await c.getCollection({ name, embeddingFunction: noEmbed }).catch((e) => e);
    assert.ok(missing instanceof Error);
    assert.match(String(missing.message), /InvalidCollection/);

    const del = await c.deleteCollection({ name: name + "_v2" });
    assert.equal(del, null);
    assert.equal(await c.countCollections(), n0 - 1);
    const delAgain = await c.deleteCollection({ name: name + "_v2" });
    assert.equal(delAgain?.error, "InvalidArgumentError");
  });
});

describe("chromadb@3 client (/api/v2)", () => {
  test("create / get / list / count / modify / delete / get_or_create / duplicate", async () => {
    const c = v3Client(srv);
    const name = collName("js3");
    const col = await c.createCollection({ name, metadata: { owner: "js3", n: 1 }, embeddingFunction: null });
    assert.match(col.id, UUID_RE);
    assert.equal(col.name, name);
    assert.deepEqual(col.metadata, { owner: "js3", n: 1 });

    const got = await c.getCollection({ name });
    assert.equal(got.id, col.id);
    assert.deepEqual(got.metadata, { owner: "js3", n: 1 });

    await assert.rejects(c.createCollection({ name, embeddingFunction: null }), ChromaUniqueError);

    const goc = await c.getOrCreateCollection({ name, metadata: { other: 1 }, embeddingFunction: null });
    assert.equal(goc.id, col.id);
    assert.deepEqual(goc.metadata, { owner: "js3", n: 1 });

    const fresh = await c.getOrCreateCollection({ name: name + "_new", embeddingFunction: null, configuration: { hnsw: { space: "cosine" } } });
    assert.notEqual(fresh.id, col.id);

    const n0 = await c.countCollections();
    const list = await c.listCollections();
    assert.equal(list.length, n0);
    const ids = list.map((x) => x.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(list.some((x) => x.id === col.id && x.name === name));
    const page = await c.listCollections({ limit: 2, offset: 1 });
    assert.deepEqual(page.map((x) => x.id), ids.slice(1, 3));

    await col.modify({ name: name + "_v2", metadata: { owner: "js3b" } });
    const renamed = await c.getCollection({ name: name + "_v2" });
    assert.equal(renamed.id, col.id);
    assert.deepEqual(renamed.metadata, { owner: "js3b" });
    // 0.5.23 semantics: a missing collection is 400 (ChromaClientError), not 404.
    await assert.rejects(c.getCollection({ name }), ChromaClientError);

    await c.deleteCollection({ name: name + "_v2" });
    assert.equal(await c.countCollections(), n0 - 1);
    await assert.rejects(c.deleteCollection({ name: name + "_v2" }), ChromaClientError);
  });
});
