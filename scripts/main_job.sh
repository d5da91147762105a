#!/usr/bin/env bash
# The main job (called by ./run after the build): gating at work. At the output-gated point
# g_h = 3, alpha_r = 4, tau_r = 0 (THEORY.md section 8: the DMFT C_h0 = 1.198) it solves the stationary
# DMFT with lambda_max, lists the fixed points, simulates finite networks of N = 500, 1000, 2000 and
# prints the DMFT against each N, next to the ungated default (alpha_r = 0) for contrast.
# Everything goes under results/ (or the directory given as $1); each file is written whole.
# Sizes, networks and run lengths can be set from the environment (MAIN_SIZES, MAIN_REALIZATIONS,
# MAIN_T_MAX, MAIN_T_BURN). Plots need Debian's python3-matplotlib (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results}
sizes=${MAIN_SIZES:-500,1000,2000}
realizations=${MAIN_REALIZATIONS:-3}
t_max=${MAIN_T_MAX:-200}
t_burn=${MAIN_T_BURN:-50}
bin=build/gdmft
py=/usr/bin/python3  # Debian's, with numpy and matplotlib (as the binary's plots use)
[ -x "$py" ] || py=python3
point=(--alpha-r 4 --tau-r 0)  # g_h = 3 and the rest at their defaults
mkdir -p "$out"

# run_to FILE CMD...: stdout of CMD to FILE, whole (temporary name, renamed when CMD succeeds).
run_to() {
    local file=$1 tmp
    shift
    tmp="$(dirname "$file")/.$(basename "$file").tmp.$$"
    if "$@" > "$tmp"; then
        mv -f "$tmp" "$file"
    else
        local rc=$?
        rm -f "$tmp"
        return "$rc"
    fi
}

start=$SECONDS
echo "== gdmft solve ${point[*]} --lyapunov -> $out/solve.json, $out/solve/" >&2
run_to "$out/solve.json" "$bin" solve "${point[@]}" --lyapunov --json --out "$out/solve"

echo "== gdmft solve --lyapunov (ungated default, for contrast) -> $out/solve_ungated.json" >&2
run_to "$out/solve_ungated.json" "$bin" solve --lyapunov --json --out "$out/solve_ungated"

echo "== gdmft fixedpoint ${point[*]} -> $out/fixedpoint.json" >&2
run_to "$out/fixedpoint.json" "$bin" fixedpoint "${point[@]}" --json

echo "== gdmft validate --points output_gated (N = $sizes, $realizations networks each) -> $out/validation/" >&2
run_to "$out/validation.json" "$bin" validate --points output_gated --sizes "$sizes" \
    --realizations "$realizations" --t-max "$t_max" --t-burn "$t_burn" --corr-times 20 --float32 \
    --json --out "$out/validation"

echo "== gdmft simulate ${point[*]} --N 1000 --lyapunov -> $out/simulate.json" >&2
run_to "$out/simulate.json" "$bin" simulate "${point[@]}" --N 1000 --t-max 150 --t-burn 50 \
    --float32 --lyapunov --json --out "$out/simulate"

echo "== summary table and plot -> $out/summary.txt, $out/gating.png" >&2
echo
"$py" scripts/main_job_table.py "$out"
echo
echo "Done in $((SECONDS - start)) s. Results in $out/:"
echo "  summary.txt                      the table above"
echo "  gating.png                       C_h(tau): DMFT against the networks, and the ungated DMFT"
echo "  solve.json, solve/correlations.csv          stationary DMFT at the output-gated point"
echo "  solve_ungated.json, solve_ungated/...       the same, ungated (alpha_r = 0)"
echo "  fixedpoint.json                  fixed-point branches and their stability G"
echo "  validation/validation.csv, .md   DMFT against N = $sizes ($realizations networks each)"
echo "  validation/output_gated/         C_h(tau) per N (correlations.csv) and its plot C_h.png"
echo "  simulate.json, simulate/         N = 1000 with lambda_max"
echo "Every JSON object and CSV header records the parameters, seed, version and command line."
