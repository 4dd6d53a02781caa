#!/usr/bin/env bash
# The benchmark suite, in ONE run: builds minitwit-server, the ceiling server (a trivial
# Beast server, the HTTP ceiling of this machine) and minitwit-loadgen; seeds datasets
# through the writer; runs every workload against MiniTwit-ES and the ceiling with the
# same client and connections; replays a 100 000-action simulator scenario; measures
# registrations (and that a burst of them does not slow other requests), the flat cost
# of reads on a 10-million-message dataset against a 10 000-message one, start-up time,
# resident memory and projection rebuild speed. Writes the tables into BENCHMARKS.md
# (between the generated markers) and the chart into docs/benchmarks.svg.
#
#   scripts/benchmark.sh                 everything (the large dataset, 1M users, 10M messages
#                                      and 20M follows, takes about an hour to seed here; it
#                                      is kept in $MINITWIT_BENCH_BIG, default ./bench-data/big,
#                                      and a dataset already there is used as it is)
#   scripts/benchmark.sh --skip-big      everything but the 10-million-message dataset
#   scripts/benchmark.sh --smoke         seconds: tiny datasets, short runs, output in a
#                                      temporary directory; asserts that it all works
#                                      (CI runs this), never how fast
#   --no-build --bin-dir DIR           use already built binaries (the smoke test does)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/bench-lib.sh

smoke=0 big=1 build=1 bin="$root/build/release/bin"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; big=0 ;;
    --skip-big) big=0 ;;
    --no-build) build=0 ;;
    --bin-dir) bin="$2"; shift ;;
    *) echo "usage: $0 [--smoke] [--skip-big] [--no-build] [--bin-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$build" = 1 ]; then
  scripts/install-deps.sh build
  MINITWIT_BUILD_TARGETS="minitwit-server minitwit-ceiling minitwit-loadgen minitwit-replay" scripts/build.sh release
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/minitwit-bench.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
results="$work/results.ndjson"
: >"$results"

if [ "$smoke" = 1 ]; then
  duration=1 warmup=0.2 conns=16 users=50 messages=500 follows=1000 actions=2000 scenario_users=40
  rate=200 register_conns=2 rebuild_messages=2000 replay_rate=1000
  markdown="$work/BENCHMARKS.md" svg="$work/benchmarks.svg"
else
  duration=10 warmup=2 conns=64 users=1000 messages=10000 follows=20000 actions=100000 scenario_users=1000
  rate=2000 register_conns=8 rebuild_messages=1000000 replay_rate=2000
  markdown="$root/BENCHMARKS.md" svg="$root/docs/benchmarks.svg"
  mkdir -p "$root/docs"
fi
big_dir="${MINITWIT_BENCH_BIG:-$root/bench-data/big}"  # seeded once, kept: ~1 h on 2 cores

say() { printf '\n== %s\n' "$*" >&2; }
figure() {  # figure NAME VALUE UNIT TARGET MET(true|false|null)
  printf '{"figure":"%s","value":%s,"unit":"%s","target":"%s","met":%s}\n' "$1" "$2" "$3" "$4" "$5" >>"$results"
}
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<") ? (v < t) : (v >= t); print ok ? "true" : "false" }'; }
now_ms() { date +%s%3N; }

# start NAME COMMAND...: starts a server, waits for its "listening" line, sets $addr
# (its api address), $web (its web address, if any), $pid and $startup_ms.
start() {
  local name="$1" out="$work/$1.out"; shift
  local t0; t0=$(now_ms)
  "$@" >"$out" 2>&1 &
  pid=$!
  pids+=("$pid")
  until grep -q 'listening api=' "$out"; do
    kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; echo "$name did not start" >&2; exit 1; }
    sleep 0.01
  done
  startup_ms=$(( $(now_ms) - t0 ))
  addr=$(grep -o 'listening api=[^ "]*' "$out" | head -1 | cut -d= -f2)
  web=$(grep -o ' web=[^ "]*' "$out" | head -1 | cut -d= -f2 || true)
  admin=$(grep -o ' admin=[^ "]*' "$out" | head -1 | cut -d= -f2 || true)
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }
start_minitwit() {  # start_minitwit NAME DATA_DIR
  start "$1" "$bin/minitwit-server" --data-dir "$2" --api-listen 127.0.0.1:0 --web-listen 127.0.0.1:0 \
    --admin-listen 127.0.0.1:0 --log-level warn
}
loadgen() { "$bin/minitwit-loadgen" "$@" --json "$results"; }
run() {  # run NAME SERVER TARGET WORKLOAD [extra loadgen options]
  local name="$1" server="$2" target="$3" workload="$4"; shift 4
  loadgen run --workload "$workload" --target "$target" --name "$name" --server "$server" \
    --connections "$conns" --duration "$duration" --warmup "$warmup" --users "$users" "$@"
}
p99_of() {  # the total p99 (ms) of the last report named $1
  grep "\"workload\":\"$1\"" "$results" | tail -1 | grep -o '"p99":[0-9.e+-]*' | tail -1 | cut -d: -f2
}
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
hwm_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

say "seeding the small dataset ($users users, $messages messages, $follows follows)"
"$bin/minitwit-loadgen" seed --data-dir "$work/small" --users "$users" --messages "$messages" --follows "$follows"

say "ceiling server and MiniTwit-ES on the small dataset"
start ceiling "$bin/minitwit-ceiling"
ceiling_pid=$pid ceiling=$addr
start_minitwit small "$work/small"
small_pid=$pid api=$addr small_web=$web
figure "start-up, $messages-message dataset" "$startup_ms" ms "< 1000 ms" "$(verdict "$startup_ms" "<" 1000)"

say "every workload against both"
for w in latest msgs user-msgs fllws read-mix post write-mix; do
  run "$w" minitwit "$api" "$w"
  run "$w" ceiling "$ceiling" "$w"
done
for w in web-public web-user; do
  run "$w" minitwit "$small_web" "$w"
  run "$w" ceiling "$ceiling" "$w"
done

say "open loop: reads at a fixed rate, latency counted from when each request was due"
run "read-mix open $rate/s" minitwit "$api" read-mix --rate "$rate"

say "registrations: sustained rate, and a burst beside other requests"
run "register" minitwit "$api" register --connections "$register_conns"
run "reads alone" minitwit "$api" read-mix --rate "$rate"
"$bin/minitwit-loadgen" run --workload register --target "$api" --connections "$register_conns" \
  --duration "$duration" --warmup 0 --seed 7 --name "register burst" --server minitwit --json "$results" &
burst=$!
run "reads during a register burst" minitwit "$api" read-mix --rate "$rate"
wait "$burst"
alone=$(p99_of "reads alone") during=$(p99_of "reads during a register burst")
ratio=$(awk -v a="$alone" -v b="$during" 'BEGIN { printf "%.2f", (a > 0) ? b / a : 0 }')
figure "p99 of reads during a register burst / without" "$ratio" "×" "≤ 1.5" "$(verdict "$ratio" "<" 1.5001)"
figure "resident memory after the small-dataset runs" "$(hwm_mib "$small_pid")" MiB "< 512 MiB" \
  "$(verdict "$(hwm_mib "$small_pid")" "<" 512)"

say "small dataset: reads at $rate/s, the baseline of the flat-cost check"
for w in latest msgs user-msgs fllws; do run "$w at $rate/s, small" minitwit "$api" "$w" --rate "$rate"; done
for w in web-public web-user; do run "$w at $rate/s, small" minitwit "$small_web" "$w" --rate "$rate"; done
stop "$small_pid"

say "replaying a $actions-action simulator scenario at concurrency 64: as fast as answered, then paced"
"$bin/minitwit-loadgen" generate --users "$scenario_users" --actions "$actions" --seed 1 --out "$work/scenario.tsv"
start_minitwit replay "$work/replay"
loadgen replay "$work/scenario.tsv" --target "$addr" --concurrency 64 --name "scenario replay, as fast as answered" \
  --server minitwit
replay_pid=$pid
latest=$(http_get "$addr" /latest | tail -1 | grep -o '[0-9-]*')
# Requests in flight finish in any order: the stored `latest` is one of the last 64.
[ "$latest" -gt $((actions - 64)) ] && [ "$latest" -le "$actions" ] ||
  { echo "after the replay, /latest is $latest, expected one of the last 64 of $actions" >&2; exit 1; }
stop "$replay_pid"
start_minitwit replay-paced "$work/replay-paced"
loadgen replay "$work/scenario.tsv" --target "$addr" --concurrency 64 --rate "$replay_rate" \
  --name "scenario replay, $replay_rate actions/s" --server minitwit
stop "$pid"

say "projection rebuild (minitwit-replay)"
"$bin/minitwit-loadgen" seed --data-dir "$work/rebuild" --users 10000 --messages "$rebuild_messages" \
  --follows $((rebuild_messages / 4))
out=$("$bin/minitwit-replay" --data-dir "$work/rebuild" 2>&1)
echo "$out" >&2
rebuild_rate=$(echo "$out" | grep -o '([0-9.]* events/s)' | tail -1 | grep -o '[0-9.]*' | head -1)
figure "projection rebuild" "${rebuild_rate:-0}" "events/s" "≥ 1 000 000" "$(verdict "${rebuild_rate:-0}" ">=" 1000000)"

if [ "$big" = 1 ]; then
  if [ ! -e "$big_dir/CURRENT" ]; then
    say "seeding the large dataset in $big_dir (1M users, 10M messages, 20M follows; kept for later runs)"
    mkdir -p "$(dirname "$big_dir")"
    "$bin/minitwit-loadgen" seed --data-dir "$big_dir" --users 1000000 --messages 10000000 --follows 20000000
  fi
  say "the large dataset: start-up, reads at $rate/s, memory"
  start_minitwit big "$big_dir"
  big_pid=$pid big_api=$addr big_web=$web
  # What the dataset holds (a seed may have been cut short): named by its real size.
  stats=$(http_get "$admin" /admin/stats | tail -1)
  big_msgs=$(echo "$stats" | grep -o '"messages":[0-9]*' | head -1 | cut -d: -f2)
  users=$(echo "$stats" | grep -o '"users":[0-9]*' | head -1 | cut -d: -f2)
  big_label="$(awk -v m="$big_msgs" 'BEGIN { printf "%.1fM", m / 1e6 }') messages"
  figure "start-up, $big_label" "$startup_ms" ms "< 1000 ms" "$(verdict "$startup_ms" "<" 1000)"
  for w in latest msgs user-msgs fllws; do run "$w at $rate/s, $big_label" minitwit "$big_api" "$w" --rate "$rate"; done
  for w in web-public web-user; do run "$w at $rate/s, $big_label" minitwit "$big_web" "$w" --rate "$rate"; done
  for w in latest msgs user-msgs fllws web-public web-user; do
    small_p99=$(p99_of "$w at $rate/s, small") big_p99=$(p99_of "$w at $rate/s, $big_label")
    r=$(awk -v a="$small_p99" -v b="$big_p99" 'BEGIN { printf "%.2f", (a > 0) ? b / a : 0 }')
    figure "$w p99, $big_label / $messages messages" "$r" "×" "≤ 2" "$(verdict "$r" "<" 2.0001)"
  done
  run "read-mix, $big_label" minitwit "$big_api" read-mix
  figure "resident memory under load, $big_label (peak)" "$(hwm_mib "$big_pid")" MiB "< 512 MiB" \
    "$(verdict "$(hwm_mib "$big_pid")" "<" 512)"
  stop "$big_pid"
fi
stop "$ceiling_pid"

say "writing $markdown and $svg"
cat >"$work/preamble.md" <<EOF
Generated by \`scripts/benchmark.sh$([ "$big" = 1 ] || echo " --skip-big")\` on $(date -u +%Y-%m-%d): $(nproc) cores
($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM,
Linux $(uname -r). The load generator runs on the same machine and shares its cores with the server,
as the ceiling server does: ratios are measured in the same run, absolute numbers move between runs.
Closed loop: $conns connections for ${duration} s after ${warmup} s of warm-up. Open loop: latency counted
from when each request was due. Errors are counted as the simulator counts them.
EOF
"$bin/minitwit-loadgen" render --results "$results" --markdown "$markdown" --svg "$svg" \
  --svg-link docs/benchmarks.svg --preamble "$work/preamble.md"
grep -q '| post |' "$markdown" || { echo "the rendered tables are missing" >&2; exit 1; }
grep -q '<svg' "$svg" || { echo "the chart is missing" >&2; exit 1; }
if [ "$smoke" = 1 ]; then
  errors=$(grep -c '"unexpected_status":[1-9]' "$results" || true)
  [ "$errors" = 0 ] || { echo "$errors runs had unexpected statuses" >&2; grep '"unexpected_status":[1-9]' "$results" >&2; exit 1; }
  echo "benchmark smoke run: every step worked" >&2
else
  cp "$results" "$root/docs/benchmarks.ndjson"
  echo "written: $markdown, $svg, docs/benchmarks.ndjson" >&2
fi
