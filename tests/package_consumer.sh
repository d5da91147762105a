#!/usr/bin/env bash
# ctest package_consumer: the installed CMake package works from outside. Installs this build into a
# prefix under it, configures and builds examples/ as a separate project that finds gdmft there
# (find_package(gdmft)), and runs the program.
# Usage: package_consumer.sh CMAKE BUILD_DIR EXAMPLES_DIR [CXX_COMPILER]
set -euo pipefail
cmake=$1 build=$2 examples=$3 cxx=${4:-}
work=$build/package_consumer
rm -rf "$work"
mkdir -p "$work"

echo "== install into $work/prefix"
"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log"
test -f "$work/prefix/include/gdmft/dmft/solve.hpp"

echo "== configure examples/ against it"
args=(-S "$examples" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix"
      -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
[ -n "$cxx" ] && args+=(-DCMAKE_CXX_COMPILER="$cxx")
"$cmake" "${args[@]}"
# It must have found the installed package, not a source or build tree.
grep -qx "gdmft_DIR:PATH=$work/prefix/.*" "$work/build/CMakeCache.txt"

echo "== build"
"$cmake" --build "$work/build" -j 2

echo "== run"
"$work/build/solve_point"
