#!/usr/bin/python3
"""bench/pseudo_split.py - a pseudo held-back split: queries made the way
../shared/data/eval/README.md says the DEV queries were made, disjoint from
DEV in queries and gold terms, to measure the text search off DEV (no rule
was tuned on it). Standard library only.

MEASUREMENT ONLY. The owners' held-back split was drawn from the same pool
of candidates (the ones DEV did not take), so this split very likely shares
many queries with it. Tuning any rule, weight or threshold on what this
split shows would be tuning on the held-back split: report its figures,
never act on its misses.

It reads the bundled OBO files data/ontologies/{mondo,uberon,cl}.obo.gz (the
files `omvec build --bundled data/ontologies` reads: the README's index data
cut down to the lines term extraction reads) and:

  * indexable term: [Term] stanza, not `is_obsolete: true`, has a name, ID
    prefix MONDO: / UBERON: / CL: (checked: 27,990 / 14,971 / 3,324);
  * norm(s): NFKC, lower case, every run of characters other than 0-9 a-z and
    code points >= U+00C0 becomes one space, trimmed;
  * a synonym text t of scope K (EXACT or RELATED) is a candidate when
    (1) norm(t) is not the norm of any indexable term's name in its ontology;
    (2) every indexable term carrying norm(t) as a synonym carries it with
        scope K only, at most 3 terms carry it; gold = all of them;
    (3) norm(t) has >= 3 characters and t is not a database code, approximated
        as: any `_`; the whole text letters and digits joined by dots (ImmGen
        `T.4Nve.Sp`, `MF.LN`; DEV keeps `DC.8+`, `T.4SP24-.Th` and
        `Del(13)(q12.3)`, so a `+`, `-` or bracket makes it no code); in CL, a
        number then a space then an upper-case letter (Allen taxonomy
        `061 STR D1 Gaba`, `28 CB GABA`).
    One candidate per norm; its text is the first carrier's first synonym
    with that norm, in file order (the OBO text as written, unescaped);
  * EXCLUDED: a candidate whose norm equals any DEV query's norm (any kind,
    handwritten included) and a candidate any of whose gold terms is a gold
    term of any DEV query of that ontology (any kind);
  * shuffled (sorted by norm first) with random.Random(
    "omvec-pseudo-v1:<ontology>:<SCOPE>") and taken greedily, a gold term used
    at most once per kind, up to the DEV sizes (MONDO 500 EXACT; Uberon 500
    EXACT + 300 RELATED; CL 500 EXACT + 178 RELATED), no handwritten queries;
  * held-out list: for each query and each gold term, every synonym of that
    term (any scope) whose norm equals the query's norm.

Writes OUT/pseudo.jsonl and OUT/pseudo_heldout.jsonl in the DEV formats and
prints counts and checks to stderr (how many DEV synthetic queries these
rules make candidates, and whether they give DEV's held-out list back).

Usage (from the repository root):
    /usr/bin/python3 bench/pseudo_split.py [OUT_DIR]   # default /tmp/h14m
then
    ./omvec build --ontology all --bundled data/ontologies \
        --exclude-synonyms OUT/pseudo_heldout.jsonl --path OUT/psq
    search_quality OUT/psq OUT/pseudo.jsonl
"""
import gzip
import json
import os
import random
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "data", "eval")
ONTOS = [  # (ontology key, file, ID prefix, {scope: size})
    ("mondo", "mondo.obo.gz", "MONDO:", {"EXACT": 500}),
    ("uberon", "uberon.obo.gz", "UBERON:", {"EXACT": 500, "RELATED": 300}),
    ("cell_ontology", "cl.obo.gz", "CL:", {"EXACT": 500, "RELATED": 178}),
]
KIND = {"EXACT": "exact_synonym", "RELATED": "related_synonym"}
SYN = re.compile(r'^synonym:\s*"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|BROAD|NARROW)\b')
NONWORD = re.compile(r"[^0-9a-z\u00c0-\U0010ffff]+")


def norm(s):
    return NONWORD.sub(" ", unicodedata.normalize("NFKC", s).lower()).strip()


def unescape(s):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def is_code(t, onto):
    if "_" in t:
        return True
    if re.fullmatch(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+", t):
        return True
    if onto == "cell_ontology" and re.match(r"^\d+ [A-Z]", t):
        return True
    return False


def read_terms(path, prefix):
    """[(id, name, [(text, scope)])] of the indexable terms, file order."""
    terms, cur, in_term = [], None, False

    def close():
        if cur and in_term and cur["name"] and not cur["obs"] and cur["id"].startswith(prefix):
            terms.append((cur["id"], cur["name"], cur["syn"]))

    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("["):
                close()
                in_term = line.strip() == "[Term]"
                cur = {"id": "", "name": None, "obs": False, "syn": []}
            elif cur is None:
                continue
            elif line.startswith("id:"):
                cur["id"] = line[3:].strip()
            elif line.startswith("name:"):
                cur["name"] = line[5:].strip()
            elif line.startswith("is_obsolete:"):
                cur["obs"] = line[12:].strip() == "true"
            elif line.startswith("synonym:"):
                m = SYN.match(line)
                if m:
                    cur["syn"].append((unescape(m.group(1)), m.group(2)))
        close()
    return terms


def candidates(terms, onto):
    names = {norm(n) for _, n, _ in terms}
    carriers = {}  # norm -> {term id: set of scopes}
    first = {}  # norm -> first synonym text in file order
    for tid, _, syns in terms:
        for text, scope in syns:
            n = norm(text)
            carriers.setdefault(n, {}).setdefault(tid, set()).add(scope)
            first.setdefault(n, text)
    out = {}  # norm -> (text, scope, gold)
    for n, car in carriers.items():
        scopes = set().union(*car.values())
        if n in names or len(scopes) != 1 or len(car) > 3 or len(n) < 3:
            continue
        scope = next(iter(scopes))
        if scope not in KIND or is_code(first[n], onto):
            continue
        out[n] = (first[n], scope, sorted(car))
    return out


def heldout(terms_by_id, onto, gold, n):
    rows = []
    for g in gold:
        for text, scope in terms_by_id[g][2]:
            if norm(text) == n:
                rows.append({"ontology": onto, "term_id": g, "synonym": text, "scope": scope})
    return rows


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/h14m"
    os.makedirs(out_dir, exist_ok=True)
    dev = [json.loads(l) for l in open(os.path.join(EVAL, "dev.jsonl"), encoding="utf-8")]
    dev_h = [json.loads(l) for l in open(os.path.join(EVAL, "dev_heldout.jsonl"), encoding="utf-8")]
    queries, held = [], []
    for onto, fname, prefix, sizes in ONTOS:
        terms = read_terms(os.path.join(ROOT, "data", "ontologies", fname), prefix)
        by_id = {t[0]: t for t in terms}
        cand = candidates(terms, onto)
        dq = [q for q in dev if q["ontology"] == onto]
        dev_norms = {norm(q["query"]) for q in dq}
        dev_gold = {g for q in dq for g in q["gold"]}
        # Checks: DEV's synthetic queries under these rules, DEV's held-out list.
        syn_q = [q for q in dq if q["kind"] != "handwritten"]
        ok = sum(1 for q in syn_q
                 if norm(q["query"]) in cand
                 and KIND[cand[norm(q["query"])][1]] == q["kind"]
                 and cand[norm(q["query"])][2] == sorted(q["gold"]))
        mine = {(r["term_id"], r["synonym"]) for q in syn_q
                for r in heldout(by_id, onto, q["gold"], norm(q["query"]))}
        theirs = {(r["term_id"], r["synonym"]) for r in dev_h if r["ontology"] == onto}
        print(f"{onto}: {len(terms)} indexable terms; {len(cand)} candidate norms; "
              f"DEV synthetic queries that are candidates (same kind, same gold): "
              f"{ok} / {len(syn_q)}; DEV held-out pairs rebuilt {len(mine & theirs)} / "
              f"{len(theirs)} (+{len(mine - theirs)} extra)", file=sys.stderr)
        for scope, size in sizes.items():
            pool = sorted((n, c) for n, c in cand.items()
                          if c[1] == scope and n not in dev_norms
                          and not any(g in dev_gold for g in c[2]))
            random.Random(f"omvec-pseudo-v1:{onto}:{scope}").shuffle(pool)
            used, taken = set(), 0
            for n, (text, _, gold) in pool:
                if taken == size:
                    break
                if any(g in used for g in gold):
                    continue
                used.update(gold)
                taken += 1
                queries.append({"ontology": onto, "query": text, "gold": gold,
                                "kind": KIND[scope]})
                held.extend(heldout(by_id, onto, gold, n))
            print(f"  {scope}: {len(pool)} candidates after the DEV exclusions, "
                  f"{taken} taken", file=sys.stderr)
    with open(os.path.join(out_dir, "pseudo.jsonl"), "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "pseudo_heldout.jsonl"), "w", encoding="utf-8") as f:
        for r in held:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(queries)} queries, {len(held)} held-out pairs -> {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
