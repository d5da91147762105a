#!/usr/bin/env bash
# The main job (called by ./run after the build): where the output gate makes chaos discontinuous, and
# how well the theory holds at finite N. It writes, under results/ (or the directory given as $1):
#  1. the (g_h, alpha_r) phase diagram at tau_r = 0 (40 x 41, labels stable / chaotic / bistable; 40
#     points in g_h keep g_h = 2, where G = 1 exactly and the point is unresolved, off the grid), with
#     the transition lines traced by continuation drawn over it, and the thresholds where they change
#     order (THEORY.md section 6: alpha_r g_r = 2 sqrt 2 and 2 sqrt 3) located on them (phase/);
#  2. the transitions along g_h at alpha_r = 10 (transitions/): g_zero_unstable, g_fp, g_chaos, the jumps;
#  3. the gradient map over (g_h, alpha_r): the growth rate of the adjoint (exploding, vanishing or
#     marginal gradients over a horizon of 60 tau_h), and the gradient profile at the point of step 4;
#  4. the validation table of the output-gated point g_h = 3, alpha_r = 4, tau_r = 0 (THEORY.md 8:
#     C_h0 = 1.198): the DMFT against networks of N = 500, 1000, 2000, next to the ungated network.
# Tables come as CSV, Markdown and LaTeX (booktabs); plots as PNG. Each file is written whole.
# Sizes, networks and run lengths of step 3 can be set from the environment (MAIN_SIZES,
# MAIN_REALIZATIONS, MAIN_T_MAX, MAIN_T_BURN). Plots need Debian's python3-matplotlib (scripts/setup.sh).
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
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}  # OpenMP threads sleep while waiting (shared cores)

# A previous run's phase sweep: this run computes it again (phase refuses to mix two sweeps).
rm -rf "$out/phase"
echo "== gdmft boundary --x alpha_r:0:20 --y g_h --tau-r 0 -> $out/phase/boundary.csv" >&2
run_to "$out/boundary.json" "$bin" boundary --x alpha_r:0:20 --y g_h --tau-r 0 --points 41 --out "$out/phase" --json

echo "== gdmft phase --x g_h:1:3:40 --y alpha_r:0:20:41 --tau-r 0 -> $out/phase/" >&2
run_to "$out/phase.json" "$bin" phase --x g_h:1:3:40 --y alpha_r:0:20:41 --tau-r 0 --latex --out "$out/phase" --json

echo "== gdmft transitions --scan g_h:1:3 --alpha-r 10 --tau-r 0 -> $out/transitions/" >&2
run_to "$out/transitions.json" "$bin" transitions --scan g_h:1:3 --alpha-r 10 --tau-r 0 --latex \
    --out "$out/transitions" --json
rm -rf "$out/gradient_map"
echo "== gdmft gradient --x g_h:1.05:4.05:31 --y alpha_r:0:20:11 --tau-r 0 --horizon 60 -> $out/gradient_map/" >&2
run_to "$out/gradient_map.json" "$bin" gradient --x g_h:1.05:4.05:31 --y alpha_r:0:20:11 --tau-r 0 --horizon 60 \
    --dt 0.2 --out "$out/gradient_map" --json

echo "== gdmft gradient ${point[*]} (adjoint DMFT) -> $out/gradient.json, $out/gradient/" >&2
run_to "$out/gradient.json" "$bin" gradient "${point[@]}" --json --out "$out/gradient"

echo "== gdmft solve ${point[*]} --lyapunov -> $out/solve.json, $out/solve/" >&2
run_to "$out/solve.json" "$bin" solve "${point[@]}" --lyapunov --json --out "$out/solve"

echo "== gdmft solve --lyapunov (ungated default, for contrast) -> $out/solve_ungated.json" >&2
run_to "$out/solve_ungated.json" "$bin" solve --lyapunov --json --out "$out/solve_ungated"

echo "== gdmft fixedpoint ${point[*]} -> $out/fixedpoint.json" >&2
run_to "$out/fixedpoint.json" "$bin" fixedpoint "${point[@]}" --json

echo "== gdmft validate --points output_gated (N = $sizes, $realizations networks each) -> $out/validation/" >&2
run_to "$out/validation.json" "$bin" validate --points output_gated --sizes "$sizes" \
    --realizations "$realizations" --t-max "$t_max" --t-burn "$t_burn" --corr-times 20 --float32 \
    --latex --json --out "$out/validation"

echo "== gdmft simulate ${point[*]} --N 1000 --lyapunov -> $out/simulate.json" >&2
run_to "$out/simulate.json" "$bin" simulate "${point[@]}" --N 1000 --t-max 150 --t-burn 50 \
    --float32 --lyapunov --json --out "$out/simulate"

echo "== summary table and plot -> $out/summary.txt, $out/gating.png" >&2
echo
"$py" scripts/main_job_table.py "$out"
echo
echo "Done in $((SECONDS - start)) s. Results in $out/:"
echo "  summary.txt                      the summary above"
echo "  phase/phase.png, phase.csv       (g_h, alpha_r) phase diagram with the traced transition lines"
echo "  phase/phase_summary.md, .tex     label counts (Markdown, LaTeX); phase/boundary.csv the lines"
echo "  transitions/transitions.png      C_h0 and lambda_max against g_h at alpha_r = 10, thresholds marked"
echo "  transitions/transitions.md, .tex, .csv      the thresholds and the scan table"
echo "  gradient_map/gradient_map.png    growth rate of the gradient over (g_h, alpha_r); gradient_map.csv"
echo "  gradient/gradient.png, .csv      |a_h|^2/N before the horizon and the gradient sizes at g_h = 3, alpha_r = 4"
echo "  gating.png                       C_h(tau): DMFT against the networks, and the ungated DMFT"
echo "  validation/validation.md, .tex, .csv        DMFT against N = $sizes ($realizations networks each)"
echo "  solve.json, solve_ungated.json, fixedpoint.json, simulate.json   the single runs"
echo "Every JSON object and CSV header records the parameters, seed, version and command line."
