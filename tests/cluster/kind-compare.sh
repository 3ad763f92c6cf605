#!/usr/bin/env bash
# Predicted vs observed against a real ingress-nginx (issue 13), for machines that have kind or minikube (and
# docker). Not run in CI: it needs a container runtime and registry access.
#
#   tests/cluster/kind-compare.sh              kind: documented ingress config (extraPortMappings 80/443 on
#                                              127.0.0.1, node label ingress-ready=true) + ingress-nginx's kind manifest
#   tests/cluster/kind-compare.sh --minikube   minikube: `minikube addons enable ingress`
#   options: --keep (leave the cluster running), --name NAME (default ilab-compare), -n N (requests, default 1000)
#   env: ILAB_CLI (default: ingress-lab-cli on PATH, else build/app/ingress-lab-cli)
#
# Steps: create the cluster with ingress-nginx, wait for the controller, deploy the demo workspace's canary lesson
# (`ingress-lab-cli export demo | kubectl apply -f -`) with its Deployments turned into echo backends that answer
# {"service":"<Service name>","pod":"<pod name>"} (hashicorp/http-echo; the same backend keys as the simulated
# pods), wait for the Ingress status, then run `traffic --compare` (exit code: 0 agree, 1 disagreement).
set -euo pipefail

PROVIDER=kind
NAME=ilab-compare
KEEP=0
REQUESTS=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --minikube) PROVIDER=minikube ;;
    --kind) PROVIDER=kind ;;
    --keep) KEEP=1 ;;
    --name) NAME="$2"; shift ;;
    -n) REQUESTS="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "kind-compare.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

here="$(cd "$(dirname "$0")" && pwd)"
CLI="${ILAB_CLI:-}"
if [ -z "$CLI" ]; then
  if command -v ingress-lab-cli >/dev/null; then CLI=ingress-lab-cli; else CLI="$here/../../build/app/ingress-lab-cli"; fi
fi
for tool in kubectl "$PROVIDER" "$CLI"; do
  command -v "$tool" >/dev/null || [ -x "$tool" ] || { echo "kind-compare.sh: '$tool' not found" >&2; exit 2; }
done

INGRESS_NGINX_KIND_MANIFEST=https://raw.githubusercontent.com/kubernetes/ingress-nginx/main/deploy/static/provider/kind/deploy.yaml

cleanup() {
  if [ "$KEEP" = 0 ]; then
    echo "== deleting the cluster (--keep leaves it)"
    if [ "$PROVIDER" = kind ]; then kind delete cluster --name "$NAME" || true; else minikube delete -p "$NAME" || true; fi
  fi
}
trap cleanup EXIT

echo "== creating the $PROVIDER cluster '$NAME' with ingress-nginx"
if [ "$PROVIDER" = kind ]; then
  CONTEXT="kind-$NAME"
  # kind's documented ingress config: the controller pod's hostPorts 80/443 are published on the host.
  cat <<KIND | kind create cluster --name "$NAME" --config=-
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
  kubeadmConfigPatches:
  - |
    kind: InitConfiguration
    nodeRegistration:
      kubeletExtraArgs:
        node-labels: "ingress-ready=true"
  extraPortMappings:
  - containerPort: 80
    hostPort: 80
    protocol: TCP
  - containerPort: 443
    hostPort: 443
    protocol: TCP
KIND
  kubectl --context "$CONTEXT" apply -f "$INGRESS_NGINX_KIND_MANIFEST"
else
  CONTEXT="$NAME"
  minikube start -p "$NAME"
  minikube -p "$NAME" addons enable ingress
fi
K=(kubectl --context "$CONTEXT")
"${K[@]}" wait --namespace ingress-nginx --for=condition=ready pod \
  --selector=app.kubernetes.io/component=controller --timeout=300s

echo "== deploying the canary lesson (demo workspace) with echo backends"
# Everything the design holds, including its ingress-nginx ConfigMap (so the cluster's controller runs the settings
# the prediction assumes; minikube's addon, for one, sets hsts "false") and the TLS Secret's generated key pair.
"$CLI" export demo --include-generated-keys | "${K[@]}" apply -f -
# Every Deployment becomes an echo pod that names its Service (the key the simulated pods answer with).
"${K[@]}" get services -n default -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.selector.app}{"\n"}{end}' |
while read -r svc app; do
  [ -n "$app" ] || continue
  "${K[@]}" get deployment "$app" -n default >/dev/null 2>&1 || continue
  "${K[@]}" patch deployment "$app" -n default --type=json -p "[
    {\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"hashicorp/http-echo:1.0\"},
    {\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/env\",\"value\":[{\"name\":\"POD_NAME\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}]},
    {\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/args\",\"value\":[\"-listen=:8080\",\"-text={\\\"service\\\":\\\"$svc\\\",\\\"pod\\\":\\\"\$(POD_NAME)\\\",\\\"namespace\\\":\\\"default\\\"}\"]}
  ]"
done
"${K[@]}" wait --namespace default --for=condition=available deployment --all --timeout=300s

echo "== waiting for the controller to publish the Ingress status"
for _ in $(seq 1 60); do
  address="$("${K[@]}" get ingress version-stable -n default -o jsonpath='{.status.loadBalancer.ingress[0]}' 2>/dev/null || true)"
  [ -n "$address" ] && break
  sleep 5
done
echo "   status.loadBalancer.ingress[0] = ${address:-<none yet: the resolver falls back to the Service / hostPort>}"

echo "== predicted vs observed"
set +e
"$CLI" traffic http://api.example.com/version -n "$REQUESTS" -c 10 \
  --compare --workspace demo --context "$CONTEXT" --namespace default
rc=$?
set -e
echo "== traffic --compare exit code: $rc (0 agree, 1 disagreement, 2 could not run)"
exit "$rc"
