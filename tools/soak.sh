#!/usr/bin/env bash
# The soak: MiniTwit-ES under a steady mixed load (reads and writes) at half its
# measured maximum throughput for 10 minutes (SOAK_SECONDS), sampling its resident
# memory every 10 s, and from /metrics what RocksDB's bounded caches hold (block cache,
# 128 MiB at most; memtables, 64 MiB at most), which fill up as the writes grow the
# database. Passes when there is no error of any kind and the memory beyond those caches
# stays flat: after a minute of warm-up, the mean of the last third of the samples at
# most 10 % above the mean of the first third. Prints the samples and a summary line.
#   tools/soak.sh [--no-build]          (not part of CI: it takes the 10 minutes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source tools/bench-lib.sh
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
admin=$(grep -o ' admin=[^ ]*' "$work/server.out" | cut -d= -f2)
metric() {  # metric NAME: its value in MiB, from the admin listener's /metrics
  http_get "$admin" /metrics | awk -v n="$1" '$1 == n { printf "%d", $2 / 1048576 }'
}
common=(--workload mixed --target "$api" --users 1000 --connections 64 --json "$work/results.ndjson")

"$bin/minitwit-loadgen" run "${common[@]}" --duration 20 --warmup 3 --name "soak: maximum"
total_of_last() { tail -1 "$work/results.ndjson" | grep -o "\"$1\":[^,}]*[,}]\?" | head -1; }  # the total comes first
max=$(total_of_last throughput_rps | tr -d ',}' | cut -d: -f2)
rate=$(awk -v m="$max" 'BEGIN { printf "%.0f", m / 2 }')
echo "maximum $max req/s: soaking at $rate req/s for $seconds s" >&2

"$bin/minitwit-loadgen" run "${common[@]}" --rate "$rate" --duration "$seconds" --warmup 0 --name "soak" \
  --fail-on-errors >"$work/soak.txt" &
load=$!
: >"$work/rss"
for ((t = 0; t < seconds; t += 10)); do
  rss=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$server/status")
  caches=$(( $(metric minitwit_rocksdb_block_cache_bytes) + $(metric minitwit_rocksdb_memtable_bytes) ))
  echo "$t $rss $caches $((rss - caches))" >>"$work/rss"
  sleep 10
done
status=0
wait "$load" || status=$?
cat "$work/soak.txt"
# Synced writes slower than 0.3 s: a stall in the writer shows here.
http_get "$admin" /metrics | grep -E '^minitwit_writer_fsync_duration_seconds_(bucket\{le="0.3"\}|count) ' |
  awk '/le=/ { fast = $NF } /_count/ { all = $NF } END { printf "synced writes: %d, slower than 0.3 s: %d\n", all, all - fast }'
echo "seconds, resident MiB, RocksDB caches MiB, resident beyond the caches MiB:"
cat "$work/rss"
# Flat: the mean of the last third of the samples (after the first minute) at most 10 %
# above the mean of the first third; a leak grows steadily, allocator noise does not.
verdict=$(awk '$1 >= 60 { n++; beyond[n] = $4; if ($2 > rss) rss = $2 }
               END { k = int(n / 3); for (i = 1; i <= k; i++) { a += beyond[i]; b += beyond[n - k + i] }
                     a = k ? a / k : 0; b = k ? b / k : 0; growth = a ? (b - a) * 100 / a : 100;
                     printf "%s %d %d %.1f %d", (k && growth <= 10 ? "flat" : "GROWING"), a, b, growth, rss }' "$work/rss")
read -r shape first top growth rss_top <<<"$verdict"
errors=$(tail -1 "$work/results.ndjson" | grep -o '"errors":{[^}]*}' | head -1)
echo "soak: ${seconds} s at $rate req/s (half of $max), errors $errors; resident memory at most ${rss_top} MiB;" \
  "beyond RocksDB's bounded caches ${first} MiB on average in the first third, ${top} MiB in the last (${growth} %): $shape"
[ "$status" = 0 ] && [ "$shape" = flat ]
