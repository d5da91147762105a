# Sourced by the resumable study scripts (scripts/lyapunov_vs_N.sh, scripts/lyapunov_scs_vs_N.sh).
#
# run_json FILE CMD...: runs CMD with its stdout written to FILE atomically (a temporary file, then mv);
# skipped when FILE exists and is not empty, so an interrupted study resumes where it stopped. With
# run_nice set, CMD runs under `nice -n "$run_nice"`.
run_json() {
    local file=$1
    shift
    [ -s "$file" ] && return 0
    echo "== $(date -u +%H:%M:%S) $*" >&2
    if [ -n "${run_nice:-}" ]; then set -- nice -n "$run_nice" "$@"; fi
    "$@" > "$file.tmp.$$" && mv "$file.tmp.$$" "$file"
}
