# scripts/verify_chroma0523_export.py EXPORT_DIR FIXTURE - check an
# `omvec export-chroma` directory with the real chromadb 0.5.23 against the
# fixture's dumps in $SHARED/data/chroma-dirs (FIXTURE as in manifest.json,
# e.g. c0523-mixed): collection metadata (types strict; an added hnsw:space
# allowed), count, every record's document, metadata and embedding (1e-6),
# Chroma's own recall@10 on the dump queries (informational: 0.5.23 searches
# with ef=10), then one add + delete, reopen, and the new record served.
# Not for CI: needs Chroma 0.5.23 assembled by shared/tools/chroma0523/setup.sh:
#   PYTHONPATH=$WORK/site:$SHARED/tools/chroma0523/stubs /usr/bin/python3 \
#       scripts/verify_chroma0523_export.py OUT c0523-mixed
# It modifies EXPORT_DIR (the write check): run it on a copy.
import sys, json, gzip, os, shutil, chromadb, math
exp, fixture = sys.argv[1], sys.argv[2]
F = os.path.join(os.environ.get("SHARED", "../shared"), "data", "chroma-dirs")
man = json.load(open(F + "/manifest.json"))
fx = [f for f in man["fixtures"] if f["source"] == fixture][0]
c = chromadb.PersistentClient(path=exp)
bad = 0; hit = tot = 0
for name, m in fx["collections"].items():
    p = F + "/" + m["dump"]
    d = json.load(gzip.open(p) if p.endswith(".gz") else open(p)) if os.path.exists(p) else json.load(gzip.open(p + ".gz"))
    col = c.get_collection(name)
    md = dict(col.metadata or {})
    if d["metadata"] is None or "hnsw:space" not in d["metadata"]:
        if md.get("hnsw:space") == d["space"]: md.pop("hnsw:space")
    if (md or None) != d["metadata"] or any(type(md[k]) != type(d["metadata"][k]) for k in md):
        print("META", name, md, d["metadata"]); bad += 1
    assert col.count() == d["count"], (name, col.count())
    g = col.get(include=["embeddings", "documents", "metadatas"])
    idx = {i: k for k, i in enumerate(g["ids"])}
    for r in d["records"]:
        k = idx[r["id"]]
        if g["documents"][k] != r["document"]: print("DOC", r["id"]); bad += 1
        gm = g["metadatas"][k]
        if gm != r["metadata"] or (gm and any(type(gm[x]) != type(r["metadata"][x]) for x in gm)): print("MD", r["id"], gm, r["metadata"]); bad += 1
        if max(abs(a - b) for a, b in zip(g["embeddings"][k], r["embedding"])) > 1e-6: print("VEC", r["id"]); bad += 1
    if d["queries"]:
        q = col.query(query_embeddings=[x["embedding"] for x in d["queries"]], n_results=10, include=["distances"])
        for x, ids in zip(d["queries"], q["ids"]):
            hit += len(set(ids) & set(x["ids"])); tot += 10
print(fixture, "mismatches:", bad, "chroma's own recall@10 (ef=10):", hit / max(tot, 1))
# writable: add, update, delete, reopen
name = list(fx["collections"])[0]
col = c.get_collection(name)
dim = col.get(limit=1, include=["embeddings"])["embeddings"]
if len(dim):
    n0 = col.count(); v = [0.5] * len(dim[0])
    col.add(ids=["omvec-new"], embeddings=[v], documents=["new"], metadatas=[{"k": 1}])
    col.delete(ids=[col.get(limit=1)["ids"][0]])
    del c
    c2 = chromadb.PersistentClient(path=exp)
    col2 = c2.get_collection(name)
    g2 = col2.get(ids=["omvec-new"], include=["embeddings", "documents"])
    print("writable:", col2.count() == n0, g2["documents"] == ["new"], col2.query(query_embeddings=[v], n_results=1)["ids"][0])
