// System endpoints: heartbeat, version, pre-flight, identity, tenant/database.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer } from "./lib/server.mjs";
import { raw, v1Client, v3Client } from "./lib/api.mjs";

const srv = useServer({ tag: "omvec-10" });

const HB_RE = /^\{\s*"nanosecond heartbeat"\s*:\s*(\d+)\s*\}$/;

for (const p of ["/api/v1/heartbeat", "/api/v2/heartbeat", "/api/v1", "/api/v2", "/api/v2/heartbeat/", "/api/v1/heartbeat/"]) {
  test(`GET ${p} returns a nanosecond heartbeat as a plain JSON integer`, async () => {
    const before = BigInt(Date.now()) * 1000000n;
    const r = await raw(srv, "GET", p);
    assert.equal(r.status, 200);
    assert.match(r.contentType || "", /application\/json/);
    const m = HB_RE.exec(r.text.trim());
    assert.ok(m, `unexpected heartbeat body: ${r.text}`);
    const ns = BigInt(m[1]);
    // Within a minute of our clock, in nanoseconds.
    const diff = ns > before ? ns - before : before - ns;
    assert.ok(diff < 60n * 1000000000n, `heartbeat ${ns} far from local clock ${before}`);
  });
}

test("heartbeat through both clients", async () => {
  const hb1 = await v1Client(srv).heartbeat();
  const hb3 = await v3Client(srv).heartbeat();
  assert.equal(typeof hb1, "number");
  assert.equal(typeof hb3, "number");
  assert.ok(hb1 > 1.6e18 && hb3 > 1.6e18);
});

for (const p of ["/api/v1/version", "/api/v2/version"]) {
  test(`GET ${p} is the JSON string "0.5.23"`, async () => {
    const r = await raw(srv, "GET", p);
    assert.equal(r.status, 200);
    assert.equal(r.json, "0.5.23");
    assert.match(r.contentType || "", /application\/json/);
  });
}

test("version through both clients", async () => {
  assert.equal(await v1Client(srv).version(), "0.5.23");
  assert.equal(await v3Client(srv).version(), "0.5.23");
});

for (const p of ["/api/v1/pre-flight-checks", "/api/v2/pre-flight-checks"]) {
  test(`GET ${p} advertises exactly {"max_batch_size":41666}`, async () => {
    const r = await raw(srv, "GET", p);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { max_batch_size: 41666 });
  });
}

test("pre-flight through the 3.x client (no base64 encoding advertised)", async () => {
  const c = v3Client(srv);
  assert.equal(await c.getMaxBatchSize(), 41666);
  assert.equal(await c.supportsBase64Encoding(), false);
});

test("GET /api/v2/auth/identity without auth configured", async () => {
  const r = await raw(srv, "GET", "/api/v2/auth/identity");
  assert.equal(r.status, 200);
  const allowed = new Set(["user_id", "tenant", "databases", "attributes"]);
  for (const k of Object.keys(r.json)) assert.ok(allowed.has(k), `identity carries unexpected key ${k}`);
  assert.equal(r.json.user_id, "");
  assert.equal(r.json.tenant, "default_tenant");
  assert.deepEqual(r.json.databases, ["default_database"]);
  const id = await v3Client(srv).getUserIdentity();
  assert.equal(id.tenant, "default_tenant");
});

test("GET /api/v1/auth/identity does not exist (404)", async () => {
  const r = await raw(srv, "GET", "/api/v1/auth/identity");
  assert.equal(r.status, 404);
});

test("default tenant and database on v1 and v2", async () => {
  for (const p of ["/api/v1/tenants/default_tenant", "/api/v2/tenants/default_tenant"]) {
    const r = await raw(srv, "GET", p);
    assert.equal(r.status, 200, p);
    assert.deepEqual(r.json, { name: "default_tenant" });
  }
  const dbExpect = { id: "00000000-0000-0000-0000-000000000000", name: "default_database", tenant: "default_tenant" };
  for (const p of [
    "/api/v1/databases/default_database?tenant=default_tenant",
    "/api/v1/databases/default_database",
    "/api/v2/tenants/default_tenant/databases/default_database",
  ]) {
    const r = await raw(srv, "GET", p);
    assert.equal(r.status, 200, p);
    assert.deepEqual(r.json, dbExpect, p);
  }
});

test("unknown tenant / database answer 404 NotFoundError", async () => {
  let r = await raw(srv, "GET", "/api/v2/tenants/no_such_tenant");
  assert.equal(r.status, 404);
  assert.equal(r.json?.error, "NotFoundError");
  r = await raw(srv, "GET", "/api/v2/tenants/default_tenant/databases/no_such_db");
  assert.equal(r.status, 404);
  assert.equal(r.json?.error, "NotFoundError");
});

test("create tenant and database (200 null), duplicates 409", async () => {
  let r = await raw(srv, "POST", "/api/v2/tenants", { name: "sys_tenant" });
  assert.equal(r.status, 200);
  assert.equal(r.json, null);
  r = await raw(srv, "POST", "/api/v2/tenants", { name: "sys_tenant" });
  assert.equal(r.status, 409);
  assert.equal(r.json?.error, "UniqueConstraintError");
  r = await raw(srv, "POST", "/api/v2/tenants/sys_tenant/databases", { name: "sys_db" });
  assert.equal(r.status, 200);
  assert.equal(r.json, null);
  r = await raw(srv, "GET", "/api/v2/tenants/sys_tenant/databases/sys_db");
  assert.equal(r.status, 200);
  assert.equal(r.json.name, "sys_db");
  assert.equal(r.json.tenant, "sys_tenant");
  assert.match(r.json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  r = await raw(srv, "POST", "/api/v2/tenants/sys_tenant/databases", { name: "sys_db" });
  assert.equal(r.status, 409);
});

test("reset is refused by default (400 InvalidArgumentError)", async () => {
  const r = await raw(srv, "POST", "/api/v2/reset");
  assert.equal(r.status, 400);
  assert.equal(r.json?.error, "InvalidArgumentError");
});

test("unknown route 404, wrong method 405", async () => {
  let r = await raw(srv, "GET", "/api/v2/nope");
  assert.equal(r.status, 404);
  r = await raw(srv, "POST", "/api/v2/heartbeat", {});
  assert.equal(r.status, 405);
});
