#!/usr/bin/env bash
# scripts/count_crossings.sh - how often one /api/v2 query crosses from one
# src/<module>/ folder into another (issue 9's measure), counted on a real
# server, not estimated.
#
# The count: every call made by a function defined under src/A/ to a
# function defined under src/B/, A != B, while the server answers one
# query (POST .../collections/ID/query, one 32-d vector, n_results 10,
# include documents, metadatas and distances) on a collection of 4,000
# records, large enough to be searched through the HNSW graph (core scans
# up to 2,048 candidates exactly). util/ (arena, buffers, strings, errors,
# log: the base every layer uses, like libc) is listed but left out of the
# headline; calls into libraries (libmicrohttpd, SQLite, libc) are not
# counted, and libmicrohttpd's call into http/ is the entry, not a
# crossing. A function's module is the folder of the file that defines it
# (a static inline in a header belongs to the header's folder).
#
# How: every src/ file is built at -O0 with -finstrument-functions (so
# nothing is inlined away) and linked with bench/crossings_trace.c, which
# records (caller, callee) pairs while switched on by SIGUSR1 and writes
# them on SIGUSR2; addr2line maps the addresses to functions and files.
# Three warm-up queries run first, so one-time work (scratch, lazy parses)
# is not counted. Prints the headline (calls, and distinct caller->callee
# function pairs), the module-pair matrix, and the distinct crossing pairs.
#
#   scripts/count_crossings.sh            # from the repository root
# Environment: OUT (build and work folder, default build/xtrace).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-build/xtrace}
mkdir -p "$OUT/obj"
CPPFLAGS="-Isrc -Iinclude -D_GNU_SOURCE -DOMVEC_VERSION=\"0.1.0\" $(pkg-config --cflags libcurl libarchive openssl libutf8proc openblas 2> /dev/null)"
CFLAGS="-std=c17 -g -O0 -pthread -fno-strict-aliasing -fno-pie -finstrument-functions"
export CPPFLAGS CFLAGS OUT
# shellcheck disable=SC2016
find src -name '*.c' | sort | xargs -P 2 -I{} sh -c '
    o="$OUT/obj/$(echo "{}" | tr / _).o"
    [ "$o" -nt "{}" ] && exit 0
    isa=""
    case "{}" in */dist_avx2.c) isa="-mavx2 -mfma" ;; */dist_avx512.c) isa="-mavx512f -mavx512dq -mfma" ;; esac
    # shellcheck disable=SC2086
    cc $CPPFLAGS $CFLAGS $isa -c "{}" -o "$o"'
cc -std=gnu17 -O2 -fno-pie -pthread -c bench/crossings_trace.c -o "$OUT/trace.o"
BIN=$OUT/omvec
# shellcheck disable=SC2046
cc -no-pie -pthread -o "$BIN" "$OUT"/obj/*.o "$OUT/trace.o" -lmicrohttpd -lsqlite3 \
    $(pkg-config --libs libcurl libarchive openssl libutf8proc openblas 2> /dev/null) -lm
cc -std=gnu17 -O2 bench/mkdata.c -lm -o "$OUT/mkdata"
"$OUT/mkdata" 4000 32 1000 10 5 "$OUT/add.jsonl" "$OUT/query.jsonl" > /dev/null

D=$(mktemp -d "${TMPDIR:-/tmp}/omvec-xtrace.XXXXXX")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CROSSINGS_OUT=$D/edges.txt "$BIN" run --port "$PORT" --path "$D/data" --log-level warn > "$D/log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2> /dev/null; wait $pid 2> /dev/null || true; rm -rf "$D"' EXIT
until curl -sf "http://127.0.0.1:$PORT/api/v2/heartbeat" > /dev/null 2>&1; do
    kill -0 $pid 2> /dev/null || { cat "$D/log"; exit 1; }
    sleep 0.05
done
B=http://127.0.0.1:$PORT/api/v2/tenants/default_tenant/databases/default_database
id=$(curl -sf -XPOST "$B/collections" -d '{"name":"xtrace","metadata":{"hnsw:space":"cosine"}}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while IFS= read -r line; do
    printf '%s' "$line" | curl -sf -o /dev/null -XPOST "$B/collections/$id/add" --data-binary @-
done < "$OUT/add.jsonl"
# wait until the graph holds every record (deferred indexing saves it then)
until [ -n "$(find "$D/data/index" -name '*.hnsw' 2> /dev/null)" ]; do sleep 0.1; done
q() { head -"$1" "$OUT/query.jsonl" | tail -1 | curl -sf -o /dev/null -XPOST "$B/collections/$id/query" --data-binary @-; }
for i in 1 2 3; do q "$i"; done
kill -USR1 $pid
sleep 0.2
q 4
sleep 0.2
kill -USR2 $pid
until [ -s "$D/edges.txt" ]; do sleep 0.1; done
sleep 0.2

cp "$D/edges.txt" "$OUT/edges.txt"
python3 - "$BIN" "$OUT/edges.txt" << 'EOF'
import collections, re, subprocess, sys
binary, edges_path = sys.argv[1], sys.argv[2]
edges = []
for line in open(edges_path):
    a, b, n = line.split()
    edges.append((a, b, int(n)))
addrs = sorted({x for e in edges for x in e[:2]})
out = subprocess.run(["addr2line", "-f", "-e", binary] + ["0x" + a for a in addrs],
                     capture_output=True, text=True).stdout.splitlines()
info = {}
for i, a in enumerate(addrs):
    fn, loc = out[2 * i], out[2 * i + 1]
    m = re.search(r"(?:^|/)src/([a-z]+)/([^:/]+):", loc)
    info[a] = (fn, m.group(1) if m else None, m.group(2) if m else loc)
# a static inline defined in a header belongs to the header's folder
# (addr2line may give the including file's line for its out-of-line copy)
import glob
for h in glob.glob("src/*/*.h"):
    mod = h.split("/")[1]
    for line in open(h, errors="replace"):
        m = re.match(r"static inline [^(]*?\b([a-z_0-9]+)\(", line)
        if m:
            for a, (fn, _, f) in list(info.items()):
                if fn == m.group(1):
                    info[a] = (fn, mod, h)
pairs = collections.Counter()
distinct = collections.Counter()
calls = collections.Counter()
for a, b, n in edges:
    fa, ma, _ = info[a]
    fb, mb, _ = info[b]
    if not ma or not mb or ma == mb:
        continue
    pairs[(ma, mb)] += n
    distinct[(ma, mb)] += 1
    calls[(ma, fa, mb, fb)] += n
def total(with_util):
    keep = [k for k in pairs if with_util or "util" not in k]
    return sum(pairs[k] for k in keep), sum(distinct[k] for k in keep)
c, d = total(False)
cu, du = total(True)
print(f"one query: {c} module crossings ({d} distinct caller->callee pairs), util/ left out")
print(f"           {cu} with calls into util/ ({du} distinct pairs)")
print("\nmodule -> module: calls (distinct pairs)")
for k in sorted(pairs, key=lambda k: (-pairs[k], k)):
    print(f"  {k[0]:>6} -> {k[1]:<6} {pairs[k]:6d} ({distinct[k]})")
print("\ncrossing calls, util/ left out:")
for k in sorted(calls, key=lambda k: (k[0], k[2], -calls[k], k[1], k[3])):
    if "util" in (k[0], k[2]):
        continue
    print(f"  {k[0]}/{k[1]} -> {k[2]}/{k[3]}: {calls[k]}")
EOF
