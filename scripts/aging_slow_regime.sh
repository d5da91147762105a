#!/usr/bin/env bash
# The ageing runs of docs/aging.md at g_h = 3, alpha_z = 5, tau_z = tau_r = 0: finite networks of
# N = 1000 (8 networks) and N = 2000 (2 x 2 networks, seeds 1 and 2, pooled) from the random start at
# t_w = 30, 100, 300, 1000 with lags to 1000, and the transient DMFT from the same start (dt = 0.2 to
# t = 500; dt = 0.5 to t = 2000). Writes OUT/<run>/ and OUT/<run>.json, then the tables and aging.png.
# Usage: scripts/aging_slow_regime.sh [OUT]   (about 17 min on one core; one run at a time, each < 5 min)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/aging_slow_regime}
mkdir -p "$out"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
model="--g-h 3 --alpha-z 5 --tau-z 0 --tau-r 0"
lags="--aging-min-lag 1 --aging-lags 25"
net="simulate $model --dt 0.1 --float32 --waiting-times 30,100,300,1000 --max-lag 1000 $lags --json"
# shellcheck disable=SC2086
{
  build/gdmft $net --N 1000 --realizations 8 --seed 1 --out "$out/N1000" > "$out/N1000.json"
  build/gdmft $net --N 2000 --realizations 2 --seed 1 --out "$out/N2000_s1" > "$out/N2000_s1.json"
  build/gdmft $net --N 2000 --realizations 2 --seed 2 --out "$out/N2000_s2" > "$out/N2000_s2.json"
  build/gdmft transient $model --start network --no-reference --t-burn 1 --t-before 0 --paths 2000 --random-sets 4 \
    --dt 0.2 --horizon 499 --waiting-times 10,30,100 $lags --json --out "$out/dmft_dt02" > "$out/dmft_dt02.json"
  build/gdmft transient $model --start network --no-reference --t-burn 1 --t-before 0 --paths 2000 --random-sets 4 \
    --dt 0.5 --horizon 1999 --waiting-times 10,30,100,300,1000 --max-lag 1000 $lags --json \
    --out "$out/dmft_dt05" > "$out/dmft_dt05.json"
}
/usr/bin/python3 scripts/aging_table.py --taus 3,10,30,100,300,1000 "$out"/dmft_dt02.json "$out"/dmft_dt05.json \
  "$out"/N1000.json "$out"/N2000_s1.json "$out"/N2000_s2.json
/usr/bin/python3 scripts/plot_aging.py "$out/aging.png" "$out/dmft_dt05/aging.csv" "$out/N1000/aging.csv" \
  "$out/N2000_s1/aging.csv"
