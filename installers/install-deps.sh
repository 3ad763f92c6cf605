#!/usr/bin/env bash
# Installs what Ingress Lab needs to build, run and test, from Debian/Ubuntu packages.
# Idempotent: packages already present are skipped; apt is only touched when something is missing.
# Usage: installers/install-deps.sh [--bench]   (--bench adds nginx-independent benchmark tools)
set -euo pipefail

BUILD_PKGS=(cmake ninja-build g++ pkg-config git ca-certificates
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6svg6 qt6-qpa-plugins
  libyaml-cpp-dev libcurl4-openssl-dev libssl-dev node-llhttp libqscintilla2-qt6-dev
  libgl-dev libqt6opengl6-dev libxkbcommon-dev)
RUN_PKGS=(libqt6network6 libqt6charts6 openssl fonts-dejavu-core)
TEST_PKGS=(xvfb xauth curl procps psmisc)
# The real kube-apiserver for the kube tests (tests/kube/): etcd runs beside it, Go + dpkg-dev build it once
# from Debian's source package (tests/kube/build-apiserver.sh). iproute2: ss, to pick free ports.
KUBE_TEST_PKGS=(etcd-server golang-go dpkg-dev iproute2 openssl)
# ccache: repeated builds (CI on the same machine, a second checkout) reuse object files. lld: links the ~130 test
# programs 3 to 4 times faster than ld.bfd (CMakeLists.txt, ILAB_FAST_LINK).
TOOL_PKGS=(ccache lld)
BENCH_PKGS=(nginx-light haproxy wrk)

want=("${BUILD_PKGS[@]}" "${RUN_PKGS[@]}" "${TEST_PKGS[@]}" "${KUBE_TEST_PKGS[@]}" "${TOOL_PKGS[@]}")
if [[ "${1:-}" == "--bench" ]]; then want+=("${BENCH_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# kubectl for the kube tests (tested with 1.32.4; Debian's kubernetes-client is 1.20.2): installed only when none is
# installed, since it cannot be installed beside another kubectl package.
if ! command -v kubectl >/dev/null 2>&1; then missing+=(kubernetes-client); fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
