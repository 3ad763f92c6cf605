#!/usr/bin/env bash
# Load generator benchmark: our `ingress-lab-cli traffic` against wrk, same target, same concurrency, same
# duration, interleaved (wrk, ours, wrk, ours, ...) so machine noise hits both alike. The target is nginx from
# Debian with one worker answering a small JSON body (no disk, no logging), on a free loopback port, with its
# config in a temp dir. Prints req/s of each and the ratio ours ÷ wrk (target: >= 0.7). Timings never fail a test.
#
# usage: tests/bench/loadgen_bench.sh [CLI] [-c CONC] [-d SECONDS] [-r ROUNDS] [-t THREADS] [--target nginx|serve|both]
#   -t sets the threads of both tools (wrk -tN, traffic -t N); without it each runs with its own default:
#   wrk -t2, and traffic's one thread per core (at most 4).
#   CLI defaults to build-loadgen/app/ingress-lab-cli (or $ILAB_CLI).
# --target serve puts our own proxy (`ingress-lab-cli serve`, one simulated echo pod behind one Ingress) in front
# instead: what the generator is for ("saturate our proxy"). Default: both, nginx first.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
cli="${ILAB_CLI:-$here/build-loadgen/app/ingress-lab-cli}"
conc=50
secs=5
rounds=3
threads=
target=both
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
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
cat > "$dir/serve.yaml" <<EOF
apiVersion: v1
kind: Service
metadata: {name: bench-service, namespace: default}
spec:
  selector: {app: bench}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: bench, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: bench}}
  template:
    metadata: {labels: {app: bench}}
    spec: {containers: [{name: app, image: "bench:v1", ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: default}
spec:
  ingressClassName: nginx
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: bench-service, port: {number: 80}}}}
EOF
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

wait_up() {
  for _ in $(seq 1 50); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  curl -fs "$1" >/dev/null || { echo "target did not start at $1:" >&2; cat "$dir"/*.log >&2; exit 2; }
}

cpu() { awk '{printf "%.1f", ($1 + $2) * 1e6 / '"$1"'}' "$2"; }
bench_target() {  # $1 = label, $2 = url
  local label="$1" url="$2"
  echo
  echo "target: $label at $url, concurrency $conc, ${secs}s per run, $rounds rounds, wrk -t${threads:-2}, ours ${threads:+-t $threads}${threads:-with its default threads}"
  printf "%-6s %12s %12s %8s %14s %14s\n" round "wrk req/s" "ours req/s" ratio "wrk µs/req" "ours µs/req"
  ratios=()
  for r in $(seq 1 "$rounds"); do
    wrk_out="$(/usr/bin/time -f "%U %S" -o "$dir/wrk.time" wrk -t"${threads:-2}" -c"$conc" -d"${secs}s" "$url")"
    wrk_rps="$(printf '%s\n' "$wrk_out" | awk '/^Requests\/sec:/ {print $2}')"
    wrk_n="$(printf '%s\n' "$wrk_out" | awk '/requests in/ {print $1}')"
    ours_json="$(/usr/bin/time -f "%U %S" -o "$dir/ours.time" "$cli" traffic ${threads:+-t "$threads"} -c "$conc" -d "${secs}s" --json "$url")"
    read -r ours_rps ours_n < <(printf '%s' "$ours_json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f %d" % (d["requestsPerSecond"], d["total"]) if d["errors"]==0 else "errors:%d 0" % d["errors"])')
    case "$ours_rps" in errors:*) echo "our run had $ours_rps" >&2; exit 1 ;; esac
    ratio="$(python3 -c "print('%.3f' % ($ours_rps / $wrk_rps))")"
    ratios+=("$ratio")
    printf "%-6s %12s %12s %8s %14s %14s\n" "$r" "$wrk_rps" "$ours_rps" "$ratio" "$(cpu "$wrk_n" "$dir/wrk.time")" \
      "$(cpu "$ours_n" "$dir/ours.time")"
  done
  median="$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
  echo "median ratio ours/wrk against $label: $median (target >= 0.7)"
}

echo "req/s decides the ratio; CPU µs per request (user+sys of the client process) is printed too, because"
echo "on a shared machine it is the steadier measure of the client's own cost."
if [ "$target" = nginx ] || [ "$target" = both ]; then
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  pids+=($!)
  wait_up "http://127.0.0.1:$port/"
  bench_target "nginx (1 worker, fixed JSON)" "http://127.0.0.1:$port/"
fi
if [ "$target" = serve ] || [ "$target" = both ]; then
  "$cli" serve "$dir/serve.yaml" --http 127.0.0.1:0 --https 127.0.0.1:0 --admin 127.0.0.1:0 > "$dir/serve.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^ready ' "$dir/serve.log" && break; sleep 0.1; done
  addr="$(sed -n 's/^ready http=\([^ ]*\).*/\1/p' "$dir/serve.log" | head -1)"
  [ -n "$addr" ] || { echo "serve did not become ready:" >&2; cat "$dir/serve.log" >&2; exit 2; }
  wait_up "http://$addr/"
  bench_target "ingress-lab-cli serve (our proxy + 1 simulated pod)" "http://$addr/"
fi
