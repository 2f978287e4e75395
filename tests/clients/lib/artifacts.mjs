// Helpers for the artifact, prewarm and replica tests: run the omvec CLI,
// seed a collection, snapshot one, serve files over a local HTTP server.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { serverBinary, REPO_ROOT } from "./server.mjs";
import { track } from "./reaper.mjs";
import { raw, paths, rng, randomVectors } from "./api.mjs";

const P = paths.v2;

/**
 * Run `omvec ARGS...`; resolves to {code, stdout, stderr}. Asynchronous, so
 * an HTTP server in this process can answer the command's downloads.
 */
export function omvec(...args) {
  return new Promise((resolve) => {
    const p = track(spawn(serverBinary(), args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] }));
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => { stdout += d; });
    p.stderr.on("data", (d) => { stderr += d; });
    const t = setTimeout(() => p.kill("SIGKILL"), 60000);
    p.on("close", (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
  });
}

/** Run a shell command (tar and friends); throws on failure. */
export function sh(cmd, cwd) {
  const r = spawnSync("sh", ["-c", cmd], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** Create collection `name` (cosine) with n seeded records of dim dims. */
export async function seed(srv, name, { n = 300, dim = 8, seed = 7, prefix = "t" } = {}) {
  const c = await raw(srv, "POST", P.collections(), { name, metadata: { "hnsw:space": "cosine", source: "test" }, get_or_create: true });
  if (c.status !== 200) throw new Error(c.text);
  const vecs = randomVectors(n, dim, rng(seed));
  const ids = vecs.map((_, i) => `${prefix}${String(i).padStart(5, "0")}`);
  const r = await raw(srv, "POST", P.op(c.json.id, "add"), {
    ids,
    embeddings: vecs,
    documents: ids.map((id, i) => `term ${id}: definition ${i}`),
    metadatas: ids.map((id, i) => ({ term_id: id, i, even: i % 2 === 0 })),
  });
  if (r.status !== 200 && r.status !== 201) throw new Error(`add: ${r.status} ${r.text}`);
  return { id: c.json.id, vecs };
}

/** Everything a client can see of collection `name`: rows and a query. */
export async function snapshot(srv, name, queries) {
  const c = await raw(srv, "GET", P.collection(name));
  if (c.status !== 200) return { status: c.status, text: c.text };
  const all = await raw(srv, "POST", P.op(c.json.id, "get"), { include: ["embeddings", "documents", "metadatas"] });
  const q = await raw(srv, "POST", P.op(c.json.id, "query"), { query_embeddings: queries, n_results: 5, include: ["distances", "documents", "metadatas"] });
  return { id: c.json.id, metadata: c.json.metadata, all: all.json, query: q.json };
}

/**
 * A local HTTP server for artifact files. routes: { "/path": filePath }.
 * `hold`: a promise that delays every response until it settles (to watch
 * a server that is still prewarming).
 */
export async function fileServer(routes, { hold } = {}) {
  const s = http.createServer(async (req, res) => {
    if (hold) await hold;
    const f = routes[req.url];
    if (!f || !fs.existsSync(f)) {
      res.writeHead(404);
      res.end("not found");
      return;
    }
    const data = fs.readFileSync(f);
    res.writeHead(200, { "content-type": "application/gzip", "content-length": data.length });
    res.end(data);
  });
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close: () => new Promise((r) => { s.closeAllConnections?.(); s.close(r); }),
  };
}

/** Wait until GET /ready answers 200 (or throw after timeoutMs). */
export async function waitReady(srv, timeoutMs = 120000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await raw(srv, "GET", "/ready");
      if (last.status === 200) return last;
    } catch { /* not up */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${last && last.text}`);
}

/** Parse Prometheus text into {"name{labels}": value}. */
export function parseMetrics(text) {
  const out = {};
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}
