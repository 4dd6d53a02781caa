#!/usr/bin/env bash
# promtool on the shipped files, in a scratch copy with a dummy admin token (the real
# one is a deployment secret, never in the tree).
set -euo pipefail
src="$1"
command -v promtool >/dev/null || { echo "promtool missing: run scripts/install-deps.sh"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$src"/. "$work"/
mkdir -p "$work/secrets" && echo "dummy-token-for-checking" > "$work/secrets/admin_token"
promtool check config "$work/prometheus.yml"
promtool check rules "$work/alerts.yml"
(cd "$work" && promtool test rules alerts_test.yml)
