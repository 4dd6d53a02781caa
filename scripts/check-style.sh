#!/usr/bin/env bash
# The habits CI checks (after the tests): every C++ file of the project formatted as
# .clang-format says (any difference fails, and is shown), and clang-tidy's chosen checks
# (.clang-tidy) clean on every translation unit of the project. clang-tidy reads the
# compile commands of a configure-only clang build in build/tidy (no precompiled
# headers, nothing is compiled). Usage: scripts/check-style.sh [--fix-format]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/fuzz/corpus/')
if [ "${1:-}" = --fix-format ]; then
  clang-format -i "${sources[@]}"
  exit 0
fi

echo "check-style: clang-format over ${#sources[@]} files"
if ! clang-format --dry-run --Werror "${sources[@]}"; then
  echo "check-style: files above are not formatted: run scripts/check-style.sh --fix-format" >&2
  exit 1
fi

# ctest's test discovery splits a doctest name at ';' into names that match no test,
# which then "pass" without running anything.
if grep -rnE 'TEST_CASE\("[^"]*;' tests/; then
  echo "check-style: a test name above contains ';' (ctest would run nothing for it)" >&2
  exit 1
fi

echo "check-style: clang-tidy"
cmake -S . -B build/tidy -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DMINITWIT_JEMALLOC=OFF >/dev/null
# The embedded templates are generated at build time: generate them, compile nothing else.
cmake --build build/tidy --target http/embedded_templates.cpp >/dev/null
folders='core|storage|projections|app|cluster|observability|http|server|tools|tests'
run-clang-tidy -p build/tidy -quiet -j "$(nproc)" -header-filter="^$PWD/($folders)/" \
  "^$PWD/($folders)/.*\.cpp$" >build/tidy/report.txt 2>&1 || true
if grep -qE '(warning|error): ' build/tidy/report.txt; then
  grep -E -A3 '(warning|error): ' build/tidy/report.txt | head -n 200 >&2
  echo "check-style: clang-tidy found the above (whole report: build/tidy/report.txt)" >&2
  exit 1
fi
echo "check-style: clean"
