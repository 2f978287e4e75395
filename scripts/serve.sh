#!/usr/bin/env bash
# scripts/serve.sh [omvec run flags] - install the build dependencies if
# missing, build, and serve the Chroma-compatible API on localhost:8000 with
# the data directory ./omvec_data (or the --path given). On first start, when
# the data directory has no store yet, the three ontology collections
# (mondo_v2024_01, uberon_v2024_01, cell_ontology_v2024_01) are built from
# the compressed OBO copies in data/ontologies with the lexical embedder: no
# network and no model files needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -j2 omvec
DATA=./omvec_data
prev=
for a in "$@"; do
    case "$prev" in --path) DATA=$a ;; esac
    case "$a" in --path=*) DATA=${a#--path=} ;; esac
    prev=$a
done
if [ ! -e "$DATA/omvec.sqlite3" ]; then
    echo "serve.sh: building the ontology collections into $DATA (first start)" >&2
    ./omvec build --ontology all --bundled data/ontologies --path "$DATA"
fi
exec ./omvec run "$@"
