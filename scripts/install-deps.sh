#!/usr/bin/env bash
# Installs exactly the Debian 12 packages that building and testing MiniTwit-ES need.
# Idempotent: packages already present are skipped, and apt is not touched at all when
# nothing is missing. Works as root or through sudo.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev
  librocksdb-dev libcereal-dev libfmt-dev libspdlog-dev libsodium-dev
  prometheus-cpp-dev libkainjow-mustache-dev libcli11-dev libsqlite3-dev libssl-dev libexpected-dev
  libjemalloc-dev libnats-dev
)
# nats-server and haproxy: the cluster tests start their own (scripts/cluster.sh).
test_packages=(doctest-dev curl python3 chromium prometheus nats-server haproxy)
command -v node >/dev/null || test_packages+=(nodejs)
command -v npm >/dev/null || test_packages+=(npm)

fuzz_packages=(clang libclang-rt-14-dev)
# clang-format and clang-tidy: CI checks the tree with both (scripts/check-style.sh).
style_packages=(clang-format clang-tidy)

want=("${build_packages[@]}")
case "${1:-all}" in
  build) ;;
  all) want+=("${test_packages[@]}" "${fuzz_packages[@]}" "${style_packages[@]}") ;;
  fuzz) want+=("${fuzz_packages[@]}") ;;
  style) want+=("${style_packages[@]}") ;;
  cluster) want+=(nats-server haproxy curl python3) ;;  # scripts/cluster.sh
  *) echo "usage: $0 [build|all|fuzz|style|cluster]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"

# The npm packages of the Node tests, from their committed lockfiles: the browser test
# (playwright-core drives Debian's Chromium; it downloads no browser of its own) and
# the API contract test (a YAML parser and a JSON Schema validator).
install_npm_packages() {
  [ "${1:-all}" = all ] || return 0
  local dir
  for dir in "$root/tests/browser" "$root/tests/contract"; do
    if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed"; then
      echo "install-deps: npm ci in ${dir#"$root"/}"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed"
    fi
  done
}

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} Debian packages present"
  install_npm_packages "${1:-all}"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_npm_packages "${1:-all}"
