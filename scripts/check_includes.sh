#!/usr/bin/env bash
# scripts/check_includes.sh - the layer rules of the headers, checked on
# every #include "dir/..." in src/ (run by `make lint` and as a stage of
# `make test`):
#
#   cli -> {http, client, artifact} -> api -> core -> {index, store, embed, onto}
#       -> json -> util
#
# Each folder may include only itself and the folders listed for it below
# (transitively below it, never up or sideways), so the folder graph has no
# cycle. core includes json/ only where JSON is core's input language:
# where/where_document filters (filter.c); collection metadata and
# configuration reach core typed (api/api_wire.c), and the stored metadata
# text is store's (store/store_meta.c). Also: no file but util/thread.c
# calls pthread_create (ov_thread_start gives a new thread the process's
# CPUs, not a pinned HTTP pool thread's). Prints each violation as FILE: includes X, and
# ends with "1 passed, 0 failed" or "0 passed, N failed" (the test
# runner's stage line); exit 1 on any.
set -u
cd "$(dirname "$0")/.." || exit 2

allowed() {
    case "$1" in
    util) echo "util" ;;
    json) echo "json util" ;;
    index) echo "index util" ;;
    store) echo "store json util" ;;
    onto) echo "onto json util" ;;
    embed) echo "embed json util" ;;
    core) echo "core index store json util" ;;
    chroma) echo "chroma index store json util" ;;
    artifact) echo "artifact chroma store json util" ;;
    api) echo "api core embed json util" ;;
    http) echo "http api util" ;;
    client) echo "client api core index onto embed json util" ;;
    cli) echo "cli http client api artifact chroma core index store embed onto json util" ;;
    *) echo "" ;;
    esac
}

# the core file that may include json/ (see above)
core_json_ok="filter.c"

files=0
bad=0
for f in $(find src -mindepth 2 -name '*.[ch]' | sort); do
    files=$((files + 1))
    mod=$(echo "$f" | cut -d/ -f2)
    ok=$(allowed "$mod")
    if [ -z "$ok" ]; then
        echo "$f: folder $mod has no layer rule in scripts/check_includes.sh"
        bad=$((bad + 1))
        continue
    fi
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/.*/\1/p' "$f" | sort -u); do
        case " $ok " in
        *" $inc "*) ;;
        *)
            echo "$f: includes $inc/ (layer $mod may include: $ok)"
            bad=$((bad + 1))
            continue
            ;;
        esac
        if [ "$mod" = core ] && [ "$inc" = json ]; then
            case " $core_json_ok " in
            *" $(basename "$f") "*) ;;
            *)
                echo "$f: core includes json/ outside the filters (filter.c)"
                bad=$((bad + 1))
                ;;
            esac
        fi
    done
done
for f in $(grep -rl 'pthread_create[[:space:]]*(' src --include='*.c' | sort); do
    [ "$f" = src/util/thread.c ] && continue
    echo "$f: calls pthread_create (use ov_thread_start, util/thread.h)"
    bad=$((bad + 1))
done
echo "include check: $files files, $bad violations"
echo "$((bad == 0 ? 1 : 0)) passed, $bad failed"
[ "$bad" -eq 0 ]
