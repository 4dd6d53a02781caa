#!/usr/bin/env bash
# A MiniTwit-ES cluster on this machine, without Docker: three nats-server processes
# forming one JetStream cluster (deploy/cluster/nats.conf), three minitwit-server nodes
# sharing its event log, and HAProxy in front (deploy/cluster/haproxy.cfg), all on
# 127.0.0.1. deploy/cluster/docker-compose.yml runs the same config files in containers.
#
#   scripts/cluster.sh up [--dir DIR] [--base-port P] [-- SERVER-ARGS...]
#   scripts/cluster.sh status [--dir DIR]       exit 0 only if everything is up and ready
#   scripts/cluster.sh down [--dir DIR] [--wipe]    --wipe also deletes DIR
#   scripts/cluster.sh node-stop|node-start|node-kill N [--dir DIR]     N = 1, 2 or 3
#   scripts/cluster.sh nats-stop|nats-start|nats-kill N [--dir DIR]
#
# up waits (bounded) until JetStream has a meta leader, each node answers 200 on
# /health/ready and HAProxy has every node in rotation; node-start and nats-start wait
# the same way for the one process; *-stop sends SIGTERM (SIGKILL past the deadline),
# *-kill sends SIGKILL. A failed up stops what it started (logs stay).
#
# Everything lives under DIR (default ./cluster-data, or MINITWIT_CLUSTER_DIR):
#   cluster.env    every address, as KEY=VALUE lines to source (see write_env below)
#   logs/          nats1..3.log, node1..3.log, haproxy.log
#   nats1..3/      JetStream stores;  node1..3/data  the nodes' RocksDB
#   secrets/       generated once (mode 0600): NATS token, route password, admin token,
#                  session key (shared by the nodes, so a web session works on each)
#   pids/, node.args (the SERVER-ARGS of up, reused by node-start)
# Data is kept across down/up; up reuses the previous ports when they are still free.
# Ports: free ones below the kernel's ephemeral range, or P..P+20 with --base-port.
#
# Environment: MINITWIT_BIN_DIR (the binaries to run; unset: up installs what it needs
# with scripts/install-deps.sh cluster and builds build/release/bin with
# scripts/build.sh release first), MINITWIT_CLUSTER_TIMEOUT (seconds for each wait,
# default 60), HAPROXY_LOG_LEVEL (info logs every request; notice only state changes).
# The nodes inherit the caller's MINITWIT_* variables (e.g. MINITWIT_SIM_PASSWORD).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
nats_conf="$root/deploy/cluster/nats.conf"
haproxy_cfg="$root/deploy/cluster/haproxy.cfg"
bin_dir="${MINITWIT_BIN_DIR:-$root/build/release/bin}"
timeout_s="${MINITWIT_CLUSTER_TIMEOUT:-60}"
stop_timeout_s=20

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*"; }

# ---------------------------------------------------------------- arguments
[ $# -ge 1 ] || usage
cmd="$1"
shift
dir="${MINITWIT_CLUSTER_DIR:-./cluster-data}"
base_port=""
wipe=0
n=""
server_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || usage; dir="$2"; shift 2 ;;
    --dir=*) dir="${1#--dir=}"; shift ;;
    --base-port) [ $# -ge 2 ] || usage; base_port="$2"; shift 2 ;;
    --base-port=*) base_port="${1#--base-port=}"; shift ;;
    --wipe) wipe=1; shift ;;
    --) shift; server_args=("$@"); break ;;
    [1-3]) n="$1"; shift ;;
    -h | --help) usage ;;
    *) echo "cluster: unexpected argument '$1'" >&2; usage ;;
  esac
done
case "$cmd" in
  up | down | status) [ -z "$n" ] || usage ;;
  node-stop | node-start | node-kill | nats-stop | nats-start | nats-kill)
    [ -n "$n" ] || die "$cmd needs a number: 1, 2 or 3" ;;
  -h | --help | help) usage ;;
  *) echo "cluster: unknown command '$cmd'" >&2; usage ;;
esac
[ "$cmd" = up ] || [ ${#server_args[@]} -eq 0 ] || die "server arguments go with up only"
if [ -n "$base_port" ]; then
  [[ "$base_port" =~ ^[0-9]+$ ]] && [ "$base_port" -ge 1024 ] && [ "$base_port" -le 65515 ] ||
    die "--base-port must be a number from 1024 to 65515"
fi
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "MINITWIT_CLUSTER_TIMEOUT must be whole seconds"

# cluster.env is sourced by shells and parsed by tests: no quoting in it, so no odd
# characters in the directory's name.
case "$dir" in *[!A-Za-z0-9._/+@:-]*) die "--dir '$dir': use letters, digits and ._/+@:- only" ;; esac
if [ "$cmd" = up ]; then mkdir -p "$dir"; fi
[ -d "$dir" ] || die "no cluster in '$dir' (scripts/cluster.sh up --dir $dir)"
dir="$(cd "$dir" && pwd)"
env_file="$dir/cluster.env"

# One invocation at a time per directory (tests may call in parallel). Started
# processes must not inherit the lock's descriptor: see launch.
exec 9>"$dir/.lock"
flock -w "$((timeout_s + stop_timeout_s + 30))" 9 || die "another cluster.sh holds $dir/.lock"

# ---------------------------------------------------------------- helpers
need_tools() {
  local t
  for t in curl python3 flock setsid; do
    command -v "$t" >/dev/null || die "needs $t (scripts/install-deps.sh)"
  done
}

need_binaries() {
  command -v nats-server >/dev/null || die "needs nats-server (scripts/install-deps.sh installs it)"
  command -v haproxy >/dev/null || die "needs haproxy (scripts/install-deps.sh installs it)"
  [ -x "$bin_dir/minitwit-server" ] ||
    die "no $bin_dir/minitwit-server: build it first (scripts/build.sh release), or set MINITWIT_BIN_DIR"
  # grep -c reads all of the help (grep -q would stop early and fail the pipe)
  "$bin_dir/minitwit-server" --help 2>/dev/null | grep -c -- '--event-log' >/dev/null ||
    die "$bin_dir/minitwit-server has no cluster mode (--event-log): rebuild (scripts/build.sh release)"
}

now() { date +%s; }

# alive PID: the process exists and is not a zombie (a child of this shell that died
# during up stays a zombie until reaped, and kill -0 would still succeed).
alive() {
  local pid="$1" stat
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat:0:1}" != Z ]
}

pidfile() { echo "$dir/pids/$1.pid"; }

# pid_of NAME: the recorded pid if that process is alive and still runs the expected
# program (a stale pid file never makes us signal an unrelated process).
pid_of() {
  local name="$1" f pid prog
  f="$(pidfile "$name")"
  [ -s "$f" ] || return 1
  pid="$(cat "$f")"
  alive "$pid" || return 1
  case "$name" in
    nats*) prog=nats-server ;;
    node*) prog=minitwit-server ;;
    haproxy) prog=haproxy ;;
  esac
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$prog" || return 1
  echo "$pid"
}

# launch NAME LOG CMD...: start CMD in its own session (a caller killing its process
# group does not take the cluster down), stdin closed, output appended to LOG.
launch() {
  local name="$1" log="$2"
  shift 2
  mkdir -p "$dir/pids" "$dir/logs"
  echo "---- $(date '+%F %T') start: $*" >>"$log"
  setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  echo $! >"$(pidfile "$name")"
}

# wait_for DESC CHECK-FUNCTION [PID LOG]: poll CHECK every 0.2 s until it succeeds or the
# deadline passes; with PID, give up as soon as that process has died.
wait_for() {
  local desc="$1" check="$2" pid="${3:-}" log="${4:-}" deadline
  deadline=$(($(now) + timeout_s))
  while ! "$check"; do
    if [ -n "$pid" ] && ! alive "$pid"; then
      echo "cluster: $desc: the process exited; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    if [ "$(now)" -ge "$deadline" ]; then
      echo "cluster: $desc: not within ${timeout_s}s (MINITWIT_CLUSTER_TIMEOUT)" >&2
      [ -z "$log" ] || { echo "last lines of $log:" >&2; tail -n 20 "$log" >&2 || true; }
      return 1
    fi
    sleep 0.2
  done
}

# stop NAME SIGNAL TIMEOUT: signal the process, wait for it to exit, SIGKILL past TIMEOUT.
stop() {
  local name="$1" sig="$2" t="$3" pid deadline
  pid="$(pid_of "$name")" || { rm -f "$(pidfile "$name")"; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  deadline=$(($(now) + t))
  while alive "$pid"; do
    if [ "$(now)" -ge "$deadline" ]; then
      say "$name (pid $pid) still running after ${t}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$(($(now) + 5))
      while alive "$pid" && [ "$(now)" -lt "$deadline" ]; do sleep 0.1; done
      break
    fi
    sleep 0.1
  done
  rm -f "$(pidfile "$name")"
}

# stop_all SIGNAL TIMEOUT NAMES...: signal them together, then wait for each.
stop_all() {
  local sig="$1" t="$2" name pid
  shift 2
  for name in "$@"; do
    if pid="$(pid_of "$name")"; then kill "-$sig" "$pid" 2>/dev/null || true; fi
  done
  for name in "$@"; do stop "$name" "$sig" "$t"; done
}

http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true; }

secret() {
  local f="$dir/secrets/$1"
  if [ ! -s "$f" ]; then
    # letters and digits starting with a letter: nats' config parses the value
    (umask 077 && python3 -c 'import secrets; print("mt" + secrets.token_hex(24))' >"$f")
  fi
  echo "$f"
}

# ---------------------------------------------------------------- ports and cluster.env
# 21 ports: NATS i client/http/cluster, node i api/web/admin, LB api/web/stats.
port_names() {
  local i
  for i in 1 2 3; do echo "NATS${i}_CLIENT NATS${i}_HTTP NATS${i}_CLUSTER"; done
  for i in 1 2 3; do echo "NODE${i}_API NODE${i}_WEB NODE${i}_ADMIN"; done
  echo "LB_API LB_WEB LB_STATS"
}

# pick_ports COUNT [BASE]: COUNT distinct ports free on 127.0.0.1, consecutive from BASE
# or random below the ephemeral range (so no outgoing connection takes one meanwhile).
pick_ports() {
  python3 - "$@" <<'EOF'
import random, socket, sys
count = int(sys.argv[1])
base = int(sys.argv[2]) if len(sys.argv) > 2 else None
def try_bind(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return s
    except OSError:
        s.close()
        return None
held = []
if base is not None:
    for port in range(base, base + count):
        s = try_bind(port)
        if not s:
            sys.exit(f"cluster: port {port} (of --base-port {base}..{base + count - 1}) is in use")
        held.append(s)
else:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    lo, hi = (10000, low - 1) if low > 12000 else (low + 1, 65535)
    candidates = random.sample(range(lo, hi + 1), min(2000, hi - lo + 1))
    for port in candidates:
        s = try_bind(port)
        if s:
            held.append(s)
        if len(held) == count:
            break
    if len(held) < count:
        sys.exit("cluster: could not find enough free ports")
print(" ".join(str(s.getsockname()[1]) for s in held))
EOF
}

ports_free() { python3 - "$@" <<'EOF'
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", int(p)))
    except OSError:
        sys.exit(1)
    finally:
        s.close()
EOF
}

load_env() {
  [ -s "$env_file" ] || die "no $env_file: start the cluster with scripts/cluster.sh up --dir $dir"
  # shellcheck disable=SC1090
  . "$env_file"
}

write_env() {
  local names=() ports=() i k tmp
  read -r -a names <<<"$(port_names | tr '\n' ' ')"
  read -r -a ports <<<"$1"
  tmp="$env_file.tmp"
  {
    echo "# Written by scripts/cluster.sh up: every address of the cluster in $dir."
    echo "CLUSTER_DIR=$dir"
    for k in "${!names[@]}"; do echo "${names[$k]}=127.0.0.1:${ports[$k]}"; done
    for i in 1 2 3; do
      echo "NATS${i}_STORE=$dir/nats$i"
      echo "NATS${i}_LOG=$dir/logs/nats$i.log"
    done
    for i in 1 2 3; do
      echo "NODE${i}_NAME=node$i"
      echo "NODE${i}_DATA=$dir/node$i/data"
      echo "NODE${i}_LOG=$dir/logs/node$i.log"
    done
    echo "HAPROXY_LOG=$dir/logs/haproxy.log"
    echo "EVENT_LOG=nats://127.0.0.1:${ports[0]},127.0.0.1:${ports[3]},127.0.0.1:${ports[6]}"
    echo "NATS_STREAM=${MINITWIT_NATS_STREAM:-minitwit}"
    echo "NATS_TOKEN_FILE=$dir/secrets/nats_token"
    echo "ADMIN_TOKEN_FILE=$dir/secrets/admin_token"
    echo "SECRET_KEY_FILE=$dir/secrets/secret_key"
  } >"$tmp"
  mv "$tmp" "$env_file"
}

port_of() { echo "${1##*:}"; }

# ---------------------------------------------------------------- NATS
start_nats() {
  local i="$1" v client http cluster
  v="NATS${i}_CLIENT"; client="$(port_of "${!v}")"
  v="NATS${i}_HTTP"; http="$(port_of "${!v}")"
  v="NATS${i}_CLUSTER"; cluster="$(port_of "${!v}")"
  mkdir -p "$dir/nats$i"
  launch "nats$i" "$dir/logs/nats$i.log" env \
    NATS_NAME="nats$i" NATS_HOST=127.0.0.1 \
    NATS_CLIENT_PORT="$client" NATS_HTTP_PORT="$http" NATS_CLUSTER_PORT="$cluster" \
    NATS_ROUTE_1="nats://route:$route_pw@$NATS1_CLUSTER" \
    NATS_ROUTE_2="nats://route:$route_pw@$NATS2_CLUSTER" \
    NATS_ROUTE_3="nats://route:$route_pw@$NATS3_CLUSTER" \
    NATS_STORE_DIR="$dir/nats$i" NATS_TOKEN="$(cat "$(secret nats_token)")" \
    NATS_ROUTE_PASSWORD="$route_pw" \
    nats-server -c "$nats_conf"
}

# jsz_leader HTTP_ADDR: the JetStream meta leader this server knows of (empty if none).
jsz_leader() {
  curl -s -m 2 "http://$1/jsz" 2>/dev/null | python3 -c '
import json, sys
try:
    m = json.load(sys.stdin).get("meta_cluster") or {}
    print(m.get("leader", "") if m.get("cluster_size") == 3 else "")
except Exception:
    print("")' 2>/dev/null || true
}

nats_ready() {
  local v="NATS${check_i}_HTTP"
  [ -n "$(jsz_leader "${!v}")" ] && [ "$(http_code "http://${!v}/healthz")" = 200 ]
}

all_nats_ready() {
  local i
  for i in 1 2 3; do check_i=$i nats_ready || return 1; done
}

wait_nats() {
  local i="$1" v="NATS${1}_HTTP"
  check_i=$i wait_for "nats$i: JetStream meta leader and /healthz on ${!v}" nats_ready \
    "$(pid_of "nats$i" || true)" "$dir/logs/nats$i.log"
}

# ---------------------------------------------------------------- nodes
start_node() {
  local i="$1" v api web admin extra=()
  v="NODE${i}_API"; api="${!v}"
  v="NODE${i}_WEB"; web="${!v}"
  v="NODE${i}_ADMIN"; admin="${!v}"
  [ ! -s "$dir/node.args" ] || mapfile -t extra <"$dir/node.args"
  mkdir -p "$dir/node$i/data"
  launch "node$i" "$dir/logs/node$i.log" env \
    MINITWIT_SECRET_KEY_FILE="$(secret secret_key)" \
    MINITWIT_ADMIN_TOKEN_FILE="$(secret admin_token)" \
    MINITWIT_NATS_TOKEN_FILE="$(secret nats_token)" \
    "$bin_dir/minitwit-server" \
    --data-dir "$dir/node$i/data" \
    --api-listen "$api" --web-listen "$web" --admin-listen "$admin" \
    --event-log "$EVENT_LOG" --nats-stream "$NATS_STREAM" --node-name "node$i" \
    "${extra[@]}"
}

node_ready() {
  local v="NODE${check_i}_ADMIN"
  [ "$(http_code "http://${!v}/health/ready")" = 200 ]
}

wait_node() {
  local i="$1" v="NODE${1}_ADMIN"
  check_i=$i wait_for "node$i: 200 on http://${!v}/health/ready" node_ready \
    "$(pid_of "node$i" || true)" "$dir/logs/node$i.log"
}

# ---------------------------------------------------------------- HAProxy
# haproxy_env: the environment deploy/cluster/haproxy.cfg expands, as env(1) arguments.
haproxy_env() {
  local i v
  hp_env=(LB_API_BIND="$LB_API" LB_WEB_BIND="$LB_WEB" LB_STATS_BIND="$LB_STATS"
    HAPROXY_LOG_LEVEL="${HAPROXY_LOG_LEVEL:-info}")
  for i in 1 2 3; do
    v="NODE${i}_API"; hp_env+=("NODE${i}_API=${!v}")
    v="NODE${i}_WEB"; hp_env+=("NODE${i}_WEB=${!v}")
    v="NODE${i}_ADMIN"; hp_env+=("NODE${i}_ADMIN_PORT=$(port_of "${!v}")")
  done
}

start_haproxy() {
  local out hp_env
  haproxy_env
  out="$(env "${hp_env[@]}" haproxy -c -q -f "$haproxy_cfg" 2>&1)" || die "haproxy -c: $out"
  launch haproxy "$dir/logs/haproxy.log" env "${hp_env[@]}" haproxy -db -f "$haproxy_cfg"
}

# backend_status: "BACKEND/SERVER STATUS CHECK" lines from HAProxy's stats CSV.
backend_status() {
  curl -s -m 2 "http://$LB_STATS/stats;csv" 2>/dev/null | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
if not rows:
    sys.exit(1)
head = [h.lstrip("# ") for h in rows[0]]
for r in rows[1:]:
    d = dict(zip(head, r))
    if d.get("svname") not in ("FRONTEND", "BACKEND") and d.get("pxname"):
        print(d["pxname"] + "/" + d["svname"], d.get("status", "?"), d.get("check_status", ""),
              d.get("lastchg", "") + "s")' 2>/dev/null
}

in_rotation() {
  # every node listed in check_nodes is UP in both backends
  local st i
  st="$(backend_status)" || return 1
  for i in $check_nodes; do
    grep -q "^api_nodes/node$i UP" <<<"$st" || return 1
    grep -q "^web_nodes/node$i UP" <<<"$st" || return 1
  done
}

wait_rotation() {
  local nodes="$1"
  pid_of haproxy >/dev/null || return 0
  check_nodes="$nodes" wait_for "HAProxy: node(s) $nodes in rotation (http://$LB_STATS/stats)" \
    in_rotation "$(pid_of haproxy || true)" "$dir/logs/haproxy.log"
}

# ---------------------------------------------------------------- commands
any_running() {
  local name
  for name in haproxy node1 node2 node3 nats1 nats2 nats3; do
    pid_of "$name" >/dev/null && return 0
  done
  return 1
}

print_summary() {
  local i v a b c
  echo
  echo "MiniTwit-ES cluster in $dir"
  echo "  simulator API  http://$LB_API       (HAProxy)"
  echo "  web UI         http://$LB_WEB"
  echo "  HAProxy stats  http://$LB_STATS/stats   health http://$LB_STATS/health"
  for i in 1 2 3; do
    v="NODE${i}_API"; a="${!v}"; v="NODE${i}_WEB"; b="${!v}"; v="NODE${i}_ADMIN"; c="${!v}"
    echo "  node$i          api $a  web $b  admin $c  data $dir/node$i/data"
  done
  for i in 1 2 3; do
    v="NATS${i}_CLIENT"; a="${!v}"; v="NATS${i}_HTTP"; b="${!v}"; v="NATS${i}_CLUSTER"; c="${!v}"
    echo "  nats$i          client $a  monitoring http://$b  routes $c"
  done
  echo "  event log      $EVENT_LOG (stream $NATS_STREAM)"
  echo "  logs           $dir/logs/{nats1..3,node1..3,haproxy}.log"
  echo "  addresses      $env_file"
  echo "  admin token    $ADMIN_TOKEN_FILE"
}

cmd_up() {
  if [ -z "${MINITWIT_BIN_DIR:-}" ]; then
    "$root/scripts/install-deps.sh" cluster
    MINITWIT_BUILD_TARGETS="minitwit-server minitwit-admin minitwit-replay" "$root/scripts/build.sh" release
  fi
  need_tools
  need_binaries
  any_running && die "a cluster is already running in $dir (scripts/cluster.sh status|down --dir $dir)"
  mkdir -p "$dir/secrets" "$dir/logs" "$dir/pids"
  chmod 700 "$dir/secrets"
  local ports="" old=()
  if [ -z "$base_port" ] && [ -s "$env_file" ]; then
    # same addresses as last time, if they are still free
    (
      . "$env_file"
      for k in $(port_names); do echo "${!k##*:}"; done
    ) >"$dir/.ports" 2>/dev/null || true
    mapfile -t old <"$dir/.ports"
    rm -f "$dir/.ports"
    if [ ${#old[@]} -eq 21 ] && ports_free "${old[@]}"; then ports="${old[*]}"; fi
  fi
  [ -n "$ports" ] || ports="$(pick_ports 21 ${base_port:+"$base_port"})"
  write_env "$ports"
  printf '%s\n' "${server_args[@]}" >"$dir/node.args"
  [ ${#server_args[@]} -gt 0 ] || : >"$dir/node.args"
  load_env
  route_pw="$(cat "$(secret nats_route_password)")"
  secret nats_token >/dev/null
  secret admin_token >/dev/null
  secret secret_key >/dev/null

  # A failed up leaves nothing running (the logs stay).
  trap 'echo "cluster: up failed; stopping what it started (logs in $dir/logs)" >&2; cmd_down_quiet' EXIT

  local i
  for i in 1 2 3; do start_nats "$i"; done
  for i in 1 2 3; do wait_nats "$i"; done
  say "NATS: JetStream cluster formed, meta leader $(jsz_leader "$NATS1_HTTP")"

  # node1 first (it creates the stream), then the other two together.
  start_node 1
  wait_node 1
  start_node 2
  start_node 3
  wait_node 2
  wait_node 3
  say "nodes: all three ready"

  start_haproxy
  wait_rotation "1 2 3"
  say "HAProxy: all three nodes in rotation"
  trap - EXIT
  print_summary
}

cmd_down_quiet() {
  stop haproxy USR1 "$stop_timeout_s"
  stop_all TERM "$stop_timeout_s" node1 node2 node3
  stop_all TERM "$stop_timeout_s" nats1 nats2 nats3
}

cmd_down() {
  cmd_down_quiet
  if [ "$wipe" = 1 ]; then
    [ -f "$env_file" ] && [ -d "$dir/pids" ] ||
      die "$dir does not look like a cluster's directory (no cluster.env, no pids/): not deleting it"
    exec 9>&-
    rm -rf "$dir"
    say "stopped; deleted $dir"
  else
    say "stopped; data kept in $dir (down --wipe deletes it)"
  fi
}

cmd_status() {
  load_env
  local ok=0 name pid i v body code leader st
  for name in nats1 nats2 nats3 node1 node2 node3 haproxy; do
    if pid="$(pid_of "$name")"; then
      printf '%-8s up    pid %s\n' "$name" "$pid"
    else
      printf '%-8s DOWN\n' "$name"
      ok=1
    fi
  done
  echo
  for i in 1 2 3; do
    v="NATS${i}_HTTP"
    leader="$(jsz_leader "${!v}")"
    code="$(http_code "http://${!v}/healthz")"
    printf 'nats%s  client %s  /healthz %s  meta leader %s\n' "$i" \
      "$(v="NATS${i}_CLIENT"; echo "${!v}")" "${code:-000}" "${leader:-none}"
    [ "$code" = 200 ] && [ -n "$leader" ] || ok=1
  done
  echo
  for i in 1 2 3; do
    v="NODE${i}_ADMIN"
    body="$(curl -s -m 2 -w '\n%{http_code}' "http://${!v}/health/ready" 2>/dev/null || true)"
    code="${body##*$'\n'}"
    body="${body%$'\n'*}"
    [ "$body" != "$code" ] || body=""
    printf 'node%s  admin %s  /health/ready %s %s\n' "$i" "${!v}" "${code:-000}" "$body"
    [ "$code" = 200 ] || ok=1
  done
  echo
  if st="$(backend_status)"; then
    echo "HAProxy (http://$LB_STATS/stats):"
    sed 's/^/  /' <<<"$st"
    grep -qv ' UP ' <<<"$st" && ok=1
  else
    echo "HAProxy: no stats on http://$LB_STATS/stats"
    ok=1
  fi
  return "$ok"
}

load_for_one() {
  load_env
  route_pw="$(cat "$dir/secrets/nats_route_password" 2>/dev/null)" ||
    die "no secrets in $dir/secrets: was this cluster started by cluster.sh up?"
}

case "$cmd" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  node-stop)
    load_for_one
    stop "node$n" TERM "$stop_timeout_s"
    say "node$n stopped"
    ;;
  node-kill)
    load_for_one
    stop "node$n" KILL 5
    say "node$n killed"
    ;;
  node-start)
    need_tools
    need_binaries
    load_for_one
    pid_of "node$n" >/dev/null && die "node$n is already running"
    start_node "$n"
    wait_node "$n"
    wait_rotation "$n"
    say "node$n ready$(pid_of haproxy >/dev/null && echo ' and in rotation')"
    ;;
  nats-stop)
    load_for_one
    stop "nats$n" TERM "$stop_timeout_s"
    say "nats$n stopped"
    ;;
  nats-kill)
    load_for_one
    stop "nats$n" KILL 5
    say "nats$n killed"
    ;;
  nats-start)
    need_tools
    load_for_one
    pid_of "nats$n" >/dev/null && die "nats$n is already running"
    start_nats "$n"
    wait_nats "$n"
    say "nats$n up, meta leader $(v="NATS${n}_HTTP"; jsz_leader "${!v}")"
    ;;
esac
