#!/usr/bin/env bash
# Sigma(g_h) next to lambda_max(g_h) and C_h0(g_h) at alpha_r = 0 (SCS limit with the gate constant:
# all onsets at g_h sigma_r(0) = 1). Results under $1 (default results/complexity_vs_chaos).
# The gated case (alpha_r = 10, where the onsets should come apart) needs the gated Kac-Rice complexity,
# which `gdmft complexity` does not compute yet.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/complexity_vs_chaos}
py=/usr/bin/python3
[ -x "$py" ] || py=python3
mkdir -p "$out/complexity"
build/gdmft complexity --scan g_h:1:6 --points 101 --tau-r 0 --out "$out/complexity" --json > "$out/complexity/.c.json.tmp"
mv -f "$out/complexity/.c.json.tmp" "$out/complexity/complexity.json"
build/gdmft transitions --scan g_h:1:6 --points 101 --tau-r 0 --out "$out/transitions" --no-plot --quiet > /dev/null
"$py" scripts/complexity_vs_chaos.py "$out/complexity" "$out/transitions" "$out/complexity_vs_chaos.png"
echo "wrote $out/complexity_vs_chaos.png"
