// Raw HTTP helpers and client factories shared by the client tests.

import { ChromaClient as ChromaClientV3 } from "chromadb";
import { ChromaClient as ChromaClientV1 } from "chromadb-v1";

export const V2DB = "/api/v2/tenants/default_tenant/databases/default_database";

/** Path builders for the two API generations. */
export const paths = {
  v1: {
    name: "v1",
    collections: (q = "") => `/api/v1/collections${q}`,
    collection: (nameOrId) => `/api/v1/collections/${encodeURIComponent(nameOrId)}`,
    op: (id, op) => `/api/v1/collections/${id}/${op}`,
    countCollections: () => "/api/v1/count_collections",
  },
  v2: {
    name: "v2",
    collections: (q = "") => `${V2DB}/collections${q}`,
    collection: (nameOrId) => `${V2DB}/collections/${encodeURIComponent(nameOrId)}`,
    op: (id, op) => `${V2DB}/collections/${id}/${op}`,
    countCollections: () => `${V2DB}/collections_count`,
  },
};

/**
 * One raw HTTP exchange. `body`: undefined = no body; string = sent verbatim;
 * anything else is JSON-encoded. Content-Type application/json is added for
 * any body unless `headers` names one (give `"content-type": null` to send none).
 */
export async function raw(srv, method, path, body, headers = {}) {
  const h = {};
  for (const [k, v] of Object.entries(headers)) if (v !== null && v !== undefined) h[k] = v;
  let payload;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    const hasCt = Object.keys(headers).some((k) => k.toLowerCase() === "content-type");
    if (!hasCt) h["content-type"] = "application/json";
  }
  // A Buffer body keeps fetch from adding its own text/plain Content-Type.
  const r = await fetch(srv.url + path, { method, headers: h, body: payload === undefined ? undefined : Buffer.from(payload, "utf8") });
  const text = await r.text();
  let json;
  try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: r.status, headers: r.headers, contentType: r.headers.get("content-type"), text, json };
}

/** raw() bound to a server and fixed extra headers. */
export function rawFor(srv, headers = {}) {
  return (method, path, body, extra = {}) => raw(srv, method, path, body, { ...headers, ...extra });
}

/** Pure /api/v1 JS client (chromadb@1.8.1). */
export function v1Client(srv, opts = {}) {
  return new ChromaClientV1({ path: srv.url, ...opts });
}

/** /api/v2 JS client (chromadb@3.x). */
export function v3Client(srv, opts = {}) {
  return new ChromaClientV3({ host: srv.host, port: srv.port, ssl: false, ...opts });
}

/** A do-nothing embedding function for the 1.8.1 client (never called: we always pass embeddings). */
export const noEmbed = {
  generate: async () => { throw new Error("test must pass explicit embeddings"); },
};

/** Seeded PRNG (mulberry32) so failures are reproducible. */
export function rng(seed = 12345) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Round to float32 like the server stores it. */
export const f32 = (x) => Math.fround(x);

export function randomVectors(n, dim, rand) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const v = [];
    for (let j = 0; j < dim; j++) v.push(f32(rand() * 2 - 1));
    out.push(v);
  }
  return out;
}

let uniq = 0;
/** A fresh collection name valid under the 0.5.23 name rules. */
export function collName(prefix = "c") {
  uniq += 1;
  return `${prefix}_${process.pid}_${uniq}_${Math.floor(Math.random() * 1e6)}`;
}

/**
 * chromadb@3 refuses null documents inside a batch; add consecutive runs of
 * records with / without documents separately (keeps insertion order).
 */
export async function addV3(col, { ids, embeddings, metadatas, documents }) {
  let i = 0;
  while (i < ids.length) {
    const hasDoc = documents && documents[i] !== null && documents[i] !== undefined;
    let j = i;
    while (j < ids.length && (documents && documents[j] !== null && documents[j] !== undefined) === hasDoc) j++;
    const part = { ids: ids.slice(i, j), embeddings: embeddings.slice(i, j) };
    if (metadatas) part.metadatas = metadatas.slice(i, j).map((m) => m ?? undefined);
    if (hasDoc) part.documents = documents.slice(i, j);
    await col.add(part);
    i = j;
  }
}
