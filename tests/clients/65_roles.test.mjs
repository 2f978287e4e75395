// Roles and rotation (issue 6): `omvec run --tokens FILE` with `read` and
// `admin` tokens. Every route of the one route table (read from
// src/api/api_routes.c, so a new route is walked without editing this file)
// is tried with no token, a wrong token, a read token and an admin token;
// SIGHUP re-reads the file under load without dropping a request.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createServer, makeTempDir, REPO_ROOT } from "./lib/server.mjs";
import { raw, paths } from "./lib/api.mjs";
import { seed } from "./lib/artifacts.mjs";

const P = paths.v2;
const work = makeTempDir("omvec-65");
const TOKENS = path.join(work, "tokens");
const READ = "read-token-1";
const ADMIN = "admin-token-1";
const FORBIDDEN = { error: "AuthError", message: "Forbidden" };
const bearer = (t) => ({ authorization: `Bearer ${t}` });

function writeTokens(text) {
  const tmp = `${TOKENS}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, TOKENS);
}
writeTokens(`# omvec tokens file\nread ${READ}\nadmin ${ADMIN}   # the pipeline\n`);
const srv = createServer({ tag: "omvec-65", args: ["--tokens", TOKENS] });
let collId;

before(async () => {
  await srv.start();
  // seed() runs unauthenticated helpers: give it the admin token
  const authed = { ...srv, url: srv.url };
  const origFetch = globalThis.fetch;
  globalThis.fetch = (u, o = {}) => origFetch(u, { ...o, headers: { ...(o.headers || {}), ...bearer(ADMIN) } });
  try {
    ({ id: collId } = await seed(authed, "roles_coll", { n: 20, dim: 4 }));
  } finally { globalThis.fetch = origFetch; }
});
after(async () => {
  await srv.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Every route of the table in src/api/api_routes.c: {v, method, pattern, access}. */
function routeTable() {
  const src = fs.readFileSync(path.join(REPO_ROOT, "src/api/api_routes.c"), "utf8");
  const out = [];
  for (const m of src.matchAll(/\{(1|2), "(GET|POST|PUT|DELETE)", "([^"]*)", R_\w+, (API_\w+)\}/g)) {
    out.push({ v: Number(m[1]), method: m[2], pattern: m[3], access: m[4] });
  }
  return out;
}

/** A concrete path for a route: existing collection for reads, a missing one otherwise. */
function concrete(r, target) {
  const segs = r.pattern === "" ? [] : r.pattern.split("/").map((s) =>
    s === "T" ? "default_tenant" : s === "D" ? "default_database" : s === "X" ? target(r) : s);
  let p = `/api/v${r.v}${segs.length ? "/" + segs.join("/") : ""}`;
  if (r.v === 1 && p.startsWith("/api/v1/databases/")) p += "?tenant=default_tenant";
  return p;
}

const ROUTES = routeTable();
const bodyFor = (r) => (r.pattern.endsWith("/query") ? { query_embeddings: [[1, 0, 0, 0]], n_results: 2 }
  : r.method === "POST" || r.method === "PUT" ? {} : undefined);

test("the route table was read (every route of api_routes.c is walked)", () => {
  assert.ok(ROUTES.length >= 45, `only ${ROUTES.length} routes parsed`);
  assert.ok(ROUTES.some((r) => r.access === "API_ADMIN"));
  assert.ok(ROUTES.some((r) => r.access === "API_READ"));
});

for (const [label, headers] of [["no token", {}], ["a wrong token", bearer("nope")], ["a wrong X-Chroma-Token", { "x-chroma-token": "nope" }]]) {
  test(`${label}: every route except the open ones answers 403 AuthError`, async () => {
    for (const r of ROUTES) {
      const p = concrete(r, () => "walk_missing");
      const res = await raw(srv, r.method, p, bodyFor(r), headers);
      if (r.access === "API_OPEN") {
        assert.equal(res.status, 200, `${r.method} ${p}`);
      } else {
        assert.equal(res.status, 403, `${r.method} ${p} -> ${res.status} ${res.text}`);
        assert.deepEqual(res.json, FORBIDDEN, `${r.method} ${p}`);
      }
    }
    const m = await raw(srv, "GET", "/metrics", undefined, headers);
    assert.equal(m.status, 403);
    assert.equal((await raw(srv, "GET", "/ready", undefined, headers)).status, 200);
  });
}

test("read token: every read route is served, every write route is 403 AuthError", async () => {
  for (const r of ROUTES) {
    // collections/X takes a name, collections/X/<op> an id
    const p = concrete(r, (rt) => (/collections\/X$/.test(rt.pattern) ? "roles_coll"
      : /collections\/X\//.test(rt.pattern) ? collId
        : rt.pattern.startsWith("tenants/X") ? "default_tenant" : "default_database"));
    const res = await raw(srv, r.method, p, bodyFor(r), bearer(READ));
    if (r.access === "API_ADMIN" || r.access === "API_READ_EXISTING") {
      assert.equal(res.status, 403, `${r.method} ${p} -> ${res.status} ${res.text}`);
      assert.deepEqual(res.json, FORBIDDEN, `${r.method} ${p}`);
    } else {
      assert.equal(res.status, 200, `${r.method} ${p} -> ${res.status} ${res.text}`);
    }
  }
  const m = await raw(srv, "GET", "/metrics", undefined, bearer(READ));
  assert.equal(m.status, 200);
  // the collection is untouched by the refused writes
  const c = await raw(srv, "GET", P.op(collId, "count"), undefined, bearer(READ));
  assert.equal(c.json, 20);
});

test("read token: get_or_create of an existing collection is answered, creating stays admin-only", async () => {
  // what a backend calls before every search (issue 10 item 7)
  const body = { name: "roles_coll", metadata: { "hnsw:space": "cosine" }, get_or_create: true };
  const g = await raw(srv, "POST", P.collections(), body, bearer(READ));
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.id, collId);
  assert.equal(g.json.name, "roles_coll");
  const v1 = await raw(srv, "POST", "/api/v1/collections", body, bearer(READ));
  assert.equal(v1.status, 200, v1.text);
  assert.equal(v1.json.id, collId);
  for (const b of [{ ...body, name: "roles_new" }, { name: "roles_coll" },
    { name: "roles_coll", get_or_create: false }, { get_or_create: true }]) {
    const r = await raw(srv, "POST", P.collections(), b, bearer(READ));
    assert.equal(r.status, 403, JSON.stringify(b));
    assert.deepEqual(r.json, FORBIDDEN);
  }
  const list = await raw(srv, "GET", P.collections(), undefined, bearer(READ));
  assert.ok(!list.json.some((c) => c.name === "roles_new"));
  const a = await raw(srv, "POST", P.collections(), { name: "roles_new", get_or_create: true }, bearer(ADMIN));
  assert.equal(a.status, 200);
  assert.equal((await raw(srv, "DELETE", P.collection("roles_new"), undefined, bearer(ADMIN))).status, 200);
});

test("admin token: no route answers 403", async () => {
  for (const r of ROUTES) {
    const p = concrete(r, () => "walk_missing");
    const res = await raw(srv, r.method, p, bodyFor(r), bearer(ADMIN));
    assert.notEqual(res.status, 403, `${r.method} ${p} -> ${res.text}`);
  }
});

test("SIGHUP rotation under load: old read token refused, new accepted, no request dropped", async () => {
  const NEW = "read-token-2";
  let rotated = false;
  let stop = false;
  const results = { ok: 0, forbiddenOld: 0, bad: [] };
  const q = { query_embeddings: [[1, 0, 0, 0]], n_results: 3 };
  const worker = async () => {
    while (!stop) {
      try {
        // the admin token is in both files: every one of these must succeed
        const a = await raw(srv, "POST", P.op(collId, "query"), q, bearer(ADMIN));
        if (a.status === 200) results.ok++; else results.bad.push(`admin ${a.status}`);
        const tok = rotated ? NEW : READ;
        const r = await raw(srv, "POST", P.op(collId, "query"), q, bearer(tok));
        if (r.status === 200) results.ok++;
        else if (r.status === 403 && tok === READ) results.forbiddenOld++;
        else results.bad.push(`${tok} ${r.status}`);
      } catch (e) {
        results.bad.push(`network error: ${e.message}`);
      }
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  await new Promise((r) => setTimeout(r, 300));
  writeTokens(`read ${NEW}\nadmin ${ADMIN}\n`);
  srv.proc.kill("SIGHUP");
  // wait until the new token is accepted
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const r = await raw(srv, "GET", P.collections(), undefined, bearer(NEW));
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  rotated = true;
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  await Promise.all(workers);
  assert.deepEqual(results.bad, []);
  assert.ok(results.ok > 20, `only ${results.ok} requests served`);
  const old = await raw(srv, "GET", P.collections(), undefined, bearer(READ));
  assert.equal(old.status, 403);
  assert.deepEqual(old.json, FORBIDDEN);
  const neu = await raw(srv, "GET", P.collections(), undefined, bearer(NEW));
  assert.equal(neu.status, 200);
  assert.match(srv.log.join(""), /SIGHUP: tokens reloaded/);
  // a broken file keeps the current tokens
  writeTokens(`root ${NEW}\n`);
  srv.proc.kill("SIGHUP");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await raw(srv, "GET", P.collections(), undefined, bearer(NEW))).status, 200);
  assert.match(srv.log.join(""), /SIGHUP: reload failed, old tokens kept/);
});
