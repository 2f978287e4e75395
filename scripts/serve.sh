#!/usr/bin/env bash
# scripts/serve.sh [omvec run flags] - install the build dependencies if
# missing, build, and serve the Chroma-compatible API on localhost:8000 with
# the data directory ./omvec_data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -j2 omvec
exec ./omvec run "$@"
