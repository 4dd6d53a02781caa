# Shell helpers shared by scripts/benchmark.sh and scripts/soak.sh (sourced, not run).

# http_get HOST:PORT PATH: the whole HTTP/1.0 response (headers and body), without curl.
http_get() {
  exec 3<>"/dev/tcp/${1%:*}/${1##*:}"
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$2" "$1" >&3
  cat <&3
  exec 3<&-
}
