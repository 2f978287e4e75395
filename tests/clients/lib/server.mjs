// Test harness: start/stop a real `omvec run` server for the client tests.
//
//   import { startServer, useServer } from "./lib/server.mjs";
//   const srv = useServer();              // before/after hooks registered
//   ... srv.url, srv.port, srv.dir
//
// Environment:
//   OMVEC_BIN        server binary (default ./omvec, relative to the repo root)
//   OMVEC_TEST_LOG=1 copy the server's stdout/stderr to ours
//   OMVEC_KEEP_TMP=1 keep the temporary data directories
//
// The binary is started as `$OMVEC_BIN run --host 127.0.0.1 --port P --path DIR`.
// Any executable with that CLI works (for debugging the harness, a wrapper
// around the Chroma 1.0.0 npm binding was used).

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { before, after } from "node:test";
import { track } from "./reaper.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..", "..", "..");

export function serverBinary() {
  const bin = process.env.OMVEC_BIN || "./omvec";
  return path.isAbsolute(bin) ? bin : path.resolve(REPO_ROOT, bin);
}

export function sharedDir() {
  const s = process.env.SHARED || "../shared";
  return path.isAbsolute(s) ? s : path.resolve(REPO_ROOT, s);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function makeTempDir(tag = "omvec-test") {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Server {
  constructor({ env = {}, dir, tag, args = [], port } = {}) {
    this.fixedPort = port; // listen on this port (replicas behind a balancer)
    this.extraEnv = env;
    this.extraArgs = args; // more `omvec run` flags (--prewarm, --tokens, ...)
    this.ownDir = !dir;
    this.dir = dir || makeTempDir(tag);
    this.proc = null;
    this.port = null;
    this.host = "127.0.0.1";
    this.log = [];
  }

  get url() {
    return `http://${this.host}:${this.port}`;
  }

  logTail(n = 40) {
    return this.log.join("").split("\n").slice(-n).join("\n");
  }

  // timeoutMs bounds a broken build, not a timing assumption: a loaded
  // 2-core CI box can take seconds to start a server
  async start({ timeoutMs = 60000 } = {}) {
    const bin = serverBinary();
    if (!fs.existsSync(bin)) {
      throw new Error(`server binary not found: ${bin} (build it with 'make omvec' or set OMVEC_BIN)`);
    }
    // A port can be taken between freePort() and bind(); retry a few times.
    let lastErr;
    const known = (this._problems || []).length;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = this.fixedPort || await freePort();
      try {
        await this._spawnAndWait(bin, timeoutMs);
        return this;
      } catch (e) {
        lastErr = e;
        await this._terminate();
        if (this._problems) this._problems.length = known; // a failed start is reported by the throw below
      }
    }
    throw lastErr;
  }

  async _spawnAndWait(bin, timeoutMs) {
    const args = ["run", "--host", this.host, "--port", String(this.port), "--path", this.dir,
      ...this.extraArgs];
    this.log = [];
    const proc = track(spawn(bin, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    }));
    this.proc = proc;
    this.exited = new Promise((resolve) => {
      proc.on("exit", (code, signal) => resolve({ code, signal }));
      proc.on("error", (err) => resolve({ code: -1, signal: null, err }));
    });
    const onData = (d) => {
      this.log.push(d.toString());
      if (this.log.length > 2000) this.log.splice(0, 1000);
      if (process.env.OMVEC_TEST_LOG) process.stderr.write(d);
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);

    let exitedEarly = null;
    this.exited.then((r) => { exitedEarly = r; });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitedEarly) {
        throw new Error(`server exited during start-up (code ${exitedEarly.code}, signal ${exitedEarly.signal}):\n${this.logTail()}`);
      }
      try {
        const r = await fetch(`${this.url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1000) });
        await r.text();
        if (r.status === 200) return;
      } catch { /* not up yet */ }
      await sleep(50);
    }
    throw new Error(`server did not answer GET /api/v2/heartbeat within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Problems seen so far: unexpected exits, sanitizer reports, unclean shutdowns. */
  problems() {
    const out = [...(this._problems || [])];
    const log = this.log.join("");
    if (/ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer)|WARNING: ThreadSanitizer|runtime error:/.test(log)) {
      out.push(`sanitizer report in the server output:\n${this.logTail(60)}`);
    }
    return out;
  }

  _problem(msg) {
    (this._problems ||= []).push(msg);
  }

  async _terminate(signal = "SIGTERM", graceMs = 30000) {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      if (proc) this._problem(`server exited on its own (code ${proc.exitCode}, signal ${proc.signalCode}):\n${this.logTail()}`);
      this.proc = null;
      return;
    }
    proc.kill(signal);
    const t = setTimeout(() => { try { proc.kill("SIGKILL"); } catch { /* gone */ } }, graceMs);
    const r = await this.exited;
    clearTimeout(t);
    this.proc = null;
    return r;
  }

  /** Clean shutdown: SIGTERM, then SIGKILL after 30 s (a hang detector: a sanitizer build on a loaded 2-core box took over 3 s to exit after "stopped cleanly"). Returns {code, signal}. */
  async stop() {
    const r = await this._terminate("SIGTERM", 30000);
    // exit 0, or the default action of SIGTERM; not a crash, an error exit or SIGKILL after the grace period
    if (r && r.code !== 0 && r.signal !== "SIGTERM") this._problem(`server did not exit cleanly on SIGTERM (code ${r.code}, signal ${r.signal}):\n${this.logTail()}`);
    return r;
  }

  /** Hard kill (kill -9), no chance to flush anything. */
  async kill9() {
    const proc = this.proc;
    if (!proc) return;
    if (proc.exitCode !== null || proc.signalCode !== null) {
      this._problem(`server had already exited before kill -9 (code ${proc.exitCode}, signal ${proc.signalCode}):\n${this.logTail()}`);
    }
    proc.kill("SIGKILL");
    const r = await this.exited;
    this.proc = null;
    return r;
  }

  /** Start again on the same data directory (new port). */
  async restart(opts) {
    await this.stop();
    return this.start(opts);
  }

  /**
   * Stop and remove the temp dir (if we created it). Throws if the server
   * crashed, printed a sanitizer report or did not stop cleanly on SIGTERM.
   */
  async dispose() {
    await this.stop();
    if (this.ownDir && !process.env.OMVEC_KEEP_TMP) {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
    const p = this.problems();
    if (p.length) throw new Error(`omvec server problems:\n${p.join("\n\n")}`);
  }
}

export async function startServer(opts = {}) {
  const s = new Server(opts);
  try {
    await s.start(opts);
  } catch (e) {
    await s.dispose().catch(() => {});
    throw e;
  }
  return s;
}

export function createServer(opts = {}) {
  return new Server(opts);
}

/**
 * Register before/after hooks that run one server for the whole test file.
 * Returns a handle whose properties (url, port, dir, ...) are valid once the
 * `before` hook has run.
 */
export function useServer(opts = {}) {
  const s = new Server(opts);
  before(async () => { await s.start(opts); }, { timeout: 30000 });
  after(async () => { await s.dispose(); });
  return s;
}
