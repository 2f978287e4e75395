#!/usr/bin/python3
"""bench/recall.py - recall@10 of a Chroma-compatible server against exact
search computed here with numpy (Debian's python3-numpy, /usr/bin/python3).

  recall.py URL_QUERY VEC_FILE N DIM QUERY_BODIES [LIMIT]

URL_QUERY     the collection's query URL
VEC_FILE      mkdata's raw float32 output: N base vectors, then the queries
QUERY_BODIES  mkdata's query bodies, one per line, in the same order
Ids are mkdata's "T:%07d" (the base vector's index). Cosine space.
Prints "recall@10 R over Q queries"."""
import json
import sys
import urllib.request

import numpy as np


def main():
    url, vec_file, n, dim, bodies_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    limit = int(sys.argv[6]) if len(sys.argv) > 6 else 10**9
    raw = np.fromfile(vec_file, dtype=np.float32)
    allv = raw.reshape(-1, dim)
    base, queries = allv[:n], allv[n:]
    base = base / np.linalg.norm(base, axis=1, keepdims=True)
    bodies = [l for l in open(bodies_file) if l.strip()][: min(limit, len(queries))]
    hit = tot = 0
    for i, body in enumerate(bodies):
        q = queries[i] / np.linalg.norm(queries[i])
        truth = set(np.argsort(-(base @ q))[:10].tolist())
        req = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            res = json.loads(r.read())
        got = {int(x.split(":")[1]) for x in res["ids"][0]}
        hit += len(truth & got)
        tot += len(truth)
    print(f"recall@10 {hit / tot:.4f} over {len(bodies)} queries")


if __name__ == "__main__":
    main()
