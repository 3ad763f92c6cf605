#!/usr/bin/env bash
# Proxy benchmark: our data plane vs nginx and haproxy, in front of the same backend (nginx returning a small
# JSON body), with wrk -t1 on loopback. HTTP and HTTPS, 50 and 200 connections, interleaved in one run (run-to-run
# spread on shared machines is 10-20 %: compare only within one run). One worker each; upstream keep-alive
# pools >= the concurrency. Prints req/s, p50, p99 and CPU microseconds per request per cell, ours / nginx for
# both (cpu ratio < 1 = we spend less CPU per request); then the resident memory of our
# proxy with 2,000 idle connections open.
#
#   tests/bench/proxy_bench.sh [BUILD_DIR]         (BUILD_DIR defaults to ./build; needs its proxy_bench)
#   DURATION=10s ROUNDS=1 PERF=1 STAND_IN=1 tests/bench/proxy_bench.sh build-x
#
# PERF=1 records `perf record -g` of our proxy during the HTTP c50 cell into $TMP/perf.data and prints the top
# symbols. STAND_IN=1 runs our proxy with a fixed decision instead of the compiled route table.
set -euo pipefail

BUILD=${1:-build}
BIN=$BUILD/proxy_bench
[ -x "$BIN" ] || BIN=$BUILD/tests/proxy_bench
[ -x "$BIN" ] || { echo "proxy_bench not found in $BUILD (ninja -C $BUILD proxy_bench)" >&2; exit 1; }
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-1}
for tool in nginx haproxy wrk openssl curl python3; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "missing $tool" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

T=$(mktemp -d /tmp/proxy-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$T"/*.pid; do [ -f "$f" ] && kill "$(cat "$f" 2>/dev/null)" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
B=$(free_port); NG=$(free_port); NGS=$(free_port); HA=$(free_port); HAS=$(free_port); OU=$(free_port); OUS=$(free_port)

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench.local -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
cat "$T/cert.pem" "$T/key.pem" > "$T/combined.pem"

cat > "$T/backend.conf" <<EOF
worker_processes 1;
daemon off;
pid $T/backend.pid;
error_log $T/backend.err;
events { worker_connections 8000; }
http {
  access_log off;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$B backlog=4096;
    location / { default_type application/json; return 200 '{"service":"bench","pod":"bench-0","ok":true}'; }
  }
}
EOF

cat > "$T/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $T/nginx.pid;
error_log $T/nginx.err;
events { worker_connections 8000; }
http {
  access_log off;
  keepalive_requests 10000000;
  upstream be { server 127.0.0.1:$B; keepalive 512; keepalive_requests 10000000; }
  server {
    listen 127.0.0.1:$NG backlog=4096;
    listen 127.0.0.1:$NGS ssl backlog=4096;
    ssl_certificate $T/cert.pem;
    ssl_certificate_key $T/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF

cat > "$T/haproxy.cfg" <<EOF
global
  maxconn 8000
  nbthread 1
  pidfile $T/haproxy.pid
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$HA
  bind 127.0.0.1:$HAS ssl crt $T/combined.pem alpn http/1.1
  default_backend be
backend be
  server s1 127.0.0.1:$B maxconn 1000
EOF

"$NGINX" -c "$T/backend.conf" -p "$T" & PIDS+=($!)
"$NGINX" -c "$T/nginx.conf" -p "$T" & NGINX_PID=$!; PIDS+=($NGINX_PID)
"$HAPROXY" -f "$T/haproxy.cfg" -db >/dev/null 2>&1 & HAPROXY_PID=$!; PIDS+=($HAPROXY_PID)
OURS_ARGS=(--backend-port "$B" --http "$OU" --https "$OUS" --workers 1 --cert "$T/cert.pem" --key "$T/key.pem")
[ -n "${STAND_IN:-}" ] && OURS_ARGS+=(--stand-in)
"$BIN" "${OURS_ARGS[@]}" > "$T/ours.out" 2>&1 & OURS_PID=$!; PIDS+=($OURS_PID)

wait_up() { for _ in $(seq 100); do curl -sk -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not answering: $1" >&2; cat "$T"/*.err "$T/ours.out" >&2 || true; exit 1; }
for u in "http://127.0.0.1:$B/" "http://127.0.0.1:$NG/" "https://127.0.0.1:$NGS/" "http://127.0.0.1:$HA/" \
         "https://127.0.0.1:$HAS/" "http://127.0.0.1:$OU/" "https://127.0.0.1:$OUS/"; do wait_up "$u"; done
body=$(curl -s "http://127.0.0.1:$OU/")
[ "$body" = '{"service":"bench","pod":"bench-0","ok":true}' ] || { echo "unexpected body through our proxy: $body" >&2; exit 1; }

# CPU time (user+system, clock ticks) of a process and its children threads: utime+stime from /proc.
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
TICK=$(getconf CLK_TCK)
# On a shared, loaded machine req/s swings with the CPU share each process gets; CPU microseconds per request
# (the proxy's own CPU time / requests served) is the steadier measure of efficiency, printed next to req/s.

# wrk output -> "rps p50ms p99ms cpu_us_per_request"
to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }
run_wrk() {
  local url=$1 c=$2 out before after reqs
  shift 2
  before=$(cpu_ticks "$@")
  out=$(wrk -t1 -c"$c" -d"$DURATION" --latency "$url" 2>&1)
  after=$(cpu_ticks "$@")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  [ -n "$errs" ] && echo "  ($url c$c: $errs)" >&2
  echo "${rps:-0} $(to_ms "${p50:-0}") $(to_ms "${p99:-0}") $(awk -v d=$((after - before)) -v n="${reqs:-0}" -v hz="$TICK" 'BEGIN { printf "%.1f", (n > 0 ? d / hz * 1e6 / n : 0) }')"
}

declare -A RES
echo "warming up..." >&2
for u in "http://127.0.0.1:$NG/" "http://127.0.0.1:$HA/" "http://127.0.0.1:$OU/"; do wrk -t1 -c50 -d2s "$u" >/dev/null 2>&1; done

for round in $(seq "$ROUNDS"); do
  for proto in http https; do
    for c in 50 200; do
      # Rotate the order per cell so no proxy always runs first (thermal/noise drift).
      case $(( (round + c / 50) % 3 )) in
        0) order="nginx haproxy ours" ;; 1) order="haproxy ours nginx" ;; *) order="ours nginx haproxy" ;;
      esac
      for who in $order; do
        case $who in
          nginx) port=$NG; [ $proto = https ] && port=$NGS; pids="$(ps -o pid= --ppid "$NGINX_PID" | tr '\n' ' ')" ;;
          haproxy) port=$HA; [ $proto = https ] && port=$HAS; pids=$HAPROXY_PID ;;
          ours) port=$OU; [ $proto = https ] && port=$OUS; pids=$OURS_PID ;;
        esac
        if [ -n "${PERF:-}" ] && [ $who = ours ] && [ $proto = http ] && [ $c = 50 ] && [ "$round" = 1 ]; then
          perf record -g -o "$T/perf.data" -p "$OURS_PID" >/dev/null 2>&1 & PERF_PID=$!
          sleep 0.2
        fi
        # shellcheck disable=SC2086
        r=$(run_wrk "$proto://127.0.0.1:$port/" "$c" $pids)
        if [ -n "${PERF_PID:-}" ]; then kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true; unset PERF_PID; fi
        echo "  round $round $proto c$c $who: $r" >&2
        prev=${RES[$proto,$c,$who]:-}
        RES[$proto,$c,$who]="$prev$r;"
      done
    done
  done
done

# Median over rounds (1 round: the value itself).
median_field() { tr ';' '\n' <<<"$1" | awk -v f="$2" 'NF {print $f}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '\n%-6s %-4s | %-33s | %-33s | %-33s | %s\n' proto conn "nginx req/s p50 p99 cpu-us/req" "haproxy req/s p50 p99 cpu-us/req" "ours req/s p50 p99 cpu-us/req" "ours/nginx req/s, cpu/req"
printf -- '-------------------------------------------------------------------------------------------------------------------\n'
for proto in http https; do
  for c in 50 200; do
    line=$(printf '%-6s %-4s' $proto "c$c")
    for who in nginx haproxy ours; do
      v=${RES[$proto,$c,$who]}
      line+=$(printf ' | %7.0f %7sms %7sms %6s' "$(median_field "$v" 1)" "$(median_field "$v" 2)" "$(median_field "$v" 3)" "$(median_field "$v" 4)")
    done
    ratio=$(awk -v a="$(median_field "${RES[$proto,$c,ours]}" 1)" -v b="$(median_field "${RES[$proto,$c,nginx]}" 1)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    cpur=$(awk -v a="$(median_field "${RES[$proto,$c,ours]}" 4)" -v b="$(median_field "${RES[$proto,$c,nginx]}" 4)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    echo "$line | $ratio, $cpur"
  done
done

# Resident memory of our proxy with 2,000 idle connections (half plain, half TLS with a finished handshake).
RSS_BEFORE=$(awk '/VmRSS/ {print $2}' /proc/$OURS_PID/status)
python3 - "$OU" "$OUS" "$OURS_PID" <<'EOF'
import socket, ssl, sys, time
http, https, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
conns = []
for i in range(1000):
    conns.append(socket.create_connection(("127.0.0.1", http)))
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", https))
    conns.append(ctx.wrap_socket(s, server_hostname="bench.local"))
time.sleep(1.0)
rss = [l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0]
print(f"\nours: RSS with 2,000 idle connections (1,000 plain + 1,000 TLS): {int(rss)/1024:.1f} MB")
EOF
echo "ours: RSS before opening them: $(awk -v k="$RSS_BEFORE" 'BEGIN {printf "%.1f", k/1024}') MB"

if [ -n "${PERF:-}" ] && [ -f "$T/perf.data" ]; then
  echo; echo "perf: top symbols of our proxy (HTTP c50)"
  perf report -i "$T/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
fi
