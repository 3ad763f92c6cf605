#!/usr/bin/env bash
# Builds the Debian package ingress-lab_<version>_<arch>.deb with CPack's DEB generator and checks it.
#   installers/build-deb.sh [BUILD_DIR]        (default ./build-deb; the .deb is written there)
# Build flags are Debian's (dpkg-buildflags), tests and benchmarks are not built. Dependencies of the package are
# computed from the binaries by dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS). Checks, each fatal:
#   lintian --fail-on error, appstreamcli validate (offline: --no-net), desktop-file-validate.
# Install-test the result in a bare Debian 12 root with installers/install-test.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
build=${1:-build-deb}

bash installers/install-deps.sh
pkgs=(dpkg-dev file gzip lintian appstream desktop-file-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  echo "build-deb: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Reproducible: file times and the man pages' date come from the changelog's top entry.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l installers/debian/changelog -S Timestamp)
export SOURCE_DATE_EPOCH
# Debian's flags, with every hardening feature (adds -z now to -z relro). Passed as cache values, not through the
# environment, so they apply on every run and not only when the build folder is first configured.
export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}
eval "$(dpkg-buildflags --export=sh)"
export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX=/usr -DILAB_PACKAGING=ON \
      -DILAB_BUILD_TESTS=OFF -DILAB_BUILD_BENCH=OFF \
      -DCMAKE_C_FLAGS="$CFLAGS $CPPFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS $CPPFLAGS" \
      -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
rm -f "$build"/ingress-lab_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/ingress-lab_*.deb)
echo "build-deb: $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends Recommends Suggests

# Checks on the files as packaged.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
dpkg-deb -x "$deb" "$check"
appstreamcli validate --no-net --explain "$check"/usr/share/metainfo/*.metainfo.xml
desktop-file-validate "$check"/usr/share/applications/*.desktop
"$check"/usr/bin/ingress-lab-cli --version
echo "build-deb: lintian"
lintian --fail-on error --info --display-level '>=warning' "$deb"
echo "build-deb: OK $deb"
