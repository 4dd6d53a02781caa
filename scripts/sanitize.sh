#!/usr/bin/env bash
# The slower checks CI runs after the README's test command:
#  1. the whole test suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#     (the `debug` preset), every label, real servers included;
#  2. the unit tests — the writer, reader and pool concurrency tests among them —
#     built with ThreadSanitizer (the `tsan` preset).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all
jobs="${MINITWIT_BUILD_JOBS:-$(nproc)}"

echo "sanitize: ASan + UBSan, whole suite"
scripts/build.sh debug
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --preset debug -j "$(nproc)" --timeout 900 --no-tests=error

echo "sanitize: ThreadSanitizer, unit tests"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" build/tsan/tests/unit_tests
