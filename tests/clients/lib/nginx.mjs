// Start the real nginx (Debian's) as an unprivileged child with the
// deployment kit's configuration (deploy/nginx/omvec.conf and
// omvec-locations.conf) adapted to loopback: the replica list, the listen
// ports and a self-signed certificate are substituted, every path nginx
// writes goes to a temporary directory. A plain-HTTP loopback listener with
// the same locations is added for the load generator (which has no TLS).

import { spawn, spawnSync } from "node:child_process";
import { track } from "./reaper.mjs";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT, freePort, makeTempDir } from "./server.mjs";

export function nginxBinary() {
  for (const p of [process.env.NGINX_BIN, "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    if (p && fs.existsSync(p)) return p;
  }
  return null;
}

/** The deploy config with our upstreams, ports and certificate. */
export function adaptConfig({ upstreams, tlsPort, httpPort, cert, key }) {
  let conf = fs.readFileSync(path.join(REPO_ROOT, "deploy/nginx/omvec.conf"), "utf8");
  const servers = upstreams.map((u) => `    server ${u} max_fails=3 fail_timeout=5s;`).join("\n");
  conf = conf.replace(/(\n    server \S+:8000 [^\n]*;)+/, "\n" + servers);
  conf = conf.replace("listen 443 ssl http2;", `listen 127.0.0.1:${tlsPort} ssl;`);
  conf = conf.replace("listen 80;", `listen 127.0.0.1:${httpPort + 1};`);
  conf = conf.replace("/etc/nginx/tls/omvec.crt", cert).replace("/etc/nginx/tls/omvec.key", key);
  if (!conf.includes(`127.0.0.1:${tlsPort}`) || !conf.includes(upstreams[0])) {
    throw new Error("deploy/nginx/omvec.conf no longer has the expected shape");
  }
  // plain-HTTP loopback listener for the load generator, same locations
  conf += `\nserver {\n    listen 127.0.0.1:${httpPort};\n    include omvec-locations.conf;\n}\n`;
  return conf;
}

export class Nginx {
  constructor(upstreams) {
    this.upstreams = upstreams;
    this.dir = makeTempDir("omvec-nginx");
  }

  async start() {
    const d = this.dir;
    this.tlsPort = await freePort();
    this.httpPort = await freePort();
    this.cert = path.join(d, "tls.crt");
    this.key = path.join(d, "tls.key");
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout", this.key, "-out", this.cert], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
    fs.copyFileSync(path.join(REPO_ROOT, "deploy/nginx/omvec-locations.conf"), path.join(d, "omvec-locations.conf"));
    fs.writeFileSync(path.join(d, "omvec.conf"), adaptConfig({
      upstreams: this.upstreams, tlsPort: this.tlsPort, httpPort: this.httpPort, cert: this.cert, key: this.key,
    }));
    for (const t of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) fs.mkdirSync(path.join(d, t));
    fs.writeFileSync(path.join(d, "nginx.conf"), `
worker_processes 2;
daemon off;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 1024; }
http {
    access_log ${d}/access.log;
    client_body_temp_path ${d}/body;
    proxy_temp_path ${d}/proxy;
    fastcgi_temp_path ${d}/fastcgi;
    uwsgi_temp_path ${d}/uwsgi;
    scgi_temp_path ${d}/scgi;
    include ${d}/omvec.conf;
}
`);
    const bin = nginxBinary();
    const t = spawnSync(bin, ["-t", "-p", d, "-e", `${d}/error.log`, "-c", `${d}/nginx.conf`], { encoding: "utf8" });
    if (t.status !== 0) throw new Error(`nginx -t: ${t.stderr}`);
    // its own process group: the workers are killed with the master
    this.proc = track(spawn(bin, ["-p", d, "-e", `${d}/error.log`, "-c", `${d}/nginx.conf`],
      { stdio: ["ignore", "pipe", "pipe"], detached: true }), { group: true });
    this.exited = new Promise((res) => this.proc.on("exit", (code, signal) => res({ code, signal })));
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: fs.readFileSync(this.cert) });
    const deadline = Date.now() + 60000; // bounds a broken setup; normally milliseconds
    while (Date.now() < deadline && this.proc.exitCode === null && this.proc.signalCode === null) {
      if (await canConnect(this.tlsPort)) return this;
      await new Promise((res) => setTimeout(res, 50));
    }
    const log = fs.readFileSync(`${d}/error.log`, "utf8");
    await this.stop();
    throw new Error(`nginx did not start: ${log}`);
  }

  /** One HTTPS request through nginx (certificate verified). */
  request(method, p, body, headers = {}) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = https.request({
        host: "127.0.0.1", servername: "localhost", port: this.tlsPort, method, path: p, agent: this.agent,
        headers: { ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}), ...headers },
      }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json;
          try { json = JSON.parse(text); } catch { json = undefined; }
          resolve({ status: res.statusCode, text, json, headers: res.headers });
        });
      });
      req.on("error", reject);
      req.setTimeout(30000, () => req.destroy(new Error("timeout")));
      if (payload) req.write(payload);
      req.end();
    });
  }

  errorLog() {
    try { return fs.readFileSync(`${this.dir}/error.log`, "utf8"); } catch { return ""; }
  }

  async stop() {
    this.agent?.destroy();
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGQUIT");
      const t = setTimeout(() => { try { process.kill(-this.proc.pid, "SIGKILL"); } catch { /* gone */ } }, 5000);
      await this.exited;
      clearTimeout(t);
    }
    // workers a killed master left behind
    try { if (this.proc?.pid) process.kill(-this.proc.pid, "SIGKILL"); } catch { /* none */ }
    if (!process.env.OMVEC_KEEP_TMP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}
