#!/bin/sh
# Build scripts/step_bias.cpp against the libraries of a configured and built build directory.
# Usage: scripts/step_bias.sh BUILD_DIR   (needs the gdmft target built there; writes BUILD_DIR/step_bias)
# Run: gdmft solve --alpha-z 5 --out DIR && BUILD_DIR/step_bias DIR/correlations.csv [paths] [dt_f] ...
set -e
B=${1:?usage: step_bias.sh BUILD_DIR}
S=$(cd "$(dirname "$0")/.." && pwd)
g++ -std=c++20 -O3 -march=native -DNDEBUG -DEIGEN_DONT_PARALLELIZE -DEIGEN_MAX_ALIGN_BYTES=64 -fopenmp -I"$S" -I/usr/include/eigen3 \
    "$S/scripts/step_bias.cpp" -o "$B/step_bias" \
    "$B/libgdmft_dmft.a" "$B/libgdmft_numerics.a" -lgsl -lgslcblas -lfftw3f -lfftw3 -lm
