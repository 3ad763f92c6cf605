#!/usr/bin/env bash
# Starts a real etcd + kube-apiserver v1.20.2 on 127.0.0.1 for one test, everything inside DIR.
#   tests/kube/start-apiserver.sh DIR        (then tests/kube/stop-apiserver.sh DIR)
#   tests/kube/start-apiserver.sh --restart-apiserver DIR
#       restarts only kube-apiserver, on the same port with the same certificates, tokens and etcd data (tests of
#       reconnects and of watches across a restart); DIR/pids and DIR/env get the new PID
#
# DIR gets fresh credentials on every start:
#   pki/                 CA, serving cert (SANs localhost, 127.0.0.1, kubernetes.default.svc...), client certs
#                        admin (CN=ilab-admin, O=system:masters) and limited (CN=ilab-limited, no RBAC rights),
#                        service-account key pair, kubelet.crt/key (serving cert of the stand-in kubelet,
#                        SAN 127.0.0.1) and kubelet-client.crt/key (the API server's client cert towards kubelets)
#   tokens.csv           --token-auth-file: admin.token (ilab-admin-token, system:masters), limited.token, oidc.token
#   *.kubeconfig         admin-cert, admin-certfiles, admin-token, admin-tokenfile, limited, limited-token, admin-oidc
#                        (cluster/context kind-ilab, namespace default)
#   env                  KEY=value lines: ILAB_KUBE_SERVER, ports, PIDs, start-up seconds
#   pids                 "name pid exe" per started process (stop-apiserver.sh stops exactly these)
#   etcd/ logs/          etcd data, etcd.log, kube-apiserver.log
# Ports are chosen free at random (apiserver, etcd client, etcd peer), so parallel tests do not collide; a
# lost race for a port is retried with new ports.
#
# Environment (optional):
#   ILAB_KUBE_APISERVER   binary (default ${ILAB_KUBE_CACHE:-$HOME/.cache/ingress-lab/kube}/v1.20.2/bin/kube-apiserver)
#   ILAB_ETCD             etcd binary (default: etcd in PATH)
#   ILAB_KUBE_READY_TIMEOUT  seconds to wait for /readyz (default 180)
#   ILAB_KUBE_OWNER_PID   when this process exits, a watchdog runs stop-apiserver.sh DIR (tests set it)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { printf 'start-apiserver: %s\n' "$*" >&2; exit 1; }
restart=0
if [[ ${1:-} == --restart-apiserver ]]; then restart=1; shift; fi
[[ $# -eq 1 && -n $1 ]] || die "usage: $0 [--restart-apiserver] DIR"
mkdir -p "$1"
dir=$(cd "$1" && pwd)

apiserver=${ILAB_KUBE_APISERVER:-${ILAB_KUBE_CACHE:-$HOME/.cache/ingress-lab/kube}/v1.20.2/bin/kube-apiserver}
etcd=${ILAB_ETCD:-$(command -v etcd || true)}
ready_timeout=${ILAB_KUBE_READY_TIMEOUT:-180}
[[ -x $apiserver ]] || die "kube-apiserver not found at $apiserver: run tests/kube/build-apiserver.sh"
[[ -n $etcd && -x $etcd ]] || die "etcd not found: apt-get install etcd-server (installers/install-deps.sh)"
for tool in openssl curl; do command -v "$tool" >/dev/null || die "'$tool' not found"; done

now() { date +%s.%N; }
pki=$dir/pki

# ---------------------------------------------------------------- processes
pids=()
drop_pids() { # remove these PIDs' lines from DIR/pids
  [[ -e $dir/pids ]] || return 0
  awk -v drop=" $* " 'index(drop, " " $2 " ") == 0' "$dir/pids" >"$dir/pids.new" && mv "$dir/pids.new" "$dir/pids"
}
stop_started() { # what this run started, nothing else (a failed restart leaves etcd and the watchdog alone)
  local pid
  ((${#pids[@]} > 0)) || return 0
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  drop_pids "${pids[@]}"
  pids=()
}
fail() { # message, log to show
  printf 'start-apiserver: %s\n' "$1" >&2
  [[ -n ${2:-} && -s $2 ]] && { echo "--- last lines of $2:" >&2; tail -n 30 "$2" >&2; }
  stop_started
  exit 1
}
port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
pick_port() { # a random free port in 20000-32767 (below Linux's ephemeral range), not in "$@"
  local p
  while :; do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
    [[ " $* " == *" $p "* ]] && continue
    port_free "$p" && { echo "$p"; return; }
  done
}
in_use() { grep -q -i -e 'address already in use' "$1" 2>/dev/null; }
started() { # name pid exe
  pids+=("$2")
  echo "$1 $2 $3" >>"$dir/pids"
}

# kube-apiserver. Beyond the usual flags:
#   --insecure-port=0                 1.20 would also serve 127.0.0.1:8080 without authentication
#   --endpoint-reconciler-type=none   the "kubernetes" Service cannot get a loopback endpoint (validation)
#   --disable-admission-plugins=ServiceAccount  no controller-manager creates the default ServiceAccount
#   --storage-media-type=application/json  readable etcd values (tests may write Endpoints straight to etcd)
#   --kubelet-*                       the stand-in kubelet (tests/support/fake_kubelet.h): the API server dials a
#                                     Node's InternalIP (127.0.0.1) at its status.daemonEndpoints port, verifies the
#                                     kubelet's serving cert (pki/kubelet.crt) against the CA and presents
#                                     pki/kubelet-client.crt (CN=kube-apiserver-kubelet-client, O=system:masters)
launch_apiserver() {
  "$apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_client" --storage-media-type=application/json \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" --insecure-port=0 \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --cert-dir="$pki/generated" --client-ca-file="$pki/ca.crt" --token-auth-file="$dir/tokens.csv" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range=10.96.0.0/12 --endpoint-reconciler-type=none \
    --disable-admission-plugins=ServiceAccount --profiling=false --v=1 \
    --kubelet-preferred-address-types=InternalIP --kubelet-certificate-authority="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/kubelet-client.crt" --kubelet-client-key="$pki/kubelet-client.key" \
    </dev/null >"$dir/logs/kube-apiserver.log" 2>&1 &
  api_pid=$!
  started kube-apiserver "$api_pid" "$apiserver"
}
# /readyz does not wait for the system namespaces (the bootstrap controller creates them in the background), and a
# test that applies into "default" right away would get NotFound: wait for default and kube-system as well.
has_ns() { [[ $("${admin_curl[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$api_port/api/v1/namespaces/$1" 2>/dev/null) == 200 ]]; }
apiserver_ready() { # 0 once /readyz says ok and the namespaces exist; 1 when kube-apiserver exits or the timeout passes
  local deadline=$(($(date +%s) + ready_timeout))
  while (($(date +%s) < deadline)); do
    if [[ $("${admin_curl[@]}" "https://127.0.0.1:$api_port/readyz" 2>/dev/null || true) == ok ]] &&
      has_ns default && has_ns kube-system; then
      return 0
    fi
    kill -0 "$api_pid" 2>/dev/null || return 1
    kill -0 "$etcd_pid" 2>/dev/null || fail "etcd exited while kube-apiserver was starting" "$dir/logs/etcd.log"
    sleep 0.2
  done
  return 1
}
admin_curl=(curl -sS --noproxy '*' --max-time 5 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key")

if ((restart)); then
  [[ -s $dir/env && -s $dir/pids ]] || die "$dir has no running server to restart (no env or pids)"
  envval() { sed -n "s/^$1=//p" "$dir/env"; }
  api_port=$(envval ILAB_KUBE_PORT)
  etcd_pid=$(envval ILAB_ETCD_PID)
  etcd_client=$(envval ILAB_ETCD_CLIENT_PORT)
  old_pid=$(envval ILAB_KUBE_APISERVER_PID)
  kill -0 "$etcd_pid" 2>/dev/null || die "etcd (pid $etcd_pid) of $dir is not running"
  t0=$(now)
  old_exe=$(readlink "/proc/$old_pid/exe" 2>/dev/null || true)
  if [[ ${old_exe% (deleted)} == "$(readlink -f "$apiserver")" ]]; then
    kill -TERM "$old_pid"
    for _ in $(seq 1 200); do kill -0 "$old_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$old_pid" 2>/dev/null || true
  fi
  drop_pids "$old_pid"
  mv -f "$dir/logs/kube-apiserver.log" "$dir/logs/kube-apiserver.log.$old_pid" 2>/dev/null || true
  trap 'stop_started; exit 1' INT TERM
  launch_apiserver
  apiserver_ready || fail "restarted kube-apiserver not ready on 127.0.0.1:$api_port" "$dir/logs/kube-apiserver.log"
  sed -i "s/^ILAB_KUBE_APISERVER_PID=.*/ILAB_KUBE_APISERVER_PID=$api_pid/" "$dir/env"
  echo "kube-apiserver restarted on 127.0.0.1:$api_port (pid $api_pid) in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')s"
  exit 0
fi

if [[ -s $dir/pids ]]; then
  while read -r _ pid _; do
    kill -0 "$pid" 2>/dev/null && die "$dir already has a running server (pid $pid): stop-apiserver.sh $dir first"
  done <"$dir/pids"
fi
rm -rf "$dir/pki" "$dir/etcd" "$dir/logs" "$dir/pids" "$dir/env" "$dir"/*.kubeconfig "$dir"/*.token "$dir/tokens.csv"
mkdir -p "$dir/pki" "$dir/logs" "$dir/etcd"
chmod 700 "$dir" "$dir/etcd" "$dir/pki"
t0=$(now)

# ---------------------------------------------------------------- credentials
ossl() { openssl "$@" >>"$dir/logs/openssl.log" 2>&1 || die "openssl $1 failed (see $dir/logs/openssl.log)"; }
# RSA keys in the traditional PKCS#1 form ("BEGIN RSA PRIVATE KEY"), as kind's kubeconfigs carry them.
key() { ossl genrsa -traditional -out "$pki/$1.key" 2048; }
key ca
ossl req -x509 -new -sha256 -days 7 -key "$pki/ca.key" -subj "/CN=ilab-kube-ca" -out "$pki/ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
cert() { # name subject extensions...
  local name=$1 subject=$2; shift 2
  key "$name"
  printf '%s\n' "$@" >"$pki/$name.ext"
  ossl req -new -sha256 -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr"
  ossl x509 -req -sha256 -days 7 -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -extfile "$pki/$name.ext" -out "$pki/$name.crt"
}
cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" \
  "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1"
client_ext=("basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth")
cert admin "/O=system:masters/CN=ilab-admin" "${client_ext[@]}"     # O = group: cluster-admin by bootstrap RBAC
cert limited "/CN=ilab-limited" "${client_ext[@]}"                 # no group, no bindings: 403 on resources
# The stand-in kubelet's serving certificate and the API server's client certificate towards kubelets.
cert kubelet "/CN=fake-node" "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1"
cert kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "${client_ext[@]}"
ossl genrsa -out "$pki/sa.key" 2048
ossl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
rm -f "$pki"/*.csr "$pki"/*.ext "$pki"/*.srl
chmod 600 "$pki"/*.key

token() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
admin_token=$(token)
limited_token=$(token)
printf '%s\n' "$admin_token" >"$dir/admin.token"
printf '%s\n' "$limited_token" >"$dir/limited.token"
# An OIDC id-token for the auth-provider user: a JWT whose payload kubectl's oidc provider reads (exp in 2100, so
# it is used as is and never refreshed); the signature is random, as the API server takes it from tokens.csv.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
oidc_token="$(printf '{"alg":"RS256","typ":"JWT"}' | b64url).$(printf '{"iss":"https://issuer.invalid","sub":"ilab-oidc","aud":"ingress-lab","exp":4102444800}' | b64url).$(head -c 32 /dev/urandom | b64url)"
printf '%s\n' "$oidc_token" >"$dir/oidc.token"
printf '%s,ilab-admin-token,ilab-admin-token-uid,"system:masters"\n%s,ilab-limited,ilab-limited-uid\n%s,ilab-oidc,ilab-oidc-uid,"system:masters"\n' \
  "$admin_token" "$limited_token" "$oidc_token" >"$dir/tokens.csv"
chmod 600 "$dir"/*.token "$dir/tokens.csv"
t_certs=$(now)

trap 'stop_started; exit 1' INT TERM
attempt=0
while :; do
  attempt=$((attempt + 1))
  etcd_client=$(pick_port)
  etcd_peer=$(pick_port "$etcd_client")
  api_port=$(pick_port "$etcd_client" "$etcd_peer")
  rm -rf "$dir/etcd" && mkdir -p "$dir/etcd" && chmod 700 "$dir/etcd"

  # etcd: plain HTTP on loopback, its own client and peer port, data in DIR.
  "$etcd" --name ilab --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "ilab=http://127.0.0.1:$etcd_peer" --initial-cluster-state new --initial-cluster-token "ilab-$$" \
    --logger zap --log-level warn </dev/null >"$dir/logs/etcd.log" 2>&1 &
  etcd_pid=$!
  started etcd "$etcd_pid" "$etcd"
  ok=0
  for _ in $(seq 1 300); do
    if curl -s --noproxy '*' --max-time 2 "http://127.0.0.1:$etcd_client/health" 2>/dev/null | grep -q '"health":"true"'; then ok=1; break; fi
    kill -0 "$etcd_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ((ok == 0)); then
    if in_use "$dir/logs/etcd.log" && ((attempt < 5)); then stop_started; continue; fi
    fail "etcd did not become healthy on 127.0.0.1:$etcd_client" "$dir/logs/etcd.log"
  fi
  t_etcd=$(now)

  launch_apiserver
  ok=0
  apiserver_ready && ok=1
  if ((ok == 0)); then
    if in_use "$dir/logs/kube-apiserver.log" && ((attempt < 5)); then stop_started; continue; fi
    kill -0 "$api_pid" 2>/dev/null && "${admin_curl[@]}" "https://127.0.0.1:$api_port/readyz?verbose" >&2 || true
    fail "kube-apiserver not ready on 127.0.0.1:$api_port after ${ready_timeout}s" "$dir/logs/kube-apiserver.log"
  fi
  break
done
t_ready=$(now)
trap - INT TERM

# ---------------------------------------------------------------- kubeconfigs
server=https://127.0.0.1:$api_port
b64() { base64 -w0 <"$1"; }
kubeconfig() { # file user cluster-fields user-fields
  {
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: kind-ilab\n  cluster:\n    server: %s\n%s\n' "$server" "$3"
    printf 'users:\n- name: %s\n  user:\n%s\n' "$2" "$4"
    printf 'contexts:\n- name: kind-ilab\n  context:\n    cluster: kind-ilab\n    user: %s\n    namespace: default\n' "$2"
    printf 'current-context: kind-ilab\npreferences: {}\n'
  } >"$dir/$1.kubeconfig"
  chmod 600 "$dir/$1.kubeconfig"
}
ca_data="    certificate-authority-data: $(b64 "$pki/ca.crt")"
kubeconfig admin-cert kind-ilab "$ca_data" \
  "    client-certificate-data: $(b64 "$pki/admin.crt")
    client-key-data: $(b64 "$pki/admin.key")"
# Relative paths: resolved against the kubeconfig file's directory.
kubeconfig admin-certfiles kind-ilab "    certificate-authority: pki/ca.crt" \
  "    client-certificate: pki/admin.crt
    client-key: pki/admin.key"
kubeconfig admin-token kind-ilab "$ca_data" "    token: $admin_token"
kubeconfig admin-tokenfile kind-ilab "$ca_data" "    tokenFile: admin.token"
kubeconfig limited ilab-limited "$ca_data" \
  "    client-certificate-data: $(b64 "$pki/limited.crt")
    client-key-data: $(b64 "$pki/limited.key")"
kubeconfig limited-token ilab-limited "$ca_data" "    token: $limited_token"
kubeconfig admin-oidc ilab-oidc "$ca_data" "    auth-provider:
      name: oidc
      config:
        idp-issuer-url: https://issuer.invalid
        client-id: ingress-lab
        id-token: $oidc_token"

# ---------------------------------------------------------------- watchdog
# Stops the server when the owner (the test process) dies without calling stop-apiserver.sh.
if [[ -n ${ILAB_KUBE_OWNER_PID:-} ]]; then
  setsid bash -c 'alive() { [[ -r /proc/$1/stat ]] && [[ $(sed "s/.*) //" "/proc/$1/stat" | cut -d" " -f1) != Z ]]; }
                  while alive "$1"; do sleep 1; done
                  [[ -e "$2/pids" ]] && exec bash "$3/stop-apiserver.sh" "$2"' \
    ilab-kube-watchdog "$ILAB_KUBE_OWNER_PID" "$dir" "$here" </dev/null >>"$dir/logs/watchdog.log" 2>&1 &
  echo "watchdog $! $(readlink -f "$(command -v bash)")" >>"$dir/pids"
fi

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
cat >"$dir/env" <<EOF
ILAB_KUBE_SERVER=$server
ILAB_KUBE_PORT=$api_port
ILAB_KUBE_DIR=$dir
ILAB_KUBE_APISERVER_PID=$api_pid
ILAB_ETCD_URL=http://127.0.0.1:$etcd_client
ILAB_ETCD_CLIENT_PORT=$etcd_client
ILAB_ETCD_PEER_PORT=$etcd_peer
ILAB_ETCD_PID=$etcd_pid
ILAB_KUBE_START_SECONDS=$(secs "$t0" "$t_ready")
EOF
echo "kube-apiserver $server (pid $api_pid), etcd http://127.0.0.1:$etcd_client (pid $etcd_pid) in $dir"
echo "start-up: certificates $(secs "$t0" "$t_certs")s, etcd +$(secs "$t_certs" "$t_etcd")s, apiserver ready +$(secs "$t_etcd" "$t_ready")s, total $(secs "$t0" "$t_ready")s (attempts: $attempt)"
