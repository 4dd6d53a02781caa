#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server: installs the build
# dependencies, builds the release preset and starts minitwit-server with its data in
# ./data (override with MINITWIT_DATA_DIR or --data-dir). Extra arguments go to the
# server, e.g. scripts/run.sh --api-listen 127.0.0.1:5001
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
MINITWIT_BUILD_TARGETS="minitwit-server minitwit-admin minitwit-replay" scripts/build.sh release
exec build/release/bin/minitwit-server --data-dir "${MINITWIT_DATA_DIR:-./data}" "$@"
