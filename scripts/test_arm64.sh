#!/bin/sh
# scripts/test_arm64.sh - cross-compile the distance-kernel and HNSW unit
# tests (tests/unit/index/test_dist.c and test_hnsw.c with the index and
# util sources they need) for AArch64 and run them under qemu-user, so the
# NEON kernels and the index are checked on an x86-64 developer machine or
# CI (make check runs this).
#
# Usage: scripts/test_arm64.sh        (from anywhere; run as root, or with
#                                      the packages below already installed)
# Prints one "N passed, N failed" line for both tests; exits non-zero when the
# build fails, a test fails, or the tools cannot be had.
#
# The binary is linked -static, so qemu needs no AArch64 sysroot. UBSan
# runs in trap mode (no run-time library to cross-install): undefined
# behaviour stops the test with SIGILL. ASan is not used (it needs its
# runtime under qemu); the x86-64 build covers that.
set -eu

cd "$(dirname "$0")/.."

CC=${CC_ARM64:-aarch64-linux-gnu-gcc}
QEMU=${QEMU_ARM64:-qemu-aarch64}
OUT=${BUILD_DIR:-build/arm64}

if ! command -v "$CC" >/dev/null 2>&1 || ! command -v "$QEMU" >/dev/null 2>&1 ||
    [ ! -e /usr/aarch64-linux-gnu/include/stdio.h ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "test_arm64: need $CC and $QEMU; as root run:" >&2
        echo "  apt-get install -y gcc-aarch64-linux-gnu qemu-user libc6-dev-arm64-cross" >&2
        exit 2
    fi
    echo "test_arm64: installing the AArch64 cross compiler and qemu-user" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q gcc-aarch64-linux-gnu qemu-user libc6-dev-arm64-cross >&2
fi

mkdir -p "$OUT"
FLAGS="-std=c17 -Wall -Wextra ${WERROR-${CI:+-Werror}} -g -O2 -pthread -D_GNU_SOURCE -Isrc -Itests
    -fsanitize=undefined -fsanitize-undefined-trap-on-error -static"
# shellcheck disable=SC2086
"$CC" $FLAGS -o "$OUT/test_dist" \
    tests/unit/index/test_dist.c src/index/dist_neon.c src/util/err.c src/util/mem.c -lm
# shellcheck disable=SC2086
"$CC" $FLAGS -o "$OUT/test_hnsw" \
    tests/unit/index/test_hnsw.c src/index/dist.c src/index/dist_scalar.c src/index/dist_neon.c \
    src/util/err.c src/util/mem.c src/util/fsum.c src/util/fload.c src/util/vecfile.c \
    src/util/thread.c -lm
# shellcheck disable=SC2086
"$CC" $FLAGS -o "$OUT/test_fsum" tests/unit/util/test_fsum.c src/util/fsum.c src/util/fload.c \
    src/util/err.c src/util/mem.c

pass=0
fail=0
for t in test_dist test_hnsw test_fsum; do
    line=$("$QEMU" "$OUT/$t" 2>&1 | tee "$OUT/$t.log" | tail -1)
    case "$line" in
    *" passed, "*" failed")
        p=${line%% passed*}
        f=${line#*passed, }
        f=${f%% failed*}
        pass=$((pass + p))
        fail=$((fail + f))
        ;;
    *)
        cat "$OUT/$t.log"
        fail=$((fail + 1))
        ;;
    esac
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
