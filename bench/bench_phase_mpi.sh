#!/bin/bash
# mpirun -np 2 against serial for `gdmft phase` (a Gaussian-closure (g_h, alpha_r) diagram at tau_r = 0).
# Usage: bench/bench_phase_mpi.sh [BUILD_DIR [N]]   (default build, N = 21). Prints the wall times and the
# ratios; the tables of the three runs must be identical (checked with cmp).
set -euo pipefail
build=${1:-build}
n=${2:-21}
gdmft=$(realpath "$build/gdmft")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args="phase --x g_h:1:4:$n --y alpha_r:0:20:$n --tau-r 0 --quiet --no-plot"

run() {  # name, launcher prefix, extra args
    local start end
    start=$(date +%s.%N)
    (cd "$tmp" && $2 "$gdmft" $args --out d $3 >/dev/null)
    end=$(date +%s.%N)
    mv "$tmp/d/phase.csv" "$tmp/$1.csv"
    rm -rf "$tmp/d"
    echo "$end - $start" | bc
}

t1=$(run serial "" "--threads 1")
t2=$(run openmp "" "--threads 2")
if command -v mpirun >/dev/null; then
    tm=$(run mpi "mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2" "--threads 1")
else
    tm=nan
fi
echo "phase $n x $n: serial (1 thread) ${t1} s; 1 process x 2 threads ${t2} s; mpirun -np 2 x 1 thread ${tm} s"
echo "ratios serial/openmp2 = $(echo "$t1 / $t2" | bc -l | cut -c1-5), serial/mpi2 = $(echo "$t1 / $tm" | bc -l | cut -c1-5)"
# The header's command_line differs (--threads); everything else must be identical.
same() { cmp <(grep -v '^# command_line' "$1") <(grep -v '^# command_line' "$2"); }
same "$tmp/serial.csv" "$tmp/openmp.csv" && echo "serial and 2-thread tables identical"
[ -f "$tmp/mpi.csv" ] && same "$tmp/serial.csv" "$tmp/mpi.csv" && echo "serial and mpirun -np 2 tables identical"
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores)"
