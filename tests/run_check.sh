#!/usr/bin/env bash
# tests/run_check.sh - the extra passes of `make check`: every unit test
# under valgrind (unsanitized build) and the concurrency tests under
# ThreadSanitizer. Final line "N passed, N failed".
set -u
SHARED=${SHARED:-../shared}
export SHARED
pass=0
fail=0
# the make-test stages first, so the last line counts everything
out=$(tests/run_tests.sh san 2>&1)
printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
for t in $(find build/plain/tests/unit -type f -name 'test_*' ! -name '*.d' | sort); do
    if valgrind -q --fair-sched=yes --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$t" > /tmp/omvec-vg.$$ 2>&1; then
        pass=$((pass + 1)); echo "ok   valgrind $(basename "$t")"
    else
        fail=$((fail + 1)); tail -30 /tmp/omvec-vg.$$; echo "FAIL valgrind $(basename "$t")"
    fi
done
rm -f /tmp/omvec-vg.$$
# test_hnsw builds graphs on two threads (the parallel insert);
# test_store_ckpt commits while the store's checkpointer thread runs
for t in $(find build/tsan/tests/unit -type f \( -name 'test_*concurren*' -o -name test_hnsw \
    -o -name test_store_ckpt \) ! -name '*.d' | sort); do
    if TSAN_OPTIONS=halt_on_error=1 "$t" > /tmp/omvec-ts.$$ 2>&1; then
        pass=$((pass + 1)); echo "ok   tsan $(basename "$t")"
    else
        fail=$((fail + 1)); tail -40 /tmp/omvec-ts.$$; echo "FAIL tsan $(basename "$t")"
    fi
done
rm -f /tmp/omvec-ts.$$
# the kernels and the index on AArch64 (cross-compiled, run under qemu-user)
if out=$(scripts/test_arm64.sh 2>&1); then
    line=$(printf '%s\n' "$out" | tail -1)
    p=${line%% passed*}
    pass=$((pass + p)); echo "ok   arm64 (qemu) ($line)"
else
    fail=$((fail + 1)); printf '%s\n' "$out" | tail -30; echo "FAIL arm64 (qemu)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
