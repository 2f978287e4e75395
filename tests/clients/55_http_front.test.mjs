// The HTTP front under hostile clients, over raw sockets (issue 10 items
// 1-3): connection slots held by slow or abandoned connections, bodies on
// open / unknown / wrong-method routes, chunked bodies past the cap, request
// framing that a proxy could read differently (400 and close), and every
// llhttp request vector in $SHARED/data/corpora/http/llhttp-raw (no hang, no
// crash, never a 2xx for a vector llhttp rejects). Every socket opened here
// is destroyed before its test ends.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { useServer, startServer, sharedDir, makeTempDir, serverBinary } from "./lib/server.mjs";

const srv = useServer({ tag: "omvec-55" });
const COLLS = "/api/v2/tenants/default_tenant/databases/default_database/collections";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssKiB = () => +fs.readFileSync(`/proc/${srv.proc.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1];

/**
 * Send raw bytes, optionally a body pumped in 1 MiB pieces (stopping as soon
 * as an answer arrives), optionally end our side; resolve when the server
 * closes or after ms. Returns {statuses, text, closed, ms}.
 */
function rawSend(port, bytes, { pump = 0, chunked = false, end = false, ms = 5000, localAddress } = {}) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1", localAddress });
    let out = Buffer.alloc(0);
    let done = false;
    const t0 = Date.now();
    const fin = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const text = out.toString("latin1");
      resolve({ statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => +m[1]), text, closed, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => fin(false), ms);
    s.on("data", (d) => { out = Buffer.concat([out, d]); });
    s.on("end", () => fin(true));
    s.on("close", () => fin(true));
    s.on("error", () => setTimeout(() => fin(true), 50)); // EPIPE/RST: keep what was read
    s.write(bytes);
    let sent = 0;
    const piece = Buffer.alloc(1 << 20, 0x61);
    const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece;
    const more = () => {
      for (let k = 0; k < 4; k++) {
        if (done || out.length || sent >= pump) {
          if (!done && !out.length && chunked && pump) s.write("0\r\n\r\n");
          if (end && !done) s.end();
          return;
        }
        sent += piece.length;
        if (!s.write(framed)) { s.once("drain", more); return; }
      }
      setTimeout(more, 1);
    };
    more();
  });
}

function jsonBody(text) {
  const i = text.indexOf("\r\n\r\n");
  return JSON.parse(text.slice(i + 4));
}

async function heartbeatMs(port, localAddress) {
  const t0 = Date.now();
  const r = await rawSend(port, "GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", { ms: 10000, localAddress });
  return { status: r.statuses[0], ms: Date.now() - t0 };
}

describe("connection slots", () => {
  test("2,000 half-sent connections held: a normal client is answered in under 1 s, and they are all released", async () => {
    const port = srv.port;
    const socks = [];
    let opened = 0;
    try {
      // spread over 8 loopback addresses (250 each, under the per-address cap)
      await Promise.all(Array.from({ length: 2000 }, (_, i) => new Promise((res) => {
        const s = net.connect({ port, host: "127.0.0.1", localAddress: `127.0.1.${1 + (i % 8)}` }, () => {
          opened++;
          s.write("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\nX-Slow: ");
          res();
        });
        s.on("error", () => res());
        socks.push(s);
      })));
      assert.equal(opened, 2000, "all 2,000 slow connections connected");
      await sleep(100);
      const h = await heartbeatMs(port, "127.0.0.2");
      assert.equal(h.status, 200);
      assert.ok(h.ms < 1000, `heartbeat took ${h.ms} ms with 2,000 slow connections held`);
      const alive = socks.filter((s) => !s.destroyed && s.readyState === "open").length;
      assert.ok(alive >= 1900, `the server kept the slow connections (${alive} open): they hold slots`);
    } finally {
      for (const s of socks) s.destroy();
    }
  });

  test("2,000 connections from one address: the excess is refused at once, others still served", async () => {
    const port = srv.port;
    const socks = [];
    let closedByServer = 0;
    try {
      await Promise.all(Array.from({ length: 2000 }, () => new Promise((res) => {
        const s = net.connect({ port, host: "127.0.0.1", localAddress: "127.0.1.20" }, () => {
          s.write("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\nX-Slow: ");
          res();
        });
        s.on("close", () => closedByServer++);
        s.on("error", () => res());
        socks.push(s);
      })));
      const h = await heartbeatMs(port, "127.0.0.3");
      assert.equal(h.status, 200);
      assert.ok(h.ms < 1000, `heartbeat took ${h.ms} ms`);
      for (let i = 0; i < 100 && closedByServer < 1000; i++) await sleep(50);
      assert.ok(closedByServer >= 1000, `over the per-address cap the server closes at once (${closedByServer} closed)`);
    } finally {
      for (const s of socks) s.destroy();
    }
  });

  test("2,500 x (connect, half a head, close): no CLOSE-WAIT pile-up, a normal client is answered in under 1 s", async () => {
    const port = srv.port;
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 500 }, () => new Promise((res) => {
        const s = net.connect({ port, host: "127.0.0.1" }, () => {
          s.end("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\nX-Half: ");
          s.destroy();
          res();
        });
        s.on("error", () => res());
      })));
    }
    const h = await heartbeatMs(port, "127.0.0.4");
    assert.equal(h.status, 200);
    assert.ok(h.ms < 1000, `heartbeat took ${h.ms} ms after 2,500 abandoned connections`);
  });
});

/** A connection from addr holding half a head (a slot taken), kept in socks
 * for the caller to destroy; resolves once connected (or failed). */
function openHalfHead(port, addr, socks) {
  return new Promise((res) => {
    const c = net.connect({ port, host: "127.0.0.1", localAddress: addr }, () => {
      c.write("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      res(c);
    });
    c.on("error", () => res(c));
    socks.push(c);
  });
}

test("--max-connections-per-ip 4: a 5th connection from one address is closed at once, another address still served", async () => {
  const s = await startServer({ tag: "omvec-55-ip", args: ["--max-connections-per-ip", "4"] });
  const socks = [];
  try {
    const open = (addr) => openHalfHead(s.port, addr, socks);
    for (let i = 0; i < 4; i++) await open("127.0.1.30");
    const fifth = await open("127.0.1.30");
    const closed = await new Promise((res) => {
      if (fifth.destroyed) return res(true);
      const t = setTimeout(() => res(false), 3000);
      fifth.on("close", () => { clearTimeout(t); res(true); });
    });
    assert.ok(closed, "the 5th connection from one address was not closed");
    assert.ok(socks.slice(0, 4).every((c) => !c.destroyed), "the first 4 stay open");
    const h = await heartbeatMs(s.port, "127.0.1.31");
    assert.equal(h.status, 200);
  } finally {
    for (const c of socks) c.destroy();
    await s.dispose();
  }
  assert.deepEqual(s.problems(), []);
});

test("--max-connections 4: a 5th connection waits (not refused) and is answered once a slot frees", async () => {
  const s = await startServer({ tag: "omvec-55-max", args: ["--max-connections", "4"] });
  const socks = [];
  try {
    const open = (addr) => openHalfHead(s.port, addr, socks);
    for (let i = 0; i < 4; i++) await open(`127.0.1.${40 + i}`);
    // the 4 slots are taken once each holds a head in progress
    let fifthData = "", fifthClosed = false;
    const fifth = net.connect({ port: s.port, host: "127.0.0.1", localAddress: "127.0.1.45" }, () => {
      fifth.write("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    });
    fifth.on("data", (d) => { fifthData += d; });
    fifth.on("close", () => { fifthClosed = true; });
    fifth.on("error", () => {});
    socks.push(fifth);
    await sleep(500);
    assert.equal(fifthData, "", "the 5th connection was answered while 4 slots were held");
    assert.equal(fifthClosed, false, "the 5th connection was closed instead of waiting for a slot");
    socks[0].destroy();
    for (let i = 0; i < 200 && !fifthData.includes("\r\n\r\n"); i++) await sleep(25);
    assert.match(fifthData, /^HTTP\/1\.1 200 /, "the 5th connection was answered once a slot freed");
  } finally {
    for (const c of socks) c.destroy();
    await s.dispose();
  }
  assert.deepEqual(s.problems(), []);
});

test("a second server on a port already served fails to start with a clear error (no shared port)", async () => {
  const { spawn } = await import("node:child_process");
  const dir = makeTempDir("omvec-55-port");
  const p = spawn(serverBinary(), ["run", "--host", "127.0.0.1", "--port", String(srv.port), "--path", dir],
                  { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  p.stderr.on("data", (d) => { err += d; });
  p.stdout.on("data", (d) => { err += d; });
  try {
    // it must exit on its own; were it to bind, it would serve until killed below
    const code = await new Promise((res) => {
      const t = setTimeout(() => res("still running"), 60000);
      p.on("exit", (c) => { clearTimeout(t); res(c); });
    });
    assert.notEqual(code, "still running", "a second server bound a port already served");
    assert.notEqual(code, 0);
    assert.match(err, /cannot listen on 127\.0\.0\.1:\d+/);
    const r = await fetch(`${srv.url}/api/v2/heartbeat`);
    assert.equal(r.status, 200, "the first server still answers");
  } finally {
    if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe("request-head deadline (slow loris)", () => {
  // --head-timeout 2: a head must be complete 2 s after the connection
  // opened, however steadily its bytes arrive; --idle-timeout 3: after an
  // answer, the next head is due 3 + 2 s later. Each slow client sends a
  // byte every 400 ms, so a timer that restarts on every byte never fires.
  const HEAD_S = 2, IDLE_S = 3;
  let s;
  test("start a server with --head-timeout 2 --idle-timeout 3", async () => {
    s = await startServer({ tag: "omvec-55-head", args: ["--head-timeout", String(HEAD_S), "--idle-timeout", String(IDLE_S)] });
  });

  /** Connect, send `first`, then one byte of `drip` every 400 ms (repeating)
   * until the server closes; resolve {closed, text, ms} with ms counted from
   * `since` ("connect" or "answer": the first full answer). Gives up after
   * limitMs (the generous bound: the deadline is a few seconds). */
  function slowLoris(first, { since = "connect", limitMs = 30000 } = {}) {
    return new Promise((resolve) => {
      const c = net.connect({ port: s.port, host: "127.0.0.1" });
      let out = "", t0 = Date.now(), done = false, timer = null, i = 0;
      const drip = "X-Slow-" + "abcdefghij".repeat(1000);
      const fin = (closed) => {
        if (done) return;
        done = true;
        clearInterval(timer);
        clearTimeout(limit);
        c.destroy();
        resolve({ closed, text: out, ms: Date.now() - t0 });
      };
      const limit = setTimeout(() => fin(false), limitMs);
      c.on("connect", () => {
        t0 = Date.now();
        c.write(first);
        timer = setInterval(() => {
          if (since === "answer" && !out.includes("\r\n\r\n")) return; // wait for the answer
          if (since === "answer" && i === 0) t0 = Date.now();
          c.write(drip[i++ % drip.length]);
        }, 400);
      });
      c.on("data", (d) => { out += d.toString("latin1"); });
      c.on("end", () => fin(true));
      c.on("close", () => fin(true));
      c.on("error", () => fin(true));
    });
  }

  test("a head dribbled a byte every 400 ms is cut off after the head timeout", async () => {
    const r = await slowLoris("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\n");
    assert.ok(r.closed, `still open after ${r.ms} ms of a byte every 400 ms (head timeout ${HEAD_S} s)`);
    assert.ok(r.ms >= HEAD_S * 1000 - 300, `cut after ${r.ms} ms, before the head timeout`);
    assert.equal(r.text, "", "nothing is answered to a head that never completed");
  });

  test("on a keep-alive connection the next head is cut off after the idle + head timeouts", async () => {
    const r = await slowLoris("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\n\r\n", { since: "answer" });
    assert.match(r.text, /^HTTP\/1\.1 200/, "the first request is answered");
    assert.ok(r.closed, `still open ${r.ms} ms after the answer`);
    // the dribble starts <= 400 ms after the answer, the deadline is 5 s after it
    assert.ok(r.ms >= (IDLE_S + HEAD_S) * 1000 - 800, `cut ${r.ms} ms after the answer, before idle + head`);
  });

  test("a head sent in pieces within the head timeout is served; others are served while slow heads drip", async () => {
    const loris = Array.from({ length: 20 }, () => slowLoris("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\n"));
    const r = await new Promise((resolve) => {
      const c = net.connect({ port: s.port, host: "127.0.0.1" });
      let out = "";
      const parts = ["GET /api/v2/heart", "beat HTTP/1.1\r\nHo", "st: x\r\nConnection: close\r\n", "\r\n"];
      c.on("connect", async () => {
        for (const p of parts) { c.write(p); await sleep(200); }
      });
      c.on("data", (d) => { out += d.toString("latin1"); });
      c.on("close", () => resolve(out));
      c.on("error", () => resolve(out));
    });
    assert.match(r, /^HTTP\/1\.1 200/, r);
    const cut = await Promise.all(loris);
    assert.ok(cut.every((x) => x.closed), "every slow head was cut off");
  });

  test("stop the --head-timeout server", async () => {
    await s.dispose();
    assert.deepEqual(s.problems(), []);
  });
});

describe("bodies before authentication", () => {
  const big = 96 << 20;
  for (const [what, head, want] of [
    ["POST to an open GET route (405)", "POST /api/v2/heartbeat", 405],
    ["GET with a body on an open route (413)", "GET /api/v2/heartbeat", 413],
    ["POST to an unknown path (404)", "POST /no/such/path", 404],
    ["POST to /api/v2/version (405)", "POST /api/v2/version", 405],
  ]) {
    test(`96 MiB ${what}: answered from the head, the body is not read (RSS does not jump)`, async () => {
      const small = await rawSend(srv.port, `${head} HTTP/1.1\r\nHost: x\r\nContent-Length: ${big}\r\n\r\nabc`);
      assert.equal(small.statuses[0], want, small.text);
      assert.ok(small.closed, "the connection closes after the answer");
      const b = jsonBody(small.text);
      assert.ok(typeof b.error === "string" || typeof b.detail === "string", small.text);
      const r0 = rssKiB();
      const full = await rawSend(srv.port, `${head} HTTP/1.1\r\nHost: x\r\nContent-Length: ${big}\r\n\r\n`, { pump: big, ms: 20000 });
      assert.ok(full.closed, "the server closed instead of reading 96 MiB");
      const grew = rssKiB() - r0;
      assert.ok(grew < 16 << 10, `RSS grew by ${grew} KiB`);
    });
  }

  test("a chunked body over 64 KiB on an open route gets 413", async () => {
    const r = await rawSend(srv.port, "GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", { pump: 8 << 20, chunked: true });
    assert.ok(r.closed);
    assert.ok(r.statuses.length === 0 || r.statuses[0] === 413, r.text);
  });

  test("a declared length is not reserved: 200 MiB declared, 1 MiB sent, RSS stays", async () => {
    const r0 = rssKiB();
    const socks = [];
    try {
      for (let i = 0; i < 4; i++) {
        const s = net.connect({ port: srv.port, host: "127.0.0.1" });
        s.on("error", () => {});
        s.write(`POST ${COLLS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${200 << 20}\r\n\r\n`);
        s.write(Buffer.alloc(1 << 20, 0x20));
        socks.push(s);
      }
      await sleep(500);
      const grew = rssKiB() - r0;
      assert.ok(grew < 64 << 10, `4 x 200 MiB declared: RSS grew by ${grew} KiB`);
    } finally {
      for (const s of socks) s.destroy();
    }
  });

  test("an authenticated chunked body over 256 MiB gets 413 (not a hang)", async () => {
    const r = await rawSend(srv.port, `POST ${COLLS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      { pump: 300 << 20, chunked: true, ms: 60000 });
    assert.ok(r.closed, "closed");
    assert.equal(r.statuses[0], 413, r.text.slice(0, 300));
    assert.equal(jsonBody(r.text).error, "InvalidArgumentError");
  });
});

describe("request framing", () => {
  const H = "Host: x\r\n";
  const cases = [
    ["Content-Length with Transfer-Encoding", `POST ${COLLS} HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ["two different Content-Lengths", `POST ${COLLS} HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
    ["a space before the colon", `GET /api/v2/heartbeat HTTP/1.1\r\n${H}X-A : b\r\n\r\n`],
    ["Transfer-Encoding twice", `POST ${COLLS} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ["a bare CR in a header value", `GET /api/v2/heartbeat HTTP/1.1\r\n${H}X-A: b\rc\r\n\r\n`],
    ["HTTP/1.1 without Host", "GET /api/v2/heartbeat HTTP/1.1\r\n\r\n"],
    ["HTTP/1.1 with two Hosts", `GET /api/v2/heartbeat HTTP/1.1\r\n${H}Host: y\r\n\r\n`],
    ["a final transfer coding other than chunked", `POST ${COLLS} HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`],
    ["a Content-Length that is not a number", `POST ${COLLS} HTTP/1.1\r\n${H}Content-Length: 1x\r\n\r\n`],
    // libmicrohttpd 0.9.75 reports a value cut at its NUL; the raw head is read instead
    ["a NUL inside the last header's value", `GET /api/v2/heartbeat HTTP/1.1\r\n${H}X-A: b\0c\r\n\r\n`],
    ["a NUL inside a header value, more headers after", `GET /api/v2/heartbeat HTTP/1.1\r\nX-A: b\0c\r\n${H}Accept: */*\r\n\r\n`],
    ["a NUL at the start of a header value", `GET /api/v2/heartbeat HTTP/1.1\r\n${H}X-A: \0c\r\n\r\n`],
    ["a NUL before trailing blanks in a value", `GET /api/v2/heartbeat HTTP/1.1\r\nX-A: b\0 \r\n${H}\r\n`],
    ["a NUL just before CR LF", `GET /api/v2/heartbeat HTTP/1.1\r\nX-A: b\0\r\n${H}\r\n`],
    ["a folded header line (obs-fold)", `GET /api/v2/heartbeat HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`],
    // libmicrohttpd passes the target cut at a NUL: it would be routed as /api/v2/heartbeat
    ["a NUL in the request path", `GET /api/v2/heartbeat\0/x HTTP/1.1\r\n${H}\r\n`],
    ["a NUL just before the version", `GET /api/v2/heartbeat\0 HTTP/1.1\r\n${H}\r\n`],
    ["%00 in the request path", `GET /api/v2/heartbeat%00/x HTTP/1.1\r\n${H}\r\n`],
    ["a NUL in the query", `GET /api/v2/heartbeat?a=b\0c HTTP/1.1\r\n${H}\r\n`],
    ["%00 in a query value", `GET /api/v2/heartbeat?a=b%00c HTTP/1.1\r\n${H}\r\n`],
  ];
  for (const [what, bytes] of cases) {
    test(`${what}: 400 and close`, async () => {
      const r = await rawSend(srv.port, bytes);
      assert.equal(r.statuses[0], 400, r.text);
      assert.ok(r.closed, "the connection is closed after the 400");
      // libmicrohttpd answers a malformed Content-Length itself (HTML body)
      if (!what.includes("not a number")) assert.equal(jsonBody(r.text).error, "InvalidArgumentError", r.text);
    });
  }

  test("Transfer-Encoding: x, chunked (valid framing, unknown coding) gets an answer: 501", async () => {
    const r = await rawSend(srv.port, `POST ${COLLS} HTTP/1.1\r\n${H}Transfer-Encoding: x, chunked\r\n\r\n0\r\n\r\n`);
    assert.equal(r.statuses[0], 501, r.text);
    assert.ok(r.closed);
    assert.equal(jsonBody(r.text).error, "NotImplemented");
  });

  test("a token with a NUL inside (good\\0junk) is refused with 400, never read as the good token", async () => {
    const work = makeTempDir("omvec-55-nul");
    const tokens = path.join(work, "tokens");
    fs.writeFileSync(tokens, "read good\n");
    const s = await startServer({ tag: "omvec-55-nul", args: ["--tokens", tokens] });
    try {
      const get = (hdr) => rawSend(s.port, `GET ${COLLS} HTTP/1.1\r\n${H}${hdr}\r\nConnection: close\r\n\r\n`);
      const ok = await get("X-Chroma-Token: good");
      assert.equal(ok.statuses[0], 200, ok.text);
      for (const hdr of ["X-Chroma-Token: good\0junk", "Authorization: Bearer good\0junk", "Authorization: Bearer good\0"]) {
        const r = await get(hdr);
        assert.equal(r.statuses[0], 400, `${JSON.stringify(hdr)}: ${r.text}`);
        assert.ok(r.closed, "closed after the 400");
        assert.match(jsonBody(r.text).message, /NUL/);
      }
    } finally {
      await s.dispose();
      fs.rmSync(work, { recursive: true, force: true });
    }
    assert.deepEqual(s.problems(), []);
  });

  test("values with blanks, empty values, many headers and escapes in the target are still served", async () => {
    const many = Array.from({ length: 60 }, (_, i) => `X-H${i}: v${i}\t \r\n`).join("");
    for (const bytes of [
      `GET /api/v2/heartbeat HTTP/1.1\r\n${H}X-E:\r\nX-F: \r\nX-G:  a b  \r\nConnection: close\r\n\r\n`,
      `GET /api/v2/heartbeat HTTP/1.1\r\n${many}${H}Connection: close\r\n\r\n`,
      `GET /api/v2/heartbeat HTTP/1.1\n${H.replace("\r", "")}X-E:\nConnection: close\n\n`,
      `GET /api/v2/heart%62eat?a=b%20c&d=%41 HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
    ]) {
      const r = await rawSend(srv.port, bytes);
      assert.equal(r.statuses[0], 200, `${JSON.stringify(bytes.slice(0, 80))}: ${r.text}`);
    }
  });

  test("HTTP/1.0 without Host and an ordinary HTTP/1.1 request are still served", async () => {
    const a = await rawSend(srv.port, "GET /api/v2/heartbeat HTTP/1.0\r\n\r\n");
    assert.equal(a.statuses[0], 200, a.text);
    const b = await rawSend(srv.port, `GET /api/v2/heartbeat HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.equal(b.statuses[0], 200, b.text);
  });
});

describe("llhttp request vectors", () => {
  const dir = path.join(sharedDir(), "data", "corpora", "http", "llhttp-raw");
  const have = fs.existsSync(path.join(dir, "INDEX.tsv"));
  test("every vector: the connection ends (no hang), never a 2xx where llhttp rejects, the server stays up", { skip: !have && `no ${dir}` }, async () => {
    const rows = fs.readFileSync(path.join(dir, "INDEX.tsv"), "utf8").trim().split("\n").slice(1).map((l) => l.split("\t"));
    assert.ok(rows.length >= 160, `${rows.length} vectors`);
    const differ = [];
    for (const [file, , , , , should] of rows) {
      let b = fs.readFileSync(path.join(dir, file));
      // a vector cut inside the head (llhttp reports the error at the bad
      // byte; a server can only answer a complete head): complete it
      if (!b.includes("\r\n\r\n") && !b.includes("\n\n")) {
        b = Buffer.concat([b, Buffer.from(b.subarray(-2).toString("latin1") === "\r\n" ? "\r\n" : "\r\n\r\n")]);
      }
      const r = await rawSend(srv.port, b, { end: true, ms: 8000 });
      assert.ok(r.closed, `${file}: the connection did not end within 8 s after our side closed`);
      const got = r.statuses.includes(400) ? "error" : r.statuses.length ? "ok" : "none";
      if (should === "error") {
        assert.ok(r.statuses.every((st) => st >= 400), `${file}: llhttp rejects it, the server answered ${r.statuses}`);
      }
      if (got !== should) differ.push(`${file}\t${should}\t${r.statuses.join(",") || "closed"}`);
    }
    const h = await heartbeatMs(srv.port);
    assert.equal(h.status, 200, "the server still answers after all vectors");
    if (process.env.OMVEC_TEST_VERBOSE) console.log(differ.join("\n"));
  });
});

// The pool threads pin themselves to the process's CPUs in turn at their
// first request (http/pin.c; issue 13, h13x), unless
// --threads sets the pool size. Linux /proc only; skipped with one CPU.
const cpuCount = (list) => list.split(",").reduce((n, r) => {
  const [a, b] = r.split("-").map(Number);
  return n + (b === undefined ? 1 : b - a + 1);
}, 0);
const cpusAllowed = (pid, tid) =>
  fs.readFileSync(tid === undefined ? `/proc/${pid}/status` : `/proc/${pid}/task/${tid}/status`, "utf8")
    .match(/Cpus_allowed_list:\s+(\S+)/)[1];
const workerCpus = (pid) => fs.readdirSync(`/proc/${pid}/task`)
  .filter((t) => { try { return fs.readFileSync(`/proc/${pid}/task/${t}/comm`, "utf8").trim() === "MHD-worker"; } catch { return false; } })
  .map((t) => cpusAllowed(pid, t));

/** Four keep-alive connections, each answered once; then destroyed. */
async function fourAnswered(port) {
  const socks = [];
  try {
    await Promise.all([0, 1, 2, 3].map(() => new Promise((res, rej) => {
      const c = net.connect({ port, host: "127.0.0.1" }, () => c.write("GET /api/v2/heartbeat HTTP/1.1\r\nHost: x\r\n\r\n"));
      socks.push(c);
      c.once("data", () => res());
      c.on("error", rej);
    })));
  } finally {
    for (const c of socks) c.destroy();
  }
}

const multiCpu = fs.existsSync("/proc/self/status") && cpuCount(cpusAllowed("self")) >= 2;

test("the pool threads that served requests are pinned to one CPU each, spread over the process's CPUs", { skip: !multiCpu && "one CPU (or no /proc)" }, async () => {
  await fourAnswered(srv.port);
  const all = cpusAllowed(srv.proc.pid);
  const workers = workerCpus(srv.proc.pid);
  const pinned = workers.filter((l) => cpuCount(l) === 1);
  assert.ok(pinned.length >= 4, `pinned pool threads: ${pinned.length} of ${workers.length}`);
  assert.ok(new Set(pinned).size >= 2, `all on one CPU: ${pinned}`);
  assert.ok(workers.every((l) => cpuCount(l) === 1 || l === all), `a worker neither pinned nor on the process's CPUs: ${workers}`);
});

test("--threads 4: the pool is left to the kernel's placement", { skip: !multiCpu && "one CPU (or no /proc)" }, async () => {
  const s = await startServer({ tag: "omvec-55-threads", args: ["--threads", "4"] });
  try {
    await fourAnswered(s.port);
    const all = cpusAllowed(s.proc.pid);
    const workers = workerCpus(s.proc.pid);
    assert.equal(workers.length, 4);
    assert.ok(workers.every((l) => l === all), `pinned with --threads: ${workers}`);
  } finally {
    await s.dispose();
  }
  assert.deepEqual(s.problems(), []);
});

// A thread the server starts while serving a request (a new store's
// checkpointer, the index saver and its helpers) gets the process's CPUs,
// not the one CPU its creating pool thread is pinned to (util/thread.c).
test("threads started from a pinned pool thread are not pinned", { skip: !multiCpu && "one CPU (or no /proc)" }, async () => {
  const s = await startServer({ tag: "omvec-55-spawn" });
  try {
    await fourAnswered(s.port);
    const all = cpusAllowed(s.proc.pid);
    const base = `${s.url}${COLLS}`;
    // The threads an add starts (the insert workers, the index saver's
    // helpers) may end before /proc is read: repeat the create and add,
    // each time into a new collection, until one is seen (a condition,
    // not a clock; 20 tries at most).
    let seen = [];
    for (let attempt = 0; attempt < 20 && seen.length === 0; attempt++) {
      const before = new Set(fs.readdirSync(`/proc/${s.proc.pid}/task`));
      const c = await (await fetch(base, { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `spawn55_${attempt}` }) })).json();
      const ids = Array.from({ length: 300 }, (_, i) => `r${i}`);
      const embeddings = ids.map((_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(i * 7 + j)));
      const add = await fetch(`${base}/${c.id}/add`, { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ ids, embeddings }) });
      assert.equal(add.status, 201);
      seen = fs.readdirSync(`/proc/${s.proc.pid}/task`).filter((t) => !before.has(t)).flatMap((t) => {
        try {
          const comm = fs.readFileSync(`/proc/${s.proc.pid}/task/${t}/comm`, "utf8").trim();
          return comm === "MHD-worker" ? [] : [`${t}:${comm}:${cpusAllowed(s.proc.pid, t)}`];
        } catch { return []; } /* gone meanwhile */
      });
    }
    if (process.env.OMVEC_TEST_VERBOSE) console.log(seen, all);
    assert.ok(seen.length >= 1, "no thread was started while serving the create and the add");
    assert.deepEqual(seen.filter((l) => !l.endsWith(`:${all}`)), [], `pinned: ${seen}`);
  } finally {
    await s.dispose();
  }
  assert.deepEqual(s.problems(), []);
});
