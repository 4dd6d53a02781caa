#!/usr/bin/env bash
# Before/after figures for a change: two builds of minitwit-server (e.g. the previous
# commit's and this one's) on the same seeded dataset, each workload run against A then
# B, ROUNDS times, each run on a fresh copy of the dataset and a fresh server. Compare
# the ratio B/A within the run, never absolute numbers across runs (the machine is shared).
#
#   scripts/compare-builds.sh BIN_DIR_A BIN_DIR_B [OUT.ndjson]
#   ROUNDS=2 DURATION=10 CONNECTIONS=64 WORKLOADS="latest msgs post" scripts/compare-builds.sh ...
#
# A build's bin dir holds minitwit-server and minitwit-loadgen (build/release/bin). The
# load generator of A drives both. Prints a Markdown table; the raw reports go to OUT
# when it is given.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BIN_DIR_A BIN_DIR_B [OUT.ndjson]" >&2; exit 2; }
a="$(cd "$1" && pwd)" b="$(cd "$2" && pwd)"
rounds="${ROUNDS:-2}" duration="${DURATION:-10}" connections="${CONNECTIONS:-64}"
workloads="${WORKLOADS:-latest msgs user-msgs post write-mix mixed web-public}"
work="$(mktemp -d "${TMPDIR:-/tmp}/minitwit-compare.XXXXXX")"
out="${3:-$work/results.ndjson}"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
: >"$out"

"$a/minitwit-loadgen" seed --data-dir "$work/seed" --users 1000 --messages 10000 --follows 20000 >/dev/null

run_one() {  # BIN_DIR LABEL WORKLOAD ROUND
  rm -rf "$work/data" && cp -a "$work/seed" "$work/data"
  "$1/minitwit-server" --data-dir "$work/data" --api-listen 127.0.0.1:0 --web-listen 127.0.0.1:0 \
    --admin-listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
  pid=$!
  local deadline=$((SECONDS + 60))
  until grep -q 'listening api=' "$work/server.log"; do
    kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ] || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  local line target
  line="$(grep -m1 'listening api=' "$work/server.log")"
  case "$3" in
    web-*) target="$(sed -E 's/.* web=([^ ]+).*/\1/' <<<"$line")" ;;
    *) target="$(sed -E 's/.*listening api=([^ ]+).*/\1/' <<<"$line")" ;;
  esac
  "$a/minitwit-loadgen" run --workload "$3" --target "$target" --connections "$connections" \
    --duration "$duration" --warmup 2 --json "$out" --name "$2/$3/$4" --server "$2" >/dev/null
  kill -TERM "$pid" && wait "$pid" || true
  pid=""
}

for round in $(seq 1 "$rounds"); do
  for w in $workloads; do
    run_one "$a" A "$w" "$round"
    run_one "$b" B "$w" "$round"
  done
done

python3 - "$out" <<'PY'
import collections, json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
rps, p99, order = collections.defaultdict(list), collections.defaultdict(list), []
for r in runs:
    build, workload, _ = r["workload"].split("/")
    if workload not in order: order.append(workload)
    rps[workload, build].append(r["total"]["throughput_rps"])
    p99[workload, build].append(r["total"]["latency_ms"]["p99"])
    if sum(r["total"]["errors"].values()): print(f"errors in {r['workload']}: {r['total']['errors']}")
num = lambda xs: " / ".join(f"{x:,.0f}".replace(",", " ") for x in xs)
ms = lambda xs: " / ".join(f"{x:.1f}" for x in xs)
print("| workload | A req/s (per round) | B req/s (per round) | B / A | A p99 ms | B p99 ms |")
print("|---|---|---|---|---|---|")
for w in order:
    a, b = rps[w, "A"], rps[w, "B"]
    print(f"| {w} | {num(a)} | {num(b)} | {sum(b) / sum(a):.2f} | {ms(p99[w, 'A'])} | {ms(p99[w, 'B'])} |")
PY
