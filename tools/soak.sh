#!/usr/bin/env bash
# The soak: MiniTwit-ES under a steady mixed load (reads and writes) at half its
# measured maximum throughput for 10 minutes (SOAK_SECONDS), sampling its resident
# memory every 10 s. Passes when there is no error of any kind and resident memory
# stays flat: the highest sample at most 10 % above the first one taken after a minute
# of warm-up. Prints the samples and a summary line for BENCHMARKS.md.
#   tools/soak.sh [--no-build]          (not part of CI: it takes the 10 minutes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="$root/build/release/bin"
seconds="${SOAK_SECONDS:-600}"
if [ "${1:-}" != --no-build ]; then
  scripts/install-deps.sh build
  MINITWIT_BUILD_TARGETS="minitwit-server minitwit-loadgen" scripts/build.sh release
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/minitwit-soak.XXXXXX")"
server=""
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$bin/minitwit-loadgen" seed --data-dir "$work/data" --users 1000 --messages 10000 --follows 20000
"$bin/minitwit-server" --data-dir "$work/data" --api-listen 127.0.0.1:0 --web-listen 127.0.0.1:0 \
  --admin-listen 127.0.0.1:0 --log-file "$work/server.log" >"$work/server.out" 2>&1 &
server=$!
until grep -q 'listening api=' "$work/server.out"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.out" >&2; exit 1; }
  sleep 0.05
done
api=$(grep -o 'listening api=[^ ]*' "$work/server.out" | cut -d= -f2)
common=(--workload mixed --target "$api" --users 1000 --connections 64 --json "$work/results.ndjson")

"$bin/minitwit-loadgen" run "${common[@]}" --duration 20 --warmup 3 --name "soak: maximum"
max=$(grep -o '"throughput_rps":[0-9.]*' "$work/results.ndjson" | tail -1 | cut -d: -f2)
rate=$(awk -v m="$max" 'BEGIN { printf "%.0f", m / 2 }')
echo "maximum $max req/s: soaking at $rate req/s for $seconds s" >&2

"$bin/minitwit-loadgen" run "${common[@]}" --rate "$rate" --duration "$seconds" --warmup 0 --name "soak" \
  --fail-on-errors >"$work/soak.txt" &
load=$!
: >"$work/rss"
for ((t = 0; t < seconds; t += 10)); do
  awk -v t="$t" '/VmRSS/ { printf "%d %d\n", t, $2 / 1024 }' "/proc/$server/status" >>"$work/rss"
  sleep 10
done
status=0
wait "$load" || status=$?
cat "$work/soak.txt"
echo "resident memory (s MiB):" && paste -sd' ' "$work/rss"
verdict=$(awk '$1 >= 60 { if (!first) first = $2; if ($2 > top) top = $2 }
               END { growth = first ? (top - first) * 100 / first : 100;
                     printf "%s %d %d %.1f", (growth <= 10 ? "flat" : "GROWING"), first, top, growth }' "$work/rss")
read -r shape first top growth <<<"$verdict"
errors=$(grep -o '"errors":{[^}]*}' "$work/results.ndjson" | tail -1)
echo "soak: ${seconds} s at $rate req/s (half of $max), errors $errors, resident memory ${first} MiB after 1 min," \
  "${top} MiB at most (+${growth} %): $shape"
[ "$status" = 0 ] && [ "$shape" = flat ]
