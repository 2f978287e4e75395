// bench/replicas.mjs - requests/s of vector queries through nginx (the
// deployment kit's configuration, plain-HTTP loopback listener) with one and
// with three omvec replicas, plus one replica directly for reference.
// Not a test; run by hand from the repository root after `make`:
//
//   node bench/replicas.mjs [N=20000] [DIM=768] [SECONDS=10] [CONC=16]
//
// Builds bench/loadgen.c and bench/mkdata.c, generates N clustered unit
// vectors (cosine), loads them into a scratch server, packs an artifact,
// starts three replicas prewarmed from it, and runs loadgen (closed loop,
// keep-alive, k=10 with documents, metadatas and distances; the index as
// served, HNSW) for SECONDS
// against each setup. Prints a markdown table for docs/operations.md.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createServer, freePort, makeTempDir } from "../tests/clients/lib/server.mjs";
import { raw, paths } from "../tests/clients/lib/api.mjs";
import { omvec, waitReady } from "../tests/clients/lib/artifacts.mjs";
import { Nginx } from "../tests/clients/lib/nginx.mjs";

const [N = 20000, DIM = 768, SECONDS = 10, CONC = 16] = process.argv.slice(2).map(Number);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
fs.mkdirSync(path.join(ROOT, "build"), { recursive: true });
run("gcc", ["-std=gnu17", "-O2", "-pthread", "bench/loadgen.c", "-o", "build/loadgen"]);
run("gcc", ["-std=gnu17", "-O2", "bench/mkdata.c", "-lm", "-o", "build/mkdata"]);
const work = makeTempDir("omvec-bench-replicas");
const add = path.join(work, "add.jsonl");
const qry = path.join(work, "query.jsonl");
run("build/mkdata", [String(N), String(DIM), "1000", "500", "1", add, qry]);

const P = paths.v2;
const src = createServer({ tag: "bench-src", args: ["--sync", "normal", "--log-level", "warn"] });
await src.start();
const c = await raw(src, "POST", P.collections(), { name: "bench", metadata: { "hnsw:space": "cosine" } });
for (const line of fs.readFileSync(add, "utf8").split("\n")) {
  if (!line) continue;
  const r = await fetch(src.url + P.op(c.json.id, "add"), { method: "POST", headers: { "content-type": "application/json" }, body: line });
  if (r.status >= 300) throw new Error(await r.text());
  await r.arrayBuffer();
}
const art = path.join(work, "bench.tar.gz");
const pk = await omvec("pack", "bench", "--path", src.dir, "-o", art, "--version", "1");
if (pk.code !== 0) throw new Error(pk.stderr);
await src.dispose();

const reps = [];
for (let i = 0; i < 3; i++) {
  const r = createServer({ tag: `bench-r${i}`, port: await freePort(), args: ["--prewarm", art, "--log-level", "warn"] });
  await r.start();
  reps.push(r);
}
for (const r of reps) await waitReady(r, 120000);
const qpath = P.op(c.json.id, "query");

function loadgen(port) {
  const out = run("build/loadgen", ["-p", String(port), "-u", qpath, "-b", qry, "-c", String(CONC), "-d", String(SECONDS)]);
  const m = out.match(/([\d.]+) req\/s; latency ms p50 ([\d.]+) p90 ([\d.]+) p99 ([\d.]+)/);
  if (!m) throw new Error(out);
  const errs = out.match(/errors (\d+), non-2xx (\d+)/);
  return { rps: Number(m[1]), p50: m[2], p90: m[3], p99: m[4], line: out.trim(), errs: errs ? `${errs[1]} / ${errs[2]}` : "?" };
}

const rows = [];
rows.push(["1 replica, direct (no nginx)", loadgen(reps[0].port)]);
for (const n of [1, 3]) {
  const ng = await new Nginx(reps.slice(0, n).map((r) => `127.0.0.1:${r.port}`)).start();
  rows.push([`${n} replica${n > 1 ? "s" : ""} behind nginx`, loadgen(ng.httpPort)]);
  await ng.stop();
}
for (const r of reps) await r.dispose();
fs.rmSync(work, { recursive: true, force: true });

console.log(`\n${N} x ${DIM}-d cosine, served as omvec serves (HNSW), k=10, concurrency ${CONC}, ${SECONDS} s each, ` +
  `${os.cpus().length} CPUs (${os.cpus()[0].model}), everything on one host\n`);
console.log("| setup | req/s | p50 ms | p90 ms | p99 ms | errors / non-2xx |\n|---|---|---|---|---|---|");
for (const [name, r] of rows) console.log(`| ${name} | ${r.rps} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.errs} |`);
for (const [name, r] of rows) console.log(`# ${name}: ${r.line}`);
