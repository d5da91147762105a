#!/usr/bin/env bash
# Shared setup for ./run and ./test: install missing Debian packages, configure and build build/ (Release).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(cmake g++ make libboost-dev libfftw3-dev libgsl-dev libeigen3-dev doctest-dev
          libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libopenmpi-dev openmpi-bin
          python3 python3-matplotlib python3-numpy)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: missing packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >&2
cmake --build build -j "$jobs" >&2
