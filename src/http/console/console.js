// omvec console: term lookup over the server's own API (same origin only).
// Data calls carry the token from sessionStorage as X-Chroma-Token; the
// page's files themselves need none. No third-party code, no inline script.
"use strict";
(() => {
  const T = "default_tenant", D = "default_database";
  const BASE = `/api/v2/tenants/${T}/databases/${D}/collections`;
  const ALIAS = { mondo: "disease", uberon: "tissue", cell_ontology: "cell_type" };
  const PURL = "http://purl.obolibrary.org/obo/";
  const KEY = "omvec-token";
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  let colls = [];      // collections with their counts
  let sel = -1;        // selected result
  let seq = 0;         // query sequence: late answers are dropped
  let inflight = null; // AbortController of the running query
  let timer = 0;

  class ApiError extends Error {
    constructor(kind, status, message) { super(message); this.kind = kind; this.status = status; }
  }

  const token = () => sessionStorage.getItem(KEY) || "";

  async function api(path, opts = {}) {
    const headers = { ...(opts.body ? { "Content-Type": "application/json" } : {}) };
    if (token()) headers["X-Chroma-Token"] = token();
    let r;
    try {
      r = await fetch(path, { method: opts.method || "GET", headers, signal: opts.signal,
        body: opts.body ? JSON.stringify(opts.body) : undefined, credentials: "omit", cache: "no-store" });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError("network", 0, "Cannot reach the server (network error). Is omvec still running?");
    }
    const text = await r.text();
    let body = text;
    try { body = JSON.parse(text); } catch { /* /metrics is text */ }
    if (r.ok) return body;
    const detail = body && typeof body === "object" ? body.message || body.error || body.detail : "";
    if (r.status === 403)
      throw new ApiError("auth", 403, token()
        ? "403 Forbidden: this token is not accepted. Check it, or ask for a read token."
        : "403 Forbidden: this server needs a token. Enter a read (or admin) token above.");
    if (r.status === 503)
      throw new ApiError("busy", 503, "503: the server is prewarming its ontologies and is not ready yet; it will answer when /ready says so. Retrying…");
    throw new ApiError("http", r.status, `${r.status}: ${detail || r.statusText}`);
  }

  function message(text, kind = "error") {
    const m = $("msg");
    m.hidden = !text;
    m.textContent = text || "";
    m.className = kind === "info" ? "info" : "";
  }

  function failed(e) {
    if (e.name === "AbortError") return;
    message(e.message);
    if (e.kind === "auth") { $("auth").hidden = false; $("token").focus(); }
    if (e.kind === "busy") setTimeout(boot, 2000);
  }

  // ---- server state and collections ----
  async function serverState() {
    const set = (id, text, cls) => { const d = $(id); d.textContent = text; d.className = cls || ""; };
    try {
      const info = await api("/console/info.json");
      const chroma = await api("/api/v2/version");
      set("s-version", `${info.omvec_version} (Chroma API ${chroma})`);
      set("s-simd", info.simd);
    } catch (e) { set("s-version", "?"); }
    try {
      const ready = await fetch("/ready", { cache: "no-store" }).then((r) => r.json());
      set("s-ready", ready.ready ? "yes" : `no (prewarm ${ready.prewarm})`, ready.ready ? "ok" : "bad");
    } catch { set("s-ready", "unreachable", "bad"); }
    try {
      const m = await api("/metrics");
      const p = /^omvec_index_pending_vectors (\d+)/m.exec(m);
      set("s-pending", p ? p[1] : "?");
    } catch { set("s-pending", "?"); }
  }

  async function loadCollections() {
    const list = await api(BASE);
    // records, pending vectors and the installed artifact, per collection
    // (one call; without it, e.g. an older server, counts come one by one)
    let status = null;
    try { status = new Map((await api(`${BASE}_status`)).map((s) => [s.id, s])); } catch (e) {
      if (e.kind === "auth") throw e;
    }
    colls = await Promise.all(list.map(async (c) => {
      const s = status && status.get(c.id);
      let count = s ? s.count : "?";
      if (!s) try { count = await api(`${BASE}/${c.id}/count`); } catch { /* shown as ? */ }
      return { ...c, count, pending: s ? s.pending : "?",
        artifact_version: (s && s.artifact_version) || md(c, "omvec:artifact_version"),
        artifact_sha256: (s && s.artifact_sha256) || md(c, "omvec:artifact_sha256") };
    }));
    colls.sort((a, b) => a.name.localeCompare(b.name));
    renderCollections();
    renderPicker();
  }

  const md = (c, k) => (c.metadata && c.metadata[k] !== undefined ? c.metadata[k] : null);

  function renderCollections() {
    const rows = $("coll-rows");
    rows.replaceChildren();
    for (const c of colls) {
      const tr = el("tr");
      tr.dataset.name = c.name;
      const onto = md(c, "omvec:ontology");
      const sha = c.artifact_sha256;
      for (const [v, cls] of [[c.name], [c.count, "count"], [c.pending, "pending"], [c.dimension ?? "—"],
        [md(c, "hnsw:space") || "l2"], [md(c, "omvec:embedder") || "—"],
        [onto ? `${onto}${ALIAS[onto] ? ` (${ALIAS[onto]})` : ""}` : "—"],
        [c.artifact_version || "—", "artifact"], [sha ? String(sha).slice(0, 12) + "…" : "—", "sha"]]) {
        const td = el("td", cls, v);
        if (cls === "sha" && sha) td.title = sha;
        tr.append(td);
      }
      rows.append(tr);
    }
    if (!colls.length) {
      const tr = el("tr"), td = el("td", "", "No collections yet. Build one: omvec build --ontology all --bundled data/ontologies --path DIR");
      td.colSpan = 9;
      tr.append(td);
      rows.append(tr);
    }
  }

  function renderPicker() {
    const pick = $("onto");
    const was = pick.value;
    pick.replaceChildren();
    const usable = colls.filter((c) => md(c, "omvec:embedder"));
    // the three ontology aliases first, in the backend's order
    const rank = (c) => { const i = Object.keys(ALIAS).indexOf(md(c, "omvec:ontology")); return i < 0 ? 9 : i; };
    usable.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    for (const c of usable) {
      const onto = md(c, "omvec:ontology");
      const label = ALIAS[onto] ? `${ALIAS[onto]} · ${onto}` : c.name;
      const o = el("option", "", label);
      o.value = c.id;
      o.dataset.name = c.name;
      pick.append(o);
    }
    if (!usable.length) {
      const o = el("option", "", "no collection with an embedder");
      o.value = "";
      pick.append(o);
    }
    if ([...pick.options].some((o) => o.value === was)) pick.value = was;
  }

  // ---- search ----
  function purl(id) {
    return /^[A-Za-z]+:[A-Za-z0-9_]+$/.test(id) ? PURL + id.replace(":", "_") : null;
  }

  // "a; b; A" -> the distinct synonyms other than the name, five at most shown
  function synonyms(text, name) {
    const seen = new Set([String(name).toLowerCase()]), list = [];
    for (const s of String(text || "").split("; ")) {
      const k = s.trim().toLowerCase();
      if (k && !seen.has(k)) { seen.add(k); list.push(s.trim()); }
    }
    const more = Math.max(0, list.length - 5);
    return { shown: list.slice(0, 5).join("; ") + (more ? ` (+${more} more)` : ""), all: list.join("; "), more };
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(search, 180);
  }

  async function search() {
    const q = $("q").value.trim();
    const coll = $("onto").value;
    const my = ++seq;
    if (inflight) inflight.abort();
    if (!q || !coll) { render([], q ? "Pick an ontology." : ""); return; }
    inflight = new AbortController();
    const t0 = performance.now();
    try {
      const r = await api(`${BASE}/${coll}/query`, { method: "POST", signal: inflight.signal,
        body: { query_texts: [q], n_results: 10, include: ["documents", "metadatas", "distances"] } });
      if (my !== seq) return;
      message("");
      const ids = r.ids[0] || [];
      const hits = ids.map((id, i) => ({ id, dist: r.distances[0][i],
        meta: (r.metadatas && r.metadatas[0][i]) || {}, doc: (r.documents && r.documents[0][i]) || "" }));
      render(hits, `${hits.length} term${hits.length === 1 ? "" : "s"} for “${q}” in ${Math.round(performance.now() - t0)} ms`);
    } catch (e) {
      if (my === seq) failed(e);
    }
  }

  function render(hits, status) {
    const ol = $("results");
    ol.replaceChildren();
    $("status").textContent = status || "";
    hits.forEach((h, i) => {
      const name = h.meta.name || h.doc.split(": ")[0] || h.id;
      const def = h.doc.startsWith(name + ": ") ? h.doc.slice(name.length + 2) : "";
      const score = Math.max(0, Math.min(1, 1 - h.dist));
      const li = el("li");
      li.id = `r-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.id = h.id;
      const head = el("div", "t-head");
      head.append(el("span", "t-name", name), el("span", "t-id", h.id));
      li.append(head);
      const syns = synonyms(h.meta.synonyms, name);
      if (syns.shown) {
        const d = el("div", "t-syn", `Synonyms: ${syns.shown}`);
        if (syns.more) d.title = syns.all;
        li.append(d);
      }
      if (def) li.append(el("div", "t-def", def));
      const side = el("div", "t-side");
      const bar = el("div", "score"), fill = el("span");
      fill.style.width = `${(score * 100).toFixed(1)}%`;
      bar.append(fill);
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", `score ${score.toFixed(4)}`);
      const act = el("div", "t-act");
      const copy = el("button", "copy", "Copy id");
      copy.type = "button";
      copy.addEventListener("click", () => copyId(h.id, copy));
      act.append(copy);
      const u = purl(h.id);
      if (u) {
        const a = el("a", "open", "Term page");
        a.href = u;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        act.append(a);
      }
      side.append(bar, el("span", "t-score", score.toFixed(4)), act);
      li.append(side);
      li.addEventListener("click", (ev) => { if (ev.target === li || ev.target.closest(".t-head")) select(i); });
      ol.append(li);
    });
    $("q").setAttribute("aria-expanded", hits.length ? "true" : "false");
    select(hits.length ? 0 : -1);
  }

  function select(i) {
    const items = $("results").children;
    if (!items.length) { sel = -1; $("q").removeAttribute("aria-activedescendant"); return; }
    sel = Math.max(0, Math.min(items.length - 1, i));
    [...items].forEach((li, j) => li.setAttribute("aria-selected", j === sel ? "true" : "false"));
    $("q").setAttribute("aria-activedescendant", items[sel].id);
    items[sel].scrollIntoView({ block: "nearest" });
  }

  async function copyId(id, btn) {
    let ok = false;
    try { await navigator.clipboard.writeText(id); ok = true; } catch {
      const ta = el("textarea");
      ta.value = id;
      document.body.append(ta);
      ta.select();
      try { ok = document.execCommand("copy"); } catch { ok = false; }
      ta.remove();
    }
    $("status").textContent = ok ? `Copied ${id}` : `Copy failed; the id is ${id}`;
    if (btn) { btn.textContent = ok ? "Copied" : "Copy id"; setTimeout(() => { btn.textContent = "Copy id"; }, 1500); }
  }

  function onKey(ev) {
    const items = $("results").children;
    if (ev.key === "ArrowDown" && items.length) { ev.preventDefault(); select(sel + 1); }
    else if (ev.key === "ArrowUp" && items.length) { ev.preventDefault(); select(sel - 1); }
    else if (ev.key === "Enter" && sel >= 0) {
      ev.preventDefault();
      const li = items[sel];
      if (ev.ctrlKey || ev.metaKey) { const a = li.querySelector("a.open"); if (a) window.open(a.href, "_blank", "noopener,noreferrer"); }
      else copyId(li.dataset.id, li.querySelector("button.copy"));
    } else if (ev.key === "Escape") { $("q").value = ""; render([], ""); }
  }

  // ---- start ----
  async function boot() {
    message("");
    serverState();
    try {
      await loadCollections();
      if (token()) $("auth").hidden = false;
      if ($("q").value.trim()) search();
    } catch (e) { failed(e); }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("q").addEventListener("input", schedule);
    $("q").addEventListener("keydown", onKey);
    $("onto").addEventListener("change", () => { search(); });
    $("reload").addEventListener("click", boot);
    $("auth").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const t = $("token").value.trim();
      if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY);
      $("token").value = "";
      boot().then(() => { if ($("msg").hidden) $("q").focus(); });
    });
    $("logout").addEventListener("click", () => { sessionStorage.removeItem(KEY); $("token").value = ""; boot(); });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "/" && document.activeElement !== $("q") && !/^(INPUT|TEXTAREA)$/.test(document.activeElement.tagName)) {
        ev.preventDefault();
        $("q").focus();
      }
    });
    $("q").focus();
    boot();
  });
})();
