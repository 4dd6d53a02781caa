#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release). Executables end up in
# build/<preset>/bin. Usage: scripts/build.sh [release|debug] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
cmake --preset "$preset" "$@" >/dev/null
jobs="${MINITWIT_BUILD_JOBS:-$(nproc)}"
cmake --build --preset "$preset" -j "$jobs"
