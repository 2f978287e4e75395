// The deployment kit (deploy/): the Dockerfile passes a linter from npm
// (dockerfile-utils) and has the properties the design asks for; the
// entrypoint really prewarms from OMVEC_ARTIFACTS and installs the tokens
// from the environment; the ECS, Kubernetes and systemd files say what
// docs/operations.md says they do. (nginx's config is exercised for real
// by 85_replicas.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { validate } from "dockerfile-utils";
import { REPO_ROOT, serverBinary, freePort, makeTempDir, startServer } from "./lib/server.mjs";
import { raw, paths } from "./lib/api.mjs";
import { omvec, seed, waitReady } from "./lib/artifacts.mjs";

const D = (p) => path.join(REPO_ROOT, "deploy", p);
const read = (p) => fs.readFileSync(D(p), "utf8");
const P = paths.v2;

test("Dockerfile: no linter findings; multi-stage, non-root, heartbeat health check, no -march=native", () => {
  const text = read("Dockerfile");
  const diags = validate(text);
  assert.deepEqual(diags.map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
  // the linter is alive: a broken file does get findings
  assert.ok(validate("FROM\nEXPOSE notaport\nHEALTHCHECK\n").length > 0);
  const froms = text.match(/^FROM /gm) || [];
  assert.ok(froms.length >= 2, "multi-stage");
  assert.match(text, /^COPY --from=build /m);
  assert.match(text, /^USER 10001/m);
  assert.match(text, /^HEALTHCHECK [\s\S]*\/api\/v2\/heartbeat/m);
  assert.match(text, /linux\/amd64,linux\/arm64/);
  assert.doesNotMatch(text, /march=native/);
  assert.match(text, /^ENTRYPOINT \["\/usr\/local\/bin\/omvec-entrypoint"\]/m);
});

test("entrypoint: prewarms from OMVEC_ARTIFACTS, tokens from the environment, SIGTERM reaches omvec", async () => {
  const work = makeTempDir("omvec-86");
  const src = await startServer({ tag: "omvec-86-src" });
  let proc;
  try {
    await seed(src, "deploy_coll", { n: 40, dim: 4 });
    const art = path.join(work, "deploy.tar.gz");
    assert.equal((await omvec("pack", "deploy_coll", "--path", src.dir, "-o", art, "--version", "7")).code, 0);
    const port = await freePort();
    const data = path.join(work, "data");
    const tmp = path.join(work, "tmp");
    fs.mkdirSync(tmp);
    let log = "";
    proc = spawn("sh", [D("entrypoint.sh")], {
      env: {
        PATH: process.env.PATH, TMPDIR: tmp,
        OMVEC_BIN: serverBinary(), OMVEC_HOST: "127.0.0.1", OMVEC_PORT: String(port), OMVEC_DATA: data,
        OMVEC_ARTIFACTS: `${art},\n`, OMVEC_READ_TOKEN: "r-secret", OMVEC_ADMIN_TOKEN: "a-secret",
        OMVEC_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout.on("data", (d) => { log += d; });
    proc.stderr.on("data", (d) => { log += d; });
    const exited = new Promise((r) => proc.on("exit", (code, signal) => r({ code, signal })));
    const s = { url: `http://127.0.0.1:${port}` };
    const deadline = Date.now() + 10000;
    for (;;) {
      try { if ((await raw(s, "GET", "/api/v2/heartbeat")).status === 200) break; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`entrypoint server did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitReady(s);
    const auth = (t) => ({ authorization: `Bearer ${t}` });
    assert.equal((await raw(s, "GET", P.collection("deploy_coll"))).status, 403);
    const c = await raw(s, "GET", P.collection("deploy_coll"), undefined, auth("r-secret"));
    assert.equal(c.status, 200, c.text);
    assert.equal((await raw(s, "GET", P.op(c.json.id, "count"), undefined, auth("r-secret"))).json, 40);
    const w = await raw(s, "POST", P.op(c.json.id, "delete"), { ids: ["t00000"] }, auth("r-secret"));
    assert.equal(w.status, 403);
    const a = await raw(s, "POST", P.collections(), { name: "admin_made" }, auth("a-secret"));
    assert.equal(a.status, 200, a.text);
    // the tokens file is private
    const files = fs.readdirSync(tmp).filter((f) => f.startsWith("omvec-tokens."));
    assert.equal(files.length, 1);
    assert.equal(fs.statSync(path.join(tmp, files[0])).mode & 0o777, 0o600);
    proc.kill("SIGTERM");
    const ex = await exited;
    assert.equal(ex.code, 0, log);
    proc = null;
  } finally {
    if (proc) proc.kill("SIGKILL");
    await src.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test("ECS: 4 vCPU / 16 GB ARM64 Fargate, tokens from Secrets Manager, health on /ready", () => {
  const t = JSON.parse(read("ecs/task-definition.json"));
  assert.equal(t.cpu, "4096");
  assert.equal(t.memory, "16384");
  assert.deepEqual(t.requiresCompatibilities, ["FARGATE"]);
  assert.equal(t.runtimePlatform.cpuArchitecture, "ARM64");
  const c = t.containerDefinitions[0];
  assert.ok(c.secrets.length >= 1);
  for (const s of c.secrets) assert.match(s.valueFrom, /^arn:aws:secretsmanager:/);
  assert.ok(c.environment.some((e) => e.name === "OMVEC_ARTIFACTS"));
  assert.match(c.healthCheck.command.join(" "), /\/ready/);
  const svc = JSON.parse(read("ecs/service.json"));
  assert.equal(svc.launchType, "FARGATE");
  assert.equal(svc.loadBalancers[0].containerPort, 8000);
});

test("Kubernetes: readiness on /ready, liveness on heartbeat, non-root, Service and HPA", () => {
  const dep = read("k8s/deployment.yaml");
  assert.match(dep, /kind: Deployment/);
  assert.match(dep, /readinessProbe:\s*\n\s*httpGet: \{path: \/ready/);
  assert.match(dep, /livenessProbe:\s*\n\s*httpGet: \{path: \/api\/v2\/heartbeat/);
  assert.match(dep, /runAsNonRoot: true/);
  assert.match(dep, /secretKeyRef: \{name: omvec-tokens, key: read\}/);
  assert.match(read("k8s/service.yaml"), /kind: Service/);
  const hpa = read("k8s/hpa.yaml");
  assert.match(hpa, /kind: HorizontalPodAutoscaler/);
  assert.match(hpa, /name: omvec/);
});

test("systemd unit verifies (systemd-analyze) and reloads tokens with SIGHUP", (t) => {
  const unit = read("systemd/omvec.service");
  assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(unit, /^User=omvec$/m);
  const which = spawnSync("sh", ["-c", "command -v systemd-analyze"], { encoding: "utf8" });
  if (which.status !== 0) { t.skip("systemd-analyze not installed"); return; }
  const dir = makeTempDir("omvec-86-unit");
  const f = path.join(dir, "omvec.service");
  fs.writeFileSync(f, unit.replace("/usr/local/bin/omvec-entrypoint", "/bin/true"));
  const r = spawnSync("systemd-analyze", ["verify", f], { encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), "");
});
