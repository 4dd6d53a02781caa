#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release). Executables end up in
# build/<preset>/bin. Usage: scripts/build.sh [release|debug] [extra cmake args...]
# MINITWIT_BUILD_TARGETS="a b" builds only those targets (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
cmake --preset "$preset" "$@" >/dev/null
jobs="${MINITWIT_BUILD_JOBS:-$(nproc)}"
targets=()
for t in ${MINITWIT_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build --preset "$preset" -j "$jobs" "${targets[@]}"
