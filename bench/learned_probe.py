#!/usr/bin/python3
"""bench/learned_probe.py - a prototype, not part of the server: measures what
a small model learned from the ontologies' own synonym sets (issue 12's first
suggested direction, SapBERT-style self-alignment: every name of a term is a
positive for every other) would add to the served text search, before
anyone writes it in C.

The model is fastText-like: a text is its words plus the hashed character
3-5-grams of each word ("<word>" with boundary marks), every feature one row
of a table of B buckets x D dims (FNV-1a hash, so a C port reproduces it),
the text vector the normalised mean of its rows. Training: InfoNCE with
in-batch negatives (symmetric, fixed temperature) over one random pair of
names of each term per epoch, row-wise Adagrad written out by hand (what a
C port would do); fixed seed, one thread. It reads the bundled
OBO files (data/ontologies/*.obo.gz) and drops every synonym listed in
../shared/data/eval/dev_heldout.jsonl first (what `omvec build
--exclude-synonyms` removes): the model never sees a held-out synonym.

It then scores DEV: (a) the model alone (query against every name of every
term of the query's ontology, a term's score = its best name), and (b) the
blend with the served scores dumped by bench/search_quality.c (SQ_DUMP):
score + lambda * model similarity over the served top 30, for a grid of
lambda, the same only where the served top score is below a gate, a
tie-break form (only the candidates within DELTA of the served top are
re-sorted) and reciprocal rank fusion with the model's own top 30, with
the queries moved up and down at rank 1 and 5 on each ontology; and an
oracle (served or model list, whichever has the gold higher).

Run (from the repository root, after the SQ_DUMP run of search_quality):
    SQ_DUMP=/tmp/dump.jsonl search_quality /tmp/sq ../shared/data/eval/dev.jsonl
    /usr/bin/python3 bench/learned_probe.py --dump /tmp/dump.jsonl [--per-onto] [--defs]
        [--sib] [--dim 64] [--buckets 18] [--epochs 15] [--cache /tmp/model] [--verbose]
(docs/search-quality-rounds.md, "Fourteenth round (h14g)", has the figures and the
exact commands.) Training runs on one thread by default (--threads).
Needs numpy and torch (CPU). Prints everything to stdout.
"""
import argparse
import gzip
import json
import os
import random
import re
import sys
import time
import unicodedata
from collections import defaultdict

import numpy as np
import torch

ONTOS = {"mondo": ("data/ontologies/mondo.obo.gz", "MONDO:"),
         "uberon": ("data/ontologies/uberon.obo.gz", "UBERON:"),
         "cell_ontology": ("data/ontologies/cl.obo.gz", "CL:")}

PARENT = {}  # term id -> its first parent (is_a or subclass_or_part_of), for --sib
PAR_RE = re.compile(r'^(?:is_a:|relationship: subclass_or_part_of) (\S+)')
SYN_RE = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)"\s+(\w+)')
DEF_RE = re.compile(r'^def: "((?:[^"\\]|\\.)*)"')


def unescape(s):
    return re.sub(r'\\(.)', r'\1', s)


def words(s):
    """NFKC, case fold, accents stripped, non-alphanumerics to spaces."""
    s = unicodedata.normalize("NFKC", s).casefold()
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", s).split()


def first_sentence(d):
    m = re.match(r"(.+?\.)(\s|$)", d)
    return m.group(1) if m else d


def load_obo(path, prefix, held):
    """id -> (names, definition): indexable terms (not obsolete, named, own
    prefix); names = name + synonyms minus the held-out ones of that term."""
    terms = {}
    cur = None

    def flush():
        if cur and cur.get("name") and not cur.get("obsolete") and cur["id"].startswith(prefix):
            h = held.get(cur["id"], set())
            syns = [s for s in cur["syns"] if s not in h and s.casefold() not in h]
            names = []
            for n in [cur["name"]] + syns:
                if n not in names:
                    names.append(n)
            terms[cur["id"]] = (names, cur.get("def"))
            if cur.get("parent"):
                PARENT[cur["id"]] = cur["parent"]

    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("["):
                flush()
                cur = {"syns": []} if line == "[Term]" else None
                continue
            if cur is None:
                continue
            if line.startswith("id: "):
                cur["id"] = line[4:].strip()
            elif line.startswith("name: "):
                cur["name"] = line[6:].strip()
            elif line.startswith("is_obsolete: true"):
                cur["obsolete"] = True
            elif line.startswith("synonym: "):
                m = SYN_RE.match(line)
                if m:
                    cur["syns"].append(unescape(m.group(1)))
            elif PAR_RE.match(line) and "parent" not in cur:
                cur["parent"] = PAR_RE.match(line).group(1)
            elif line.startswith("def: "):
                m = DEF_RE.match(line)
                if m:
                    cur["def"] = first_sentence(unescape(m.group(1)))
    flush()
    return terms


def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


class Featurizer:
    def __init__(self, bits):
        self.mask = (1 << bits) - 1
        self.cache = {}
        self.tcache = {}

    def word_feats(self, w):
        f = self.cache.get(w)
        if f is None:
            f = [fnv1a("W" + w) & self.mask]
            t = "<" + w + ">"
            for n in (3, 4, 5):
                for i in range(len(t) - n + 1):
                    f.append(fnv1a(t[i:i + n]) & self.mask)
            self.cache[w] = f
        return f

    def feats(self, text):
        out = self.tcache.get(text)
        if out is None:
            out = []
            for w in words(text):
                out.extend(self.word_feats(w))
            out = out or [0]
            self.tcache[text] = out
        return out


def bag(fz, texts):
    idx, off = [], []
    for t in texts:
        off.append(len(idx))
        idx.extend(fz.feats(t))
    return torch.tensor(idx, dtype=torch.long), torch.tensor(off, dtype=torch.long)


class Model:
    """The table (B x D) and the text vector: the normalised mean of a text's
    rows. Trained by hand (no autograd through the table), so a step costs
    O(features in the batch): row-wise Adagrad (one accumulator per row,
    as a C port would do) on the rows the batch touches."""

    def __init__(self, buckets, dim, seed):
        g = torch.Generator().manual_seed(seed)
        self.emb = torch.randn(buckets, dim, generator=g) * 0.1
        self.acc = torch.zeros(buckets)
        self.dim = dim

    def mean(self, idx, off):
        n = len(off)
        lens = torch.diff(off, append=torch.tensor([len(idx)]))
        seg = torch.repeat_interleave(torch.arange(n), lens)
        cnt = lens.float()
        rows = torch.nn.functional.embedding(idx, self.emb)  # (index_select is 20x slower here)
        v = torch.zeros(n, self.dim).index_add_(0, seg, rows) / cnt[:, None]
        return v, seg, cnt

    def __call__(self, idx, off):
        return torch.nn.functional.normalize(self.mean(idx, off)[0], dim=1)

    def step(self, parts, lr):
        """parts: [(idx, seg, cnt, dv)] gradient of the loss wrt each mean."""
        idx = torch.cat([p[0] for p in parts])
        rg = torch.cat([torch.nn.functional.embedding(p[1], p[3] / p[2][:, None]) for p in parts])
        u, inv = torch.unique(idx, return_inverse=True)
        g = torch.zeros(len(u), self.dim).index_add_(0, inv, rg)
        self.acc.index_add_(0, u, (g * g).mean(1))
        a = torch.nn.functional.embedding(u, self.acc[:, None])[:, 0]
        self.emb.index_add_(0, u, g * (-lr / (a.sqrt() + 1e-8))[:, None])


def epoch_order(rng, keys):
    """--sib: the groups ordered by their parent (parents shuffled, and the
    children within each), so a batch's negatives are mostly siblings."""
    by = defaultdict(list)
    for i, k in enumerate(keys):
        by[k].append(i)
    ks = sorted(by)
    rng.shuffle(ks)
    out = []
    for k in ks:
        rng.shuffle(by[k])
        out.extend(by[k])
    return out


def train(groups, fz, args, seed, keys=None):
    """groups: lists of >= 2 texts (one term's names); returns the model."""
    rng = random.Random(seed)
    model = Model(fz.mask + 1, args.dim, seed)
    n_pairs = 0
    t_ep = time.time()
    for ep in range(args.epochs):
        if keys is not None:
            order = epoch_order(rng, keys)
        else:
            order = list(range(len(groups)))
            rng.shuffle(order)
        tot = 0.0
        for b0 in range(0, len(order), args.batch):
            chunk = order[b0:b0 + args.batch]
            a, p = [], []
            for gi in chunk:
                x, y = rng.sample(groups[gi], 2)
                a.append(x)
                p.append(y)
            ia, oa = bag(fz, a)
            ip, op = bag(fz, p)
            ma, sa, ca = model.mean(ia, oa)
            mp, sp, cp = model.mean(ip, op)
            ma.requires_grad_(True)
            mp.requires_grad_(True)
            va = torch.nn.functional.normalize(ma, dim=1)
            vp = torch.nn.functional.normalize(mp, dim=1)
            logits = va @ vp.T / args.temp
            lab = torch.arange(len(chunk))
            loss = (torch.nn.functional.cross_entropy(logits, lab) +
                    torch.nn.functional.cross_entropy(logits.T, lab)) / 2
            loss.backward()
            model.step([(ia, sa, ca, ma.grad), (ip, sp, cp, mp.grad)], args.lr)
            tot += loss.item() * len(chunk)
            n_pairs += len(chunk)
        if args.verbose:
            print(f"  epoch {ep + 1}: loss {tot / len(order):.3f} "
                  f"({time.time() - t_ep:.1f} s)", flush=True)
    return model, n_pairs


@torch.no_grad()
def encode(model, fz, texts, chunk=4096):
    out = []
    for i in range(0, len(texts), chunk):
        out.append(model(*bag(fz, texts[i:i + chunk])).numpy())
    return np.concatenate(out) if out else np.zeros((0, model.dim), np.float32)


class TermIndex:
    """Every name of every term of one ontology, encoded; term score = best name."""

    def __init__(self, model, fz, terms, with_def):
        self.ids = list(terms)
        self.pos = {t: i for i, t in enumerate(self.ids)}
        texts, owner = [], []
        for i, t in enumerate(self.ids):
            names, d = terms[t]
            for n in names + ([d] if with_def and d else []):
                texts.append(n)
                owner.append(i)
        self.vec = encode(model, fz, texts)
        self.owner = np.array(owner)
        self.start = np.searchsorted(self.owner, np.arange(len(self.ids)))

    def scores(self, qv):
        return np.maximum.reduceat(self.vec @ qv, self.start)


def rank_of(ids, gold):
    for i, x in enumerate(ids):
        if x in gold:
            return i + 1
    return 0


def summarize(ranks):
    n = len(ranks)
    a1 = sum(r == 1 for r in ranks)
    a5 = sum(1 <= r <= 5 for r in ranks)
    mrr = sum(1 / r for r in ranks if 1 <= r <= 10) / n
    return a1, a5, mrr, n


def fmt(ranks):
    a1, a5, mrr, n = summarize(ranks)
    return f"{a1 / n:.3f} / {a5 / n:.3f} / {mrr:.3f} ({a1}, {a5} of {n})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--heldout", default="../shared/data/eval/dev_heldout.jsonl")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--buckets", type=int, default=18, help="log2 of the bucket count")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--lr", type=float, default=0.2)
    ap.add_argument("--temp", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defs", action="store_true",
                    help="the definition's first sentence is one more name (train and score)")
    ap.add_argument("--per-onto", action="store_true", help="one model per ontology")
    ap.add_argument("--sib", action="store_true",
                    help="batches of sibling terms (hard in-batch negatives)")
    ap.add_argument("--lambdas", default="0.02,0.05,0.1,0.2,0.3,0.5")
    ap.add_argument("--deltas", default="0.01,0.02,0.05")
    ap.add_argument("--gates", default="0.6,0.7,0.8",
                    help="blend only where the served top score is below this")
    ap.add_argument("--show-gate", type=float, default=None)
    ap.add_argument("--show", default="cell_ontology",
                    help="ontologies whose moved queries are listed")
    ap.add_argument("--show-lambda", type=float, default=None)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--cache", default=None,
                    help="save the trained table to CACHE.<ontologies>.pt, or load it if there")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)

    held = defaultdict(set)
    for line in open(args.heldout):
        h = json.loads(line)
        held[h["term_id"]].add(h["synonym"])
        held[h["term_id"]].add(h["synonym"].casefold())
    t0 = time.time()
    terms = {o: load_obo(p, pre, held) for o, (p, pre) in ONTOS.items()}
    print(f"read {', '.join(f'{o} {len(t)}' for o, t in terms.items())} terms "
          f"in {time.time() - t0:.1f} s", flush=True)
    fz = Featurizer(args.buckets)

    def groups_of(onames):
        g, keys = [], []
        for o in onames:
            for tid, (names, d) in terms[o].items():
                texts = names + ([d] if args.defs and d else [])
                if len(texts) >= 2:
                    g.append(texts)
                    keys.append(PARENT.get(tid, ""))
        return g, keys

    models = {}
    plans = ([[o] for o in ONTOS] if args.per_onto else [list(ONTOS)])
    for onames in plans:
        cache = f"{args.cache}.{'+'.join(onames)}.pt" if args.cache else None
        if cache and os.path.exists(cache):
            m = Model(1, args.dim, args.seed)
            m.emb = torch.load(cache)
            print(f"loaded {cache}")
            for o in onames:
                models[o] = m
            continue
        g, keys = groups_of(onames)
        t0 = time.time()
        c0 = time.process_time()
        m, npairs = train(g, fz, args, args.seed, keys if args.sib else None)
        used = int((m.acc > 0).sum())
        print(f"trained on {'+'.join(onames)}: {len(g)} terms with >= 2 texts, {npairs} pairs, "
              f"{args.epochs} epochs, {time.time() - t0:.1f} s wall, "
              f"{time.process_time() - c0:.1f} s CPU ({args.threads} threads); "
              f"{(fz.mask + 1) * args.dim} parameters "
              f"({(fz.mask + 1) * args.dim * 4 / 2**20:.0f} MiB float32; {used} rows trained)", flush=True)
        if cache:
            torch.save(m.emb, cache)
        for o in onames:
            models[o] = m

    dev = [json.loads(l) for l in open(args.dump)]
    t0 = time.time()
    index = {o: TermIndex(models[o], fz, terms[o], args.defs) for o in ONTOS}
    print(f"encoded the names in {time.time() - t0:.1f} s: "
          + ", ".join(f"{o} {len(index[o].owner)} texts "
                      f"({index[o].vec.nbytes / 2**20:.1f} MiB)" for o in ONTOS), flush=True)

    # model similarity of each query to every term (alone) and to its top 30
    alone = defaultdict(list)
    served = defaultdict(list)
    sims = []
    mtop = []  # the model's own top 30 per query: [(id, sim)]
    t0 = time.time()
    for q in dev:
        o = q["ontology"]
        ix = index[o]
        qv = encode(models[o], fz, [q["query"]])[0]
        s = ix.scores(qv)
        top = np.argpartition(-s, 30)[:30]
        top = top[np.argsort(-s[top], kind="stable")]
        mtop.append([(ix.ids[i], float(s[i])) for i in top])
        alone[o].append(rank_of([ix.ids[i] for i in top[:10]], q["gold"]))
        served[o].append(rank_of([t for t, _ in q["top"]][:10], q["gold"]))
        sims.append([float(s[ix.pos[t]]) if t in ix.pos else 0.0 for t, _ in q["top"]])
    print(f"scored {len(dev)} queries in {time.time() - t0:.1f} s")
    print("\n(a) model alone, acc@1 / acc@5 / MRR@10 (acc@1, acc@5 counts):")
    for o in ONTOS:
        print(f"  {o}: {fmt(alone[o])}   served: {fmt(served[o])}")

    def blended(lam, delta, gate=None):
        out = []
        for q, sm in zip(dev, sims):
            sc = [s for _, s in q["top"]]
            if gate is not None and sc and sc[0] >= gate:
                new = sc
            elif delta is None:
                new = [s + lam * m for s, m in zip(sc, sm)]
            else:
                top = sc[0] if sc else 0
                new = [(top + lam * m) if s >= top - delta else s for s, m in zip(sc, sm)]
            order = sorted(range(len(sc)), key=lambda i: (-new[i], i))
            out.append(rank_of([q["top"][i][0] for i in order][:10], q["gold"]))
        return out

    base = [rank_of([t for t, _ in q["top"]][:10], q["gold"]) for q in dev]

    def rrf(k, w):
        """reciprocal rank fusion of the served top 30 and the model's top 30
        (a first-stage union: a term only the model finds can enter)."""
        out = []
        for q, mt in zip(dev, mtop):
            sc = defaultdict(float)
            for r, (t, _) in enumerate(q["top"]):
                sc[t] += 1 / (k + r + 1)
            for r, (t, _) in enumerate(mt):
                sc[t] += w / (k + r + 1)
            order = sorted(sc, key=lambda t: -sc[t])
            out.append(rank_of(order[:10], q["gold"]))
        return out

    def report(tag, ranks):
        line = [f"  {tag}:"]
        for o in ONTOS:
            r = [x for x, q in zip(ranks, dev) if q["ontology"] == o]
            b = [x for x, q in zip(base, dev) if q["ontology"] == o]
            up1 = sum(x == 1 and y != 1 for x, y in zip(r, b))
            dn1 = sum(x != 1 and y == 1 for x, y in zip(r, b))
            up5 = sum(1 <= x <= 5 and not 1 <= y <= 5 for x, y in zip(r, b))
            dn5 = sum(not 1 <= x <= 5 and 1 <= y <= 5 for x, y in zip(r, b))
            a1, a5, mrr, n = summarize(r)
            line.append(f"{o} {a1 / n:.3f}/{a5 / n:.3f}/{mrr:.3f} "
                        f"(@1 +{up1}-{dn1}, @5 +{up5}-{dn5})")
        cl = [(x, q["kind"]) for x, q in zip(ranks, dev) if q["ontology"] == "cell_ontology"]
        for k in ("exact_synonym", "related_synonym"):
            a1, a5, _, n = summarize([x for x, kk in cl if kk == k])
            line.append(f"CL {k[:5]} {a1 / n:.3f}/{a5 / n:.3f}")
        print(" ".join(line))

    print("\noracle bound: the better of the served top and the model's top per query "
          "(acc@1 = served or model first; acc@5 = served or model in the top 5):")
    for o in ONTOS:
        r = [(x, y) for x, y in zip(served[o], alone[o])]
        o1 = sum(x == 1 or y == 1 for x, y in r)
        o5 = sum(1 <= x <= 5 or 1 <= y <= 5 for x, y in r)
        print(f"  {o}: {o1} / {o5} of {len(r)} (served {sum(x == 1 for x, _ in r)} / "
              f"{sum(1 <= x <= 5 for x, _ in r)})")
    print("\n(b) blend over the served top 30 (acc@1/acc@5/MRR@10, queries up/down):")
    report("served", base)
    lams = [float(x) for x in args.lambdas.split(",")]
    for lam in lams:
        report(f"lambda {lam}", blended(lam, None))
    for g in [float(x) for x in args.gates.split(",")]:
        for lam in lams:
            report(f"gate top < {g} lambda {lam}", blended(lam, None, g))
    for d in [float(x) for x in args.deltas.split(",")]:
        for lam in (0.01, 0.05, 1.0):
            report(f"tie-break delta {d} lambda {lam}", blended(lam, d))

    for k in (5, 20, 60):
        for w in (0.1, 0.3, 0.6, 1.0):
            report(f"rrf k {k} w {w}", rrf(k, w))

    # where the CL misses are: served rank in the top 30 (0: not there), model rank
    print("\nCL queries not at served rank 1: served rank (top 30) / model-alone rank (top 30):")
    hist = defaultdict(int)
    for q, mt in zip(dev, mtop):
        if q["ontology"] != "cell_ontology":
            continue
        rs = rank_of([t for t, _ in q["top"]], q["gold"])
        if rs == 1:
            continue
        rm = rank_of([t for t, _ in mt], q["gold"])
        hist[("served " + ("1-5" if rs <= 5 and rs else "6-30" if rs else "none"),
              "model " + ("1" if rm == 1 else "2-5" if 1 < rm <= 5 else "6-30" if rm else "none"))] += 1
        if args.verbose:
            print(f"  {rs:2d} / {rm:2d} {q['kind'][:5]} | {q['query']} | {q['gold'][0]}")
    for kk in sorted(hist):
        print(f"  {kk[0]:12s} {kk[1]:10s} {hist[kk]}")

    show = set(args.show.split(",")) if args.show else set()
    lam = args.show_lambda if args.show_lambda is not None else lams[0]
    r = blended(lam, None, args.show_gate)
    print(f"\nmoved at lambda {lam}, gate {args.show_gate} ({', '.join(sorted(show))}):")
    for x, y, q, sm in zip(r, base, dev, sims):
        if q["ontology"] in show and x != y and (x == 1 or y == 1 or
                                                 (1 <= x <= 5) != (1 <= y <= 5)):
            print(f"  {'UP  ' if (x and (not y or x < y)) else 'DOWN'} {y} -> {x} "
                  f"{q['kind'][:5]} | {q['query']} | gold {q['gold'][0]}")
    a_show = [(x, q) for x, q in zip(alone["cell_ontology"],
                                      [q for q in dev if q["ontology"] == "cell_ontology"])]
    fixed = [q["query"] for (x, q), y in zip(a_show, served["cell_ontology"]) if x == 1 and y != 1]
    print(f"\nCL served misses the model alone puts first ({len(fixed)}): " + "; ".join(fixed))


if __name__ == "__main__":
    sys.exit(main())
