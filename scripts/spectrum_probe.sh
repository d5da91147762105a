#!/bin/sh
# Build scripts/spectrum_probe.cpp against the libraries of a configured and built build directory.
# Usage: scripts/spectrum_probe.sh BUILD_DIR   (needs the gdmft target built there; writes BUILD_DIR/spectrum_probe)
# Run: BUILD_DIR/spectrum_probe N=1000 seed=1 g_h=3 alpha_z=5 [alpha_r=.. tau_z=.. tau_r=.. t_burn=.. fresh=.. shuffle=..]
set -e
B=${1:?usage: spectrum_probe.sh BUILD_DIR}
S=$(cd "$(dirname "$0")/.." && pwd)
g++ -std=c++20 -O3 -march=native -DNDEBUG -DEIGEN_DONT_PARALLELIZE -DEIGEN_MAX_ALIGN_BYTES=64 -fopenmp -I"$S" -I/usr/include/eigen3 \
    "$S/scripts/spectrum_probe.cpp" -o "$B/${2:-spectrum_probe}" \
    "$B/libgdmft_validation.a" "$B/libgdmft_dmft.a" "$B/libgdmft_numerics.a" -lgsl -lgslcblas -lfftw3 -lm
