#!/usr/bin/env bash
# scripts/install-deps.sh [--test] [--bench] - install what omvec needs on
# Debian 12 or Ubuntu: the build dependencies, with --test also what `make
# check` uses (valgrind, Node.js >= 20 and npm for the official Chroma JS
# clients, chromium for the console's browser test), and with --bench what
# the benchmarks' reference computations use (/usr/bin/python3 with numpy for
# bench/recall.py, torch for bench/bert_torch.py).
# Idempotent and quick when everything is there. Uses sudo when not root.
set -euo pipefail
want_test=0
want_bench=0
for arg in "$@"; do
    case "$arg" in
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
    *) echo "usage: scripts/install-deps.sh [--test] [--bench]" >&2; exit 2 ;;
    esac
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

pkgs=(build-essential pkg-config libmicrohttpd-dev libsqlite3-dev ca-certificates
      libcurl4-openssl-dev libarchive-dev libssl-dev libutf8proc-dev libopenblas-dev)
# nginx-light and openssl (test certificates): the multi-replica test behind nginx with TLS;
# chromium: the console's browser test (tests/clients/95_console.test.mjs, puppeteer-core)
[ "$want_test" = 1 ] && pkgs+=(valgrind procps nginx-light openssl clang
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
[ "$want_bench" = 1 ] && pkgs+=(python3 python3-numpy python3-torch)
# Debian names the browser chromium; Ubuntu ships it as a snap instead (then
# set CHROMIUM=/snap/bin/chromium for the test)
[ "$want_test" = 1 ] && { [ -x /usr/bin/chromium ] || apt-cache show chromium > /dev/null 2>&1; } &&
    pkgs+=(chromium)
command -v node > /dev/null || pkgs+=(nodejs)
command -v npm > /dev/null || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (nodesource): count the commands, not packages
if command -v node > /dev/null; then missing=("${missing[@]/nodejs}"); fi
if command -v npm > /dev/null; then missing=("${missing[@]/npm}"); fi
read -r -a missing <<< "${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

if [ "$want_test" = 1 ]; then
    # chromadb@3 needs Node.js >= 20; Debian 12 ships 18. The npm registry
    # carries the official Node.js builds as node-linux-<arch> packages.
    major=$(node -p 'process.versions.node.split(".")[0]' 2> /dev/null || echo 0)
    if [ "$major" -lt 20 ]; then
        arch=$(uname -m)
        case "$arch" in x86_64) narch=x64 ;; aarch64) narch=arm64 ;; *) narch=$arch ;; esac
        dest="$(cd "$(dirname "$0")/.." && pwd)/build/node20"
        if [ ! -x "$dest/node_modules/node-linux-$narch/bin/node" ]; then
            echo "install-deps: Node.js $major is too old for chromadb@3; fetching node-linux-$narch@20 from npm"
            mkdir -p "$dest"
            (cd "$dest" && npm install --no-save --silent "node-linux-$narch@20" > /dev/null)
        fi
        echo "install-deps: use PATH=$dest/node_modules/node-linux-$narch/bin:\$PATH"
    fi
fi
