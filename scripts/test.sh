#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a tested build: installs the
# dependencies, builds the release preset and runs every test with ctest. Integration
# tests start the real minitwit-server on free ports with temporary data directories
# and stop it themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all
scripts/build.sh release
ctest --preset release -j "$(nproc)" --timeout 300 --no-tests=error
