#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan, UBSan) and runs each
# for SECONDS (default 30), starting from the seed corpora in tests/fuzz/corpus. New
# inputs are kept in build/fuzz/corpus; crashes are written to build/fuzz/crashes and
# fail the run. For a long hunt: scripts/fuzz.sh 14400 (four hours per target).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
scripts/install-deps.sh fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${MINITWIT_BUILD_JOBS:-$(nproc)}"
mkdir -p build/fuzz/crashes
status=0
for target in fuzz_request_target fuzz_simulator_api fuzz_session_cookie fuzz_event_decoding; do
  corpus="build/fuzz/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${seconds}s"
  if ! build/fuzz/tests/fuzz/$target "$corpus" "tests/fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="build/fuzz/crashes/$target-" -print_final_stats=1 2>&1 | tail -n 12; then
    echo "fuzz: $target FAILED (see build/fuzz/crashes)"
    status=1
  fi
done
rm -rf /tmp/minitwit-fuzz-*
exit $status
