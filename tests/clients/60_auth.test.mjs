// Token authentication (CONTRACT section 8, omvec superset from section 9.5).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useServer, startServer, makeTempDir } from "./lib/server.mjs";
import { raw, v1Client, v3Client, noEmbed, collName } from "./lib/api.mjs";
import { ChromaForbiddenError } from "chromadb";

const TOKEN = "test-token";
const AUTH_ENV = {
  CHROMA_SERVER_AUTHN_PROVIDER: "chromadb.auth.token_authn.TokenAuthenticationServerProvider",
  CHROMA_SERVER_AUTHN_CREDENTIALS: TOKEN,
};
const FORBIDDEN = { error: "AuthError", message: "Forbidden" };
const BEARER = { authorization: `Bearer ${TOKEN}` };
const XTOKEN = { "x-chroma-token": TOKEN };

const srv = useServer({ tag: "omvec-60", env: AUTH_ENV });

const OPEN = ["/api/v1", "/api/v1/heartbeat", "/api/v1/version", "/api/v1/pre-flight-checks",
  "/api/v2", "/api/v2/heartbeat", "/api/v2/version", "/api/v2/pre-flight-checks"];

const V2 = "/api/v2/tenants/default_tenant/databases/default_database";
const PROTECTED = [
  ["GET", "/api/v2/auth/identity"],
  ["GET", "/api/v2/tenants/default_tenant"],
  ["GET", "/api/v2/tenants/default_tenant/databases/default_database"],
  ["GET", "/api/v1/tenants/default_tenant"],
  ["GET", "/api/v1/databases/default_database?tenant=default_tenant"],
  ["GET", `${V2}/collections`],
  ["GET", `${V2}/collections_count`],
  ["GET", "/api/v1/collections"],
  ["GET", "/api/v1/count_collections"],
  ["POST", `${V2}/collections`, { name: "auth_denied" }],
  ["POST", "/api/v1/collections", { name: "auth_denied" }],
  ["GET", `${V2}/collections/auth_denied`],
  ["DELETE", `${V2}/collections/auth_denied`],
  ["GET", `${V2}/collections/not-a-uuid/count`],
  ["POST", `${V2}/collections/00000000-0000-4000-8000-000000000000/add`, { ids: ["a"], embeddings: [[1]] }],
  ["POST", `${V2}/collections/00000000-0000-4000-8000-000000000000/query`, { query_embeddings: [[1]] }],
  ["POST", "/api/v1/collections/00000000-0000-4000-8000-000000000000/get", {}],
  ["PUT", "/api/v1/collections/00000000-0000-4000-8000-000000000000", { new_name: "x_y_z" }],
  ["POST", "/api/v2/tenants", { name: "auth_tenant" }],
  ["POST", "/api/v2/reset"],
  ["POST", "/api/v1/reset"],
];

test("heartbeat, version, pre-flight and the API roots stay open without a token", async () => {
  for (const p of OPEN) {
    const r = await raw(srv, "GET", p);
    assert.equal(r.status, 200, `${p}: ${r.status} ${r.text}`);
  }
});

for (const [label, headers] of [
  ["no token", {}],
  ["wrong Bearer token", { authorization: "Bearer nope" }],
  ["wrong X-Chroma-Token", { "x-chroma-token": "nope" }],
  ["empty Bearer", { authorization: "Bearer " }],
  ["token without Bearer prefix", { authorization: TOKEN }],
]) {
  test(`${label}: every other endpoint answers 403 {"error":"AuthError","message":"Forbidden"}`, async () => {
    for (const [m, p, body] of PROTECTED) {
      const r = await raw(srv, m, p, body, headers);
      assert.equal(r.status, 403, `${m} ${p} -> ${r.status} ${r.text}`);
      assert.deepEqual(r.json, FORBIDDEN, `${m} ${p}`);
    }
  });
}

test("nothing was created by the refused requests", async () => {
  const r = await raw(srv, "GET", `${V2}/collections`, undefined, BEARER);
  assert.equal(r.status, 200);
  assert.ok(!r.json.some((c) => c.name === "auth_denied"));
  const t = await raw(srv, "GET", "/api/v2/tenants/auth_tenant", undefined, BEARER);
  assert.equal(t.status, 404);
});

for (const [label, headers] of [["Authorization: Bearer", BEARER], ["X-Chroma-Token", XTOKEN]]) {
  test(`right token in ${label}: identity, list, create, bad uuid is 400 again`, async () => {
    let r = await raw(srv, "GET", "/api/v2/auth/identity", undefined, headers);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user_id, "anonymous");
    assert.equal(r.json.tenant, "*");
    assert.deepEqual(r.json.databases, ["*"]);
    r = await raw(srv, "GET", "/api/v1/collections", undefined, headers);
    assert.equal(r.status, 200);
    const name = collName("auth_raw");
    r = await raw(srv, "POST", `${V2}/collections`, { name }, headers);
    assert.equal(r.status, 200, r.text);
    r = await raw(srv, "GET", `${V2}/collections/not-a-uuid/count`, undefined, headers);
    assert.equal(r.status, 400);
    assert.equal(r.json.error, "InvalidUUID");
    r = await raw(srv, "DELETE", `${V2}/collections/${name}`, undefined, headers);
    assert.equal(r.status, 200);
  });
}

async function exerciseV1(client, tag) {
  const name = collName(tag);
  const col = await client.createCollection({ name, metadata: { t: tag }, embeddingFunction: noEmbed });
  assert.ok(col.id, "create failed");
  assert.equal(await col.add({ ids: ["a", "b"], embeddings: [[1, 0], [0, 1]], documents: ["A", "B"] }), true);
  assert.equal(await col.count(), 2);
  const q = await col.query({ queryEmbeddings: [[1, 0]], nResults: 1 });
  assert.deepEqual(q.ids, [["a"]]);
  const got = await client.getCollection({ name, embeddingFunction: noEmbed });
  assert.equal(got.id, col.id);
  const list = await client.listCollections();
  assert.ok(list.some((c) => c.name === name));
  await client.deleteCollection({ name });
}

async function exerciseV3(client, tag) {
  const name = collName(tag);
  const col = await client.createCollection({ name, embeddingFunction: null });
  await col.add({ ids: ["a", "b"], embeddings: [[1, 0], [0, 1]], documents: ["A", "B"] });
  assert.equal(await col.count(), 2);
  const q = await col.query({ queryEmbeddings: [[0, 1]], nResults: 1 });
  assert.deepEqual(q.ids, [["b"]]);
  const g = await col.get({ ids: ["a"] });
  assert.deepEqual(g.documents, ["A"]);
  assert.ok((await client.listCollections()).some((c) => c.name === name));
  assert.ok((await client.countCollections()) >= 1);
  await client.deleteCollection({ name });
}

describe("chromadb@1.8.1 client", () => {
  test("token via Authorization: Bearer (default header type)", async () => {
    await exerciseV1(v1Client(srv, { auth: { provider: "token", credentials: TOKEN } }), "auth_js1_bearer");
  });
  test("token via X-Chroma-Token (providerOptions.headerType X_CHROMA_TOKEN)", async () => {
    await exerciseV1(v1Client(srv, { auth: { provider: "token", credentials: TOKEN, providerOptions: { headerType: "X_CHROMA_TOKEN" } } }), "auth_js1_x");
  });
  test("tokenHeaderType X_CHROMA_TOKEN (1.9+ spelling, ignored by 1.8.1 -> Bearer) also works", async () => {
    await exerciseV1(v1Client(srv, { auth: { provider: "token", credentials: TOKEN, tokenHeaderType: "X_CHROMA_TOKEN" } }), "auth_js1_thx");
  });
  test("wrong token is refused", async () => {
    const c = v1Client(srv, { auth: { provider: "token", credentials: "wrong" } });
    const r = await c.createCollection({ name: collName("auth_js1_wrong"), embeddingFunction: noEmbed }).catch((e) => e);
    assert.ok(r instanceof Error, "create with a wrong token must fail");
    assert.match(String(r.message), /AuthError/);
  });
});

describe("chromadb@3 client", () => {
  test("token via x-chroma-token header", async () => {
    await exerciseV3(v3Client(srv, { headers: { "x-chroma-token": TOKEN } }), "auth_js3_x");
  });
  test("token via Authorization: Bearer header", async () => {
    await exerciseV3(v3Client(srv, { headers: { Authorization: `Bearer ${TOKEN}` } }), "auth_js3_bearer");
  });
  test("deprecated auth option with tokenHeaderType X_CHROMA_TOKEN", async () => {
    await exerciseV3(v3Client(srv, { auth: { provider: "token", credentials: TOKEN, tokenHeaderType: "X_CHROMA_TOKEN" } }), "auth_js3_auth");
  });
  test("no token / wrong token: ChromaForbiddenError", async () => {
    await assert.rejects(v3Client(srv).listCollections(), ChromaForbiddenError);
    await assert.rejects(v3Client(srv, { headers: { "x-chroma-token": "nope" } }).countCollections(), ChromaForbiddenError);
    // heartbeat/version stay open for the client too
    assert.equal(await v3Client(srv).version(), "0.5.23");
  });
});

describe("other auth configurations", () => {
  test("CHROMA_AUTH_TOKEN_TRANSPORT_HEADER=X-Chroma-Token: X-Chroma-Token works, missing token is 403", async () => {
    const s = await startServer({ tag: "omvec-60x", env: { ...AUTH_ENV, CHROMA_AUTH_TOKEN_TRANSPORT_HEADER: "X-Chroma-Token" } });
    try {
      let r = await raw(s, "GET", "/api/v2/auth/identity", undefined, XTOKEN);
      assert.equal(r.status, 200, r.text);
      r = await raw(s, "GET", "/api/v2/auth/identity");
      assert.equal(r.status, 403);
      assert.deepEqual(r.json, FORBIDDEN);
      r = await raw(s, "GET", "/api/v2/version");
      assert.equal(r.status, 200);
      await exerciseV3(v3Client(s, { headers: XTOKEN }), "auth_js3_xmode");
    } finally {
      await s.dispose();
    }
  });

  test("CHROMA_SERVER_AUTHN_CREDENTIALS_FILE with a trailing newline (whitespace stripped)", async () => {
    const dir = makeTempDir("omvec-60cred");
    const file = path.join(dir, "token.txt");
    fs.writeFileSync(file, `${TOKEN}\n`);
    const s = await startServer({
      tag: "omvec-60f",
      env: { CHROMA_SERVER_AUTHN_PROVIDER: AUTH_ENV.CHROMA_SERVER_AUTHN_PROVIDER, CHROMA_SERVER_AUTHN_CREDENTIALS_FILE: file },
    });
    try {
      let r = await raw(s, "GET", "/api/v2/auth/identity", undefined, BEARER);
      assert.equal(r.status, 200, r.text);
      r = await raw(s, "GET", "/api/v2/auth/identity", undefined, { authorization: "Bearer other" });
      assert.equal(r.status, 403);
    } finally {
      await s.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
