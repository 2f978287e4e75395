#!/usr/bin/env bash
# tests/run_tests.sh VARIANT - run every test stage built for VARIANT (san by
# default): the C unit tests, the fuzz-corpus replays (our seeds and the
# third-party corpora in $SHARED/data/corpora), and the client tests against
# the VARIANT server binary. Prints each stage's result and a final
# "N passed, N failed" line; exits non-zero if anything failed.
set -u
V=${1:-san}
SHARED=${SHARED:-../shared}
export SHARED
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
pass=0
fail=0
failed_stages=()

# Run one command, add the counts from its last "N passed, N failed" line.
stage() {
    local name=$1
    shift
    local out rc line p f
    out=$("$@" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*passed, }
        f=${f%% failed*}
    else
        p=0
        f=1
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$f" -ne 0 ]; then
        failed_stages+=("$name")
        printf '%s\n' "$out" | tail -40
        echo "FAIL $name ($p passed, $f failed, exit $rc)"
    else
        echo "ok   $name ($p passed)"
    fi
}

# the layer rules of the headers (scripts/check_includes.sh, also make lint)
stage "include layers" scripts/check_includes.sh

for t in $(find build/$V/tests/unit -type f -name 'test_*' ! -name '*.d' 2>/dev/null | sort); do
    stage "unit $(basename "$t")" "$t"
done

while read -r target dirs; do
    case "$target" in ''|'#'*) continue ;; esac
    bin=build/$V/replay/$target
    # a line may name a target whose issue has not landed yet (fuzz_tokens:
    # the tokenizer); its source is what makes it required
    if [ ! -f "tests/fuzz/$target.c" ]; then
        echo "skip corpus $target (no tests/fuzz/$target.c yet)"
        continue
    fi
    [ -x "$bin" ] || { echo "missing replay binary $bin"; fail=$((fail + 1)); continue; }
    # shellcheck disable=SC2086
    stage "corpus $target" "$bin" $(eval echo $dirs)
done < tests/fuzz/corpora.txt

if [ "${OMVEC_SKIP_CLIENTS:-0}" != 1 ]; then
    stage "clients" env OMVEC_BIN="build/$V/omvec" tests/clients/run.sh
fi

if [ ${#failed_stages[@]} -ne 0 ]; then
    echo "failed stages: ${failed_stages[*]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
