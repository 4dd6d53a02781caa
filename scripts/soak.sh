#!/usr/bin/env bash
# The soak: MiniTwit-ES under a steady mixed load (reads and writes) at half its
# measured maximum throughput for 10 minutes (SOAK_SECONDS), after a warm-up at the same
# rate (SOAK_WARMUP, 3 minutes) in which RocksDB's bounded caches fill to their caps
# (block cache 128 MiB, memtables 64 MiB; flushed blocks go straight into the cache).
# Resident memory is sampled every 10 s, with what those caches hold and what the
# program has allocated (jemalloc's count), from /metrics.
# Passes when no request of the whole run failed in any way (status, slower than the
# simulator's 0.3 s, connection), the block cache was at least 90 % full when the
# measured window began (else the warm-up was too short to tell a leak from a filling
# cache), and resident memory stayed flat: no sample of the window more than 10 % above
# the window's first. Prints the samples and a summary line.
#   scripts/soak.sh [--no-build]          (not part of CI: it takes 13 minutes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/bench-lib.sh
bin="$root/build/release/bin"
seconds="${SOAK_SECONDS:-600}"
warmup="${SOAK_WARMUP:-180}"
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
common=(--workload mixed --target "$api" --users 1000 --connections 64 --json "$work/results.ndjson")

"$bin/minitwit-loadgen" run "${common[@]}" --duration 20 --warmup 3 --name "soak: maximum"
total_of_last() { tail -1 "$work/results.ndjson" | grep -o "\"$1\":[^,}]*[,}]\?" | head -1; }  # the total comes first
max=$(total_of_last throughput_rps | tr -d ',}' | cut -d: -f2 | awk '{ printf "%.0f", $1 }')  # JSON may say 1.2E4
rate=$(( max / 2 ))
echo "maximum $max req/s: soaking at $rate req/s, $warmup s of warm-up then $seconds s measured" >&2

"$bin/minitwit-loadgen" run "${common[@]}" --rate "$rate" --duration $((warmup + seconds)) --warmup 0 \
  --name "soak" --fail-on-errors >"$work/soak.txt" &
load=$!
: >"$work/samples"
mib() { awk -v n="$1" '$1 == n { printf "%d", $2 / 1048576 }' <<<"$metrics"; }  # mib NAME: from $metrics
for ((t = -warmup; t < seconds; t += 10)); do
  metrics=$(http_get "$admin" /metrics)
  rss=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$server/status")
  echo "$t $rss $(mib minitwit_rocksdb_block_cache_bytes) $(mib minitwit_rocksdb_block_cache_capacity_bytes)" \
    "$(mib minitwit_rocksdb_memtable_bytes) $(mib minitwit_allocator_allocated_bytes)" >>"$work/samples"
  sleep 10
done
status=0
wait "$load" || status=$?
cat "$work/soak.txt"
# Synced writes slower than 0.3 s: a stall in the writer shows here.
http_get "$admin" /metrics | grep -E '^minitwit_writer_fsync_duration_seconds_(bucket\{le="0.3"\}|count) ' |
  awk '/le=/ { fast = $NF } /_count/ { all = $NF } END { printf "synced writes: %d, slower than 0.3 s: %d\n", all, all - fast }'
echo "seconds (negative: warm-up), resident MiB, block cache MiB, its capacity MiB, memtables MiB, allocated MiB:"
cat "$work/samples"
# Also shown, not judged: allocated bytes beyond the two caches at the window's start and
# end (a leak shows there first; the memtables swing by tens of MiB between flushes).
# (Without jemalloc there is no such count: n/a.)
verdict=$(awk 'function beyond() { return NF >= 6 ? $6 - $3 - $5 : "n/a" }
               $1 >= 0 && !first { first = $2; filled = $3 * 100 / $4; a0 = beyond() }
               $1 >= 0 && $2 > top { top = $2 } $1 >= 0 { a1 = beyond() }
               END { growth = first ? (top - first) * 100 / first : 100
                     printf "%s %d %d %.1f %d %s %s", (growth <= 10 ? "flat" : "GROWING"), first, top, growth, filled, a0, a1 }' "$work/samples")
read -r shape first top growth filled beyond0 beyond1 <<<"$verdict"
errors=$(tail -1 "$work/results.ndjson" | grep -o '"errors":{[^}]*}' | head -1)
echo "soak: ${warmup} s warm-up + ${seconds} s at $rate req/s (half of $max), errors $errors;" \
  "block cache ${filled} % full at the start; resident memory ${first} MiB at the start, at most ${top} MiB (+${growth} %): $shape;" \
  "allocated beyond the caches ${beyond0} MiB at the start, ${beyond1} MiB at the end"
[ "$filled" -ge 90 ] || echo "the warm-up did not fill the block cache: raise SOAK_WARMUP" >&2
[ "$status" = 0 ] && [ "$shape" = flat ] && [ "$filled" -ge 90 ]
