#!/bin/sh
# deploy/entrypoint.sh - container entrypoint: turn the environment into
# `omvec run` flags and exec it (so SIGTERM reaches omvec, which drains).
#
#   OMVEC_ARTIFACTS    artifact URLs or paths, separated by spaces, commas or
#                      newlines; each becomes --prewarm (verified, installed
#                      unless the data directory already holds that version)
#   OMVEC_HOST         listen address (default 0.0.0.0; without tokens a
#                      non-loopback address is refused unless
#                      OMVEC_ALLOW_ANONYMOUS=1)
#   OMVEC_ALLOW_ANONYMOUS  1: pass --allow-anonymous (serve without auth)
#   OMVEC_PORT         port (default 8000)
#   OMVEC_DATA         data directory (default /data)
#   OMVEC_LOG_LEVEL    debug|info|warn|error (default info)
#   OMVEC_THREADS      HTTP worker threads (default: omvec's choice)
#   OMVEC_TOKENS_FILE  a tokens file ("read TOKEN" / "admin TOKEN" lines)
#   OMVEC_READ_TOKEN, OMVEC_ADMIN_TOKEN
#                      tokens injected from a secrets manager; written to a
#                      private tokens file when OMVEC_TOKENS_FILE is unset
#   OMVEC_BIN          the omvec binary (default /usr/local/bin/omvec)
#   CHROMA_SERVER_AUTHN_*, ALLOW_RESET: passed through (see omvec run --help)
# Extra arguments are appended to `omvec run`.
set -eu

bin=${OMVEC_BIN:-/usr/local/bin/omvec}
data=${OMVEC_DATA:-/data}
set -- run --host "${OMVEC_HOST:-0.0.0.0}" --port "${OMVEC_PORT:-8000}" --path "$data" \
    --log-level "${OMVEC_LOG_LEVEL:-info}" "$@"
if [ -n "${OMVEC_THREADS:-}" ]; then
    set -- "$@" --threads "$OMVEC_THREADS"
fi

if [ "${OMVEC_ALLOW_ANONYMOUS:-}" = 1 ]; then
    set -- "$@" --allow-anonymous
fi

tokens=${OMVEC_TOKENS_FILE:-}
if [ -z "$tokens" ] && { [ -n "${OMVEC_READ_TOKEN:-}" ] || [ -n "${OMVEC_ADMIN_TOKEN:-}" ]; }; then
    dir=${TMPDIR:-/tmp}
    tokens=$(umask 077 && mktemp "$dir/omvec-tokens.XXXXXX")
    {
        [ -z "${OMVEC_READ_TOKEN:-}" ] || printf 'read %s\n' "$OMVEC_READ_TOKEN"
        [ -z "${OMVEC_ADMIN_TOKEN:-}" ] || printf 'admin %s\n' "$OMVEC_ADMIN_TOKEN"
    } >"$tokens"
fi
if [ -n "$tokens" ]; then
    set -- "$@" --tokens "$tokens"
fi

for a in $(printf '%s' "${OMVEC_ARTIFACTS:-}" | tr ',\n' '  '); do
    set -- "$@" --prewarm "$a"
done

exec "$bin" "$@"
