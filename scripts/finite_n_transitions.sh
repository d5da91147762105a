#!/usr/bin/env bash
# Finite-N confirmation of the discontinuous transition at alpha_r = 10, tau_r = 0 (THEORY.md 6):
#  1. bistability at g_h = 1.9 (the zero fixed point is stable, g_h sigma_r(0) = 0.95, and the DMFT has
#     a chaotic solution): starts near zero land on the fixed point, large starts stay chaotic;
#  2. transient chaos at g_h = 1.87, 0.6% above the DMFT onset g_chaos = 1.8593: the lifetime of the
#     chaotic state against N (censored at t_max), and whether it grows exponentially with N;
#  3. input-induced chaos at g_h = 1.75 (stable, no chaotic DMFT solution at s = 0; chaotic at s = 0.2):
#     lambda_max of the same networks without and with the quenched input.
# Results go under $1 (default results/finite_n_transitions); scripts/finite_n_transitions.py tabulates
# them. Sizes and counts can be set from the environment (FNT_SIZES, FNT_NETWORKS, FNT_T_MAX).
set -euo pipefail
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}  # threads sleep while waiting when cores are shared
cd "$(dirname "$0")/.."
out=${1:-results/finite_n_transitions}
bin=build/gdmft
py=/usr/bin/python3
[ -x "$py" ] || py=python3
mkdir -p "$out"
point=(--alpha-r 10 --tau-r 0)
sizes=${FNT_SIZES:-250 500 1000 2000 4000}
t_max=${FNT_T_MAX:-1500}

run_to() {  # run_to FILE CMD...: stdout of CMD to FILE, whole
    local file=$1 tmp
    shift
    tmp="$(dirname "$file")/.$(basename "$file").tmp.$$"
    if "$@" > "$tmp"; then mv -f "$tmp" "$file"; else local rc=$?; rm -f "$tmp"; return "$rc"; fi
}

echo "== bistability at g_h = 1.9, N = 1000: small and large starts" >&2
for init in 0.01 2; do
    run_to "$out/bistable_init$init.json" "$bin" fate "${point[@]}" --g-h 1.9 --N 1000 --networks 4 \
        --trajectories 2 --init-std "$init" --t-max 300 --dt 0.2 --seed 7 --float32 --json
done

echo "== transient chaos at g_h = 1.87: lifetime against N" >&2
for N in $sizes; do
    # Fewer networks at large N (the cost per time unit grows like N^2).
    nets=${FNT_NETWORKS:-$(( N <= 500 ? 8 : (N <= 2000 ? 4 : 2) ))}
    tm=$(( N >= 4000 ? t_max * 2 / 3 : t_max ))
    run_to "$out/lifetime_N$N.json" "$bin" fate "${point[@]}" --g-h 1.87 --N "$N" --networks "$nets" \
        --trajectories 4 --init-std 2 --t-max "$tm" --dt 0.2 --seed 11 --float32 --json
done

echo "== input-induced chaos at g_h = 1.75, N = 1000: s = 0 and s = 0.2, same networks" >&2
for s in 0 0.2; do
    run_to "$out/input_s$s.json" "$bin" simulate "${point[@]}" --g-h 1.75 --input-std "$s" --N 1000 \
        --realizations 4 --t-max 600 --t-burn 200 --lyapunov --seed 5 --float32 --json
    run_to "$out/input_s${s}_dmft.json" "$bin" solve "${point[@]}" --g-h 1.75 --input-std "$s" --lyapunov --json
done

"$py" scripts/finite_n_transitions.py "$out"
