#!/usr/bin/python3
"""bench/pseudo_tfidf.py - an untuned yardstick for a query split: the
character-3-gram TF-IDF cosine of ../shared/data/eval/README.md ("names +
non-held-out synonyms", a term scores its best text), in plain Python, so that
a split's difficulty can be told apart from how well omvec's rules fit it.
Nothing in it was tuned on any split (sklearn-style: trigrams of norm(text)
with no padding, raw counts, idf = ln((1+N)/(1+df)) + 1, L2 norm).

Usage (from the repository root; a few minutes per split, mostly MONDO):
    /usr/bin/python3 bench/pseudo_tfidf.py QUERIES.jsonl HELDOUT.jsonl
e.g. ../shared/data/eval/dev.jsonl ../shared/data/eval/dev_heldout.jsonl, or
the files bench/pseudo_split.py writes. Prints acc@1 / acc@5 / MRR@10 per
ontology and kind.
"""
import json
import math
import os
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pseudo_split as ps  # noqa: E402


def grams(n):
    return Counter(n[i:i + 3] for i in range(len(n) - 2)) if len(n) >= 3 else Counter({n: 1})


def main():
    queries = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
    held = {(r["term_id"], r["synonym"]) for r in
            (json.loads(l) for l in open(sys.argv[2], encoding="utf-8"))}
    print("| ontology | kind | queries | acc@1 | acc@5 | MRR@10 |\n|---|---|---|---|---|---|")
    for onto, fname, prefix, _ in ps.ONTOS:
        terms = ps.read_terms(os.path.join(ps.ROOT, "data", "ontologies", fname), prefix)
        texts = []  # (term id, trigram counts)
        for tid, name, syns in terms:
            texts.append((tid, grams(ps.norm(name))))
            for text, _ in syns:
                if (tid, text) not in held:
                    texts.append((tid, grams(ps.norm(text))))
        df = Counter(g for _, c in texts for g in c)
        n = len(texts)
        idf = {g: math.log((1 + n) / (1 + d)) + 1 for g, d in df.items()}
        post = defaultdict(list)
        for i, (_, c) in enumerate(texts):
            w = {g: k * idf[g] for g, k in c.items()}
            z = math.sqrt(sum(v * v for v in w.values())) or 1.0
            for g, v in w.items():
                post[g].append((i, v / z))
        sc = defaultdict(lambda: [0, 0, 0.0, 0])
        for q in (q for q in queries if q["ontology"] == onto):
            c = grams(ps.norm(q["query"]))
            w = {g: k * idf[g] for g, k in c.items() if g in idf}
            z = math.sqrt(sum(v * v for v in w.values())) or 1.0
            dot = defaultdict(float)
            for g, v in w.items():
                for i, u in post[g]:
                    dot[i] += v * u / z
            best = {}
            for i, s in dot.items():
                t = texts[i][0]
                if s > best.get(t, -1.0):
                    best[t] = s
            top = sorted(best, key=lambda t: (-best[t], t))[:10]
            rank = next((r + 1 for r, t in enumerate(top) if t in q["gold"]), 0)
            for key in (q["kind"], "**all**"):
                s = sc[key]
                s[0] += rank == 1
                s[1] += 1 <= rank <= 5
                s[2] += 1.0 / rank if rank else 0.0
                s[3] += 1
        for key in ("exact_synonym", "related_synonym", "handwritten", "**all**"):
            if key in sc:
                a1, a5, mrr, k = sc[key]
                print(f"| {onto} | {key} | {k} | {a1 / k:.3f} | {a5 / k:.3f} | {mrr / k:.3f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
