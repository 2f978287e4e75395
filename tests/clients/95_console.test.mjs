// Issue 14: the browser console at GET /, in a real browser. Headless
// Chromium (Debian's `chromium`, scripts/install-deps.sh --test) driven by
// puppeteer-core (which downloads no browser). Two small ontologies are
// built from tiny OBO files; the page is used with the keyboard alone: type a
// query, see the expected term first, move through the results, copy an id,
// switch ontology; with auth on, a wrong token gets the 403 message and a
// read token works; while prewarming the page says 503; a stopped server
// gives the network message. Every request the page makes must stay on the
// server's origin (request interception). A screenshot is saved to
// build/test-artifacts/console.png. Browser and servers are stopped in
// after hooks, also when a test fails.
// Environment: CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createServer, makeTempDir, REPO_ROOT } from "./lib/server.mjs";
import { omvec } from "./lib/artifacts.mjs";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO_ROOT, "build/test-artifacts");
// CI installs chromium (scripts/install-deps.sh --test); elsewhere a missing
// browser skips this file instead of failing it
const skip = !fs.existsSync(CHROMIUM) && !process.env.CI ? `no browser at ${CHROMIUM}` : false;

const work = makeTempDir("omvec-95");
const data = path.join(work, "data");
const TOKENS = path.join(work, "tokens");
const READ = "console-read-token-95";
const CL_TAR = path.join(work, "cl.tar.gz");
let CL_SHA = "";
const servers = [];
let browser = null;
let puppeteer = null;

const MONDO = `format-version: 1.2
ontology: mondo

[Term]
id: MONDO:0005068
name: myocardial infarction
def: "A coronary artery disorder in which the blood supply to part of the heart is blocked." []
synonym: "heart attack" EXACT []
synonym: "MI" RELATED []

[Term]
id: MONDO:0005148
name: type 2 diabetes mellitus
def: "A diabetes mellitus marked by insulin resistance." []
synonym: "T2D" EXACT []

[Term]
id: MONDO:0004975
name: Alzheimer disease
def: "A progressive neurodegenerative disease with memory loss." []
synonym: "Alzheimer's disease" EXACT []

[Term]
id: MONDO:0005044
name: hypertensive disorder
def: "Persistently high arterial blood pressure." []
synonym: "high blood pressure" EXACT []

[Term]
id: MONDO:0004992
name: cancer
def: "A malignant neoplasm." []
synonym: "malignant tumor" EXACT []
`;

const CL = `format-version: 1.2
ontology: cl

[Term]
id: CL:0000084
name: T cell
def: "A lymphocyte with a T cell receptor." []
synonym: "T lymphocyte" EXACT []

[Term]
id: CL:0000236
name: B cell
def: "A lymphocyte of B lineage." []
synonym: "B lymphocyte" EXACT []

[Term]
id: CL:0000540
name: neuron
def: "The basic cellular unit of nervous tissue." []
synonym: "nerve cell" EXACT []
`;

before(async () => {
  if (skip) return;
  fs.writeFileSync(path.join(work, "mondo.obo"), MONDO);
  fs.writeFileSync(path.join(work, "cl.obo"), CL);
  fs.writeFileSync(TOKENS, `read ${READ}\n`);
  for (const [onto, file] of [["mondo", "mondo.obo"], ["cell_ontology", "cl.obo"]]) {
    const r = await omvec("build", "--ontology", onto, "--obo", path.join(work, file), "--dim", "64", "--path", data);
    assert.equal(r.code, 0, r.stderr);
  }
  // the cell ontology goes through an artifact (pack, then pull --force into
  // the same directory), so the collections view has a version and sha256
  let r = await omvec("pack", "cell_ontology_v2024_01", "--path", data, "-o", CL_TAR, "--version", "2024_01");
  assert.equal(r.code, 0, r.stderr);
  r = await omvec("pull", CL_TAR, "--path", data, "--force");
  assert.equal(r.code, 0, r.stderr);
  CL_SHA = crypto.createHash("sha256").update(fs.readFileSync(CL_TAR)).digest("hex");
  ({ default: puppeteer } = await import("puppeteer-core"));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, { timeout: 120000 });

after(async () => {
  if (browser) {
    const proc = browser.process();
    await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 5000))]).catch(() => {});
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      try { process.kill(-proc.pid, "SIGKILL"); } catch { try { proc.kill("SIGKILL"); } catch { /* gone */ } }
    }
  }
  const problems = [];
  for (const s of servers) await s.dispose().catch((e) => problems.push(e.message));
  if (!process.env.OMVEC_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  // a server that crashed or printed a sanitizer report fails the file
  if (problems.length) throw new Error(problems.join("\n\n"));
});

test("src/http/console/openapi.json is what scripts/gen_openapi.mjs writes", () => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/gen_openapi.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

async function serve(args = []) {
  // one process per data directory: stop the previous test's server first
  // (even when that test failed); its problems are still reported in after()
  for (const prev of servers) if (prev.proc) await prev.stop();
  const s = createServer({ dir: data, tag: "omvec-95", args });
  servers.push(s);
  await s.start();
  return s;
}

/** A page whose every request is checked: off-origin requests are recorded and aborted. */
async function openPage(srv) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 760 });
  const offsite = [], calls = [], cspErrors = [];
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(srv.url + "/")) { offsite.push(u); r.abort(); return; }
    calls.push({ url: u, token: r.headers()["x-chroma-token"] || null });
    r.continue();
  });
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  page.on("pageerror", (e) => cspErrors.push(`page error: ${e.message}`));
  const res = await page.goto(srv.url + "/", { waitUntil: "domcontentloaded" });
  return { page, res, offsite, calls, cspErrors };
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
const firstId = (page) => page.$eval("#results li .t-id", (e) => e.textContent);

async function waitFirst(page, id) {
  await page.waitForFunction((want) => {
    const e = document.querySelector("#results li .t-id");
    return e && e.textContent === want;
  }, { timeout: 15000 }, id);
}

test("console: search by keyboard, switch ontology, copy id, headers, no off-origin request", { skip, timeout: 120000 }, async () => {
  const srv = await serve();
  const { page, res, offsite, cspErrors } = await openPage(srv);
  const h = res.headers();
  assert.equal(res.status(), 200);
  assert.match(h["content-security-policy"], /default-src 'none'; script-src 'self'/);
  assert.match(h["content-security-policy"], /frame-ancestors 'none'/);
  assert.equal(h["x-frame-options"], "DENY");
  assert.equal(h["x-content-type-options"], "nosniff");
  assert.equal(h["referrer-policy"], "no-referrer");

  // the picker lists the two ontologies by alias, disease first
  await page.waitForFunction(() => document.querySelectorAll("#onto option").length === 2, { timeout: 15000 });
  const labels = await page.$$eval("#onto option", (os) => os.map((o) => o.textContent));
  assert.deepEqual(labels, ["disease · mondo", "cell_type · cell_ontology"]);
  // the search box has the focus on load: keyboard only from here on
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.keyboard.type("heart attack", { delay: 15 });
  await waitFirst(page, "MONDO:0005068");
  const first = await page.$eval("#results li", (li) => ({
    name: li.querySelector(".t-name").textContent,
    syn: li.querySelector(".t-syn").textContent,
    def: li.querySelector(".t-def").textContent,
    link: li.querySelector("a.open").href,
    bar: li.querySelector(".score span").style.width,
    selected: li.getAttribute("aria-selected"),
  }));
  assert.equal(first.name, "myocardial infarction");
  assert.match(first.syn, /heart attack/);
  assert.match(first.def, /coronary artery/);
  assert.equal(first.link, "http://purl.obolibrary.org/obo/MONDO_0005068");
  assert.match(first.bar, /^\d+(\.\d+)?%$/);
  assert.ok(parseFloat(first.bar) > 0);
  assert.equal(first.selected, "true");
  // arrows move the selection, Enter copies the selected id
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.$eval("#q", (e) => e.getAttribute("aria-activedescendant")), "r-1");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.$eval("#q", (e) => e.getAttribute("aria-activedescendant")), "r-0");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /MONDO:0005068/.test(document.querySelector("#status").textContent), { timeout: 5000 });
  assert.match(await text(page, "#status"), /^(Copied MONDO:0005068|Copy failed; the id is MONDO:0005068)$/);
  await page.keyboard.down("Shift");
  await page.keyboard.press("Tab");
  await page.keyboard.up("Shift");
  assert.equal(await page.evaluate(() => document.activeElement.id), "onto");
  // switch ontology with the keyboard: the select has the focus
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction(() => document.querySelector("#onto").selectedIndex === 1, { timeout: 5000 });
  // "/" from elsewhere brings the focus back to the search box
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.keyboard.press("Escape");
  await page.keyboard.type("T lymphocyte", { delay: 15 });
  await waitFirst(page, "CL:0000084");
  assert.equal(await page.$eval("#results li .t-name", (e) => e.textContent), "T cell");

  // the collections view and the server's state
  await page.waitForFunction(() => document.querySelectorAll("#coll-rows tr").length === 2, { timeout: 10000 });
  const readRows = () => page.$$eval("#coll-rows tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  // pending (vectors not yet in the graph) drains once the server has
  // indexed the pulled collection: reload the view until both say 0
  let rows = await readRows();
  for (let i = 0; i < 100 && !rows.every((r) => r[2] === "0"); i++) {
    await new Promise((res) => setTimeout(res, 100));
    await page.$eval("#reload", (b) => b.click());
    await page.waitForFunction(() => document.querySelectorAll("#coll-rows tr").length === 2, { timeout: 10000 });
    rows = await readRows();
  }
  const cl = rows.find((r) => r[0] === "cell_ontology_v2024_01");
  assert.deepEqual(cl, ["cell_ontology_v2024_01", "3", "0", "64", "cosine", "lexical", "cell_ontology (cell_type)",
    "2024_01", `${CL_SHA.slice(0, 12)}…`]);
  assert.equal(await page.$eval("#coll-rows tr[data-name=cell_ontology_v2024_01] td.sha", (td) => td.title), CL_SHA);
  // a collection built in place was not installed from an artifact
  const mondo = rows.find((r) => r[0] !== "cell_ontology_v2024_01");
  assert.deepEqual([mondo[1], mondo[2], mondo.at(-2), mondo.at(-1)], ["5", "0", "—", "—"]);
  await page.waitForFunction(() => document.querySelector("#s-simd").textContent !== "…" &&
    document.querySelector("#s-pending").textContent !== "…", { timeout: 10000 });
  assert.match(await text(page, "#s-version"), /^0\.\d+\.\d+ \(Chroma API /);
  assert.match(await text(page, "#s-simd"), /^(scalar|avx2|avx512|neon)$/);
  assert.equal(await text(page, "#s-ready"), "yes");
  assert.match(await text(page, "#s-pending"), /^\d+$/);

  // back to diseases for the screenshot
  await page.select("#onto", await page.$eval("#onto option:nth-child(1)", (o) => o.value));
  await page.focus("#q");
  await page.keyboard.press("Escape");
  await page.keyboard.type("heart attack", { delay: 10 });
  await waitFirst(page, "MONDO:0005068");
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, "console.png") });
  assert.ok(fs.statSync(path.join(ARTIFACTS, "console.png")).size > 5000);

  // the server goes away: the page says so
  await srv.stop();
  await page.keyboard.type(" x", { delay: 10 });
  await page.waitForFunction(() => /network error/.test(document.querySelector("#msg").textContent), { timeout: 10000 });

  assert.deepEqual(offsite, [], "requests left the origin");
  assert.deepEqual(cspErrors, []);
  await page.close();
});

test("console with auth: 403 message, a wrong token, then a read token", { skip, timeout: 120000 }, async () => {
  const srv = await serve(["--tokens", TOKENS]);
  const { page, offsite, calls, cspErrors } = await openPage(srv);
  await page.waitForFunction(() => !document.querySelector("#auth").hidden, { timeout: 15000 });
  assert.match(await text(page, "#msg"), /403 Forbidden: this server needs a token/);
  // the token field has the focus
  assert.equal(await page.evaluate(() => document.activeElement.id), "token");
  await page.keyboard.type("not-the-token");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /not accepted/.test(document.querySelector("#msg").textContent), { timeout: 10000 });
  await page.keyboard.type(READ);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#msg").hidden &&
    document.querySelectorAll("#onto option").length === 2, { timeout: 15000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem("omvec-token")), READ);
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.keyboard.type("high blood pressure", { delay: 10 });
  await waitFirst(page, "MONDO:0005044");
  // data calls carried the token; the page's own files were fetched without
  const api = calls.filter((c) => c.url.includes("/api/v2/tenants/") && c.token === READ);
  assert.ok(api.length > 0);
  assert.ok(calls.filter((c) => /\/console\/console\.(js|css)$/.test(c.url)).every((c) => c.token === null));
  assert.deepEqual(offsite, [], "requests left the origin");
  assert.deepEqual(cspErrors, []);
  await page.close();
  await srv.stop();
});

test("console while prewarming says 503; --no-console answers 404 and keeps /openapi.json", { skip, timeout: 120000 }, async () => {
  // a --prewarm source that cannot be installed keeps the server not ready
  const empty = path.join(work, "empty");
  const pw = createServer({ dir: empty, tag: "omvec-95", args: ["--prewarm", path.join(work, "missing.tar.gz")] });
  servers.push(pw);
  await pw.start();
  const { page, offsite } = await openPage(pw);
  await page.waitForFunction(() => /503: the server is prewarming/.test(document.querySelector("#msg").textContent), { timeout: 15000 });
  assert.match(await text(page, "#s-ready"), /^no \(prewarm/);
  assert.deepEqual(offsite, []);
  await page.close();
  await pw.stop();

  const off = await serve(["--no-console"]);
  for (const p of ["/", "/console", "/console/console.js"]) {
    const r = await fetch(off.url + p);
    assert.equal(r.status, 404, p);
    await r.text();
  }
  const doc = await (await fetch(off.url + "/openapi.json")).json();
  assert.equal(doc.openapi, "3.1.0");
  // every documented GET without a placeholder answers (not 404) on a live server
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!item.get || p.includes("{") || p === "/" || p === "/console") continue;
    const r = await fetch(off.url + p);
    await r.text();
    assert.notEqual(r.status, 404, p);
  }
  await off.stop();
});
