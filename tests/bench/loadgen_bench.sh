#!/usr/bin/env bash
# Load generator benchmark: our `ingress-lab-cli traffic` against wrk, same target, same concurrency, same
# duration, interleaved (wrk, ours, wrk, ours, ...) so machine noise hits both alike. The target is nginx from
# Debian with one worker answering a small JSON body (no disk, no logging), on a free loopback port, with its
# config in a temp dir. Prints req/s of each and the ratio ours ÷ wrk (target: >= 0.7). Timings never fail a test.
#
# usage: tests/bench/loadgen_bench.sh [CLI] [-c CONC] [-d SECONDS] [-r ROUNDS] [-t OUR_THREADS]
#   CLI defaults to build-loadgen/app/ingress-lab-cli (or $ILAB_CLI).
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
cli="${ILAB_CLI:-$here/build-loadgen/app/ingress-lab-cli}"
conc=50
secs=5
rounds=3
threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    -c) conc="$2"; shift 2 ;;
    -d) secs="$2"; shift 2 ;;
    -r) rounds="$2"; shift 2 ;;
    -t) threads="$2"; shift 2 ;;
    *) cli="$1"; shift ;;
  esac
done

for tool in nginx wrk python3; do
  command -v "$tool" >/dev/null || { [ -x "/usr/sbin/$tool" ] || { echo "missing: $tool" >&2; exit 2; }; }
done
[ -x "$cli" ] || { echo "CLI not found: $cli (build ingress-lab-cli first)" >&2; exit 2; }
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$dir/tmp"
cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type application/json;
      return 200 '{"service":"bench-service","pod":"bench-0","namespace":"default","version":"v1"}\n';
    }
  }
}
EOF
"$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
nginx_pid=$!
cleanup() { kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

url="http://127.0.0.1:$port/"
for _ in $(seq 1 50); do
  curl -fs "$url" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$url" >/dev/null || { echo "nginx did not start:" >&2; cat "$dir/error.log" >&2; exit 2; }

echo "target: nginx (1 worker) at $url, concurrency $conc, ${secs}s per run, $rounds rounds, wrk -t1, ours -t $threads"
echo "req/s decides the ratio; CPU µs per request (user+sys of the client process) is printed too, because"
echo "on a shared machine it is the steadier measure of the client's own cost."
printf "%-6s %12s %12s %8s %14s %14s\n" round "wrk req/s" "ours req/s" ratio "wrk µs/req" "ours µs/req"
ratios=()
cpu() { awk '{printf "%.1f", ($1 + $2) * 1e6 / '"$1"'}' "$2"; }
for r in $(seq 1 "$rounds"); do
  wrk_out="$(/usr/bin/time -f "%U %S" -o "$dir/wrk.time" wrk -t1 -c"$conc" -d"${secs}s" "$url")"
  wrk_rps="$(printf '%s\n' "$wrk_out" | awk '/^Requests\/sec:/ {print $2}')"
  wrk_n="$(printf '%s\n' "$wrk_out" | awk '/requests in/ {print $1}')"
  ours_json="$(/usr/bin/time -f "%U %S" -o "$dir/ours.time" "$cli" traffic -t "$threads" -c "$conc" -d "${secs}s" --json "$url")"
  read -r ours_rps ours_n < <(printf '%s' "$ours_json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f %d" % (d["requestsPerSecond"], d["total"]) if d["errors"]==0 else "errors:%d 0" % d["errors"])')
  case "$ours_rps" in errors:*) echo "our run had $ours_rps" >&2; exit 1 ;; esac
  ratio="$(python3 -c "print('%.3f' % ($ours_rps / $wrk_rps))")"
  ratios+=("$ratio")
  printf "%-6s %12s %12s %8s %14s %14s\n" "$r" "$wrk_rps" "$ours_rps" "$ratio" "$(cpu "$wrk_n" "$dir/wrk.time")" \
    "$(cpu "$ours_n" "$dir/ours.time")"
done
median="$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
echo "median ratio ours/wrk: $median (target >= 0.7)"
