#!/usr/bin/env bash
# Builds the real kube-apiserver v1.20.2 that the kube tests run against, from Debian bookworm's
# "kubernetes" source package (1.20.5+really1.20.2 = upstream v1.20.2 with its full vendor/ tree),
# with Debian's Go 1.19, offline (GOFLAGS=-mod=vendor GOPROXY=off CGO_ENABLED=0).
#
# Output: ${ILAB_KUBE_CACHE:-$HOME/.cache/ingress-lab/kube}/v1.20.2/bin/kube-apiserver
# The source and the Go caches live beside it (never in the checkout). When the binary is already
# there, the script prints one line and does nothing else. Remove the binary to force a rebuild.
#
# Needs: golang-go dpkg-dev (apt-get source / dpkg-deb), apt with a bookworm deb-src entry (added here
# when missing, then apt-get update), root or sudo for that. installers/install-deps.sh installs them.
#
# Environment:
#   ILAB_KUBE_CACHE        cache root (default $HOME/.cache/ingress-lab/kube)
#   ILAB_KUBE_BUILD_JOBS   go build -p and GOMAXPROCS (default 1: the machine is usually shared)
#   ILAB_KUBE_BUILD_NICE   nice level for the compiler (default 19)
#   ILAB_KUBE_KEEP_GOCACHE=1  keep the Go build cache (~1 GB) after a successful build
#
# Three changes make Debian's source build and run with Go 1.19 (details in tests/kube/README.md):
#   1. vendor/modules.txt is reordered (fix-vendor-modules.awk)          -> "updates to go.mod needed"
#   2. pkg/generated/openapi/zz_generated.openapi.go is generated          -> "undefined: openapi.GetOpenAPIDefinitions"
#      (upstream's make generates it; the tarball lacks it)
#   3. vendored github.com/modern-go/reflect2 1.0.1 is replaced by 1.0.2   -> SIGSEGV at run time in json-iterator
#      (Debian's golang-github-modern-go-reflect2-dev, downloaded, not installed)
# and both version packages are stamped so that --version and /version say v1.20.2.
set -euo pipefail

VERSION=v1.20.2
GIT_COMMIT=faecb196815e248d3ecfb03c680a4507229c2a56
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${ILAB_KUBE_CACHE:-${HOME:?HOME is not set; set ILAB_KUBE_CACHE}/.cache/ingress-lab/kube}
cache=$root/$VERSION
bin=$cache/bin/kube-apiserver
jobs=${ILAB_KUBE_BUILD_JOBS:-1}
nicelevel=${ILAB_KUBE_BUILD_NICE:-19}

have_binary() { [[ -x $bin ]] && "$bin" --version 2>/dev/null | grep -qx "Kubernetes $VERSION"; }

if have_binary; then
  echo "kube-apiserver $VERSION already built: $bin"
  exit 0
fi

log() { printf '[build-apiserver %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'build-apiserver: %s\n' "$*" >&2; exit 1; }
for tool in go apt-get dpkg-source dpkg-deb awk flock; do
  command -v "$tool" >/dev/null || die "'$tool' not found: run installers/install-deps.sh (packages golang-go dpkg-dev)"
done

mkdir -p "$cache/bin" "$cache/src" "$cache/go"
# One build at a time per cache (two checkouts, or ctest and a manual run): the second waits, then
# finds the binary.
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
  log "another build holds $cache/.build.lock; waiting for it"
  flock 9
fi
if have_binary; then
  echo "kube-apiserver $VERSION already built: $bin"
  exit 0
fi

t_start=$(date +%s)
SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)

# ---------------------------------------------------------------- 1. Debian source package
src=$(find "$cache/src" -maxdepth 1 -type d -name 'kubernetes-*really1.20.2' | head -n 1)
if [[ -z $src || ! -e $src/.ilab-unpacked ]]; then
  if ! apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Package: kubernetes'; then
    list=/etc/apt/sources.list.d/ingress-lab-bookworm-src.sources
    if [[ ! -e $list ]]; then
      log "adding a bookworm deb-src entry: $list"
      printf '%s\n' \
        '# Added by ingress-lab tests/kube/build-apiserver.sh: apt-get source kubernetes (test-only kube-apiserver).' \
        'Types: deb-src' \
        'URIs: http://deb.debian.org/debian' \
        'Suites: bookworm' \
        'Components: main' \
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | "${SUDO[@]}" tee "$list" >/dev/null
    fi
    log "apt-get update"
    "${SUDO[@]}" apt-get update -qq
  fi
  log "apt-get source kubernetes (~35 MB)"
  rm -rf "$cache/src"/kubernetes-*/
  (cd "$cache/src" && apt-get source -qq kubernetes >"$cache/src/apt-get-source.log" 2>&1) \
    || { tail -n 20 "$cache/src/apt-get-source.log" >&2; die "apt-get source kubernetes failed"; }
  src=$(find "$cache/src" -maxdepth 1 -type d -name 'kubernetes-*really1.20.2' | head -n 1)
  [[ -n $src ]] || die "apt-get source did not produce kubernetes-*really1.20.2 in $cache/src (ls: $(ls "$cache/src"))"
  touch "$src/.ilab-unpacked"
fi
log "source: $src"

# ---------------------------------------------------------------- 2. fix 1: vendor/modules.txt
modules=$src/vendor/modules.txt
if [[ ! -e $modules.orig ]]; then
  cp "$modules" "$modules.orig.tmp"
  awk -f "$here/fix-vendor-modules.awk" "$modules.orig.tmp" >"$modules.new"
  mv "$modules.new" "$modules"
  mv "$modules.orig.tmp" "$modules.orig"
  log "reordered vendor/modules.txt (original kept as modules.txt.orig)"
fi

# ---------------------------------------------------------------- 3. fix 2: reflect2 1.0.1 -> 1.0.2
r2=$src/vendor/github.com/modern-go/reflect2
if [[ ! -e $r2/.ilab-reflect2-1.0.2 ]]; then
  dl=$cache/src/reflect2-deb
  rm -rf "$dl" && mkdir -p "$dl"
  (cd "$dl" && apt-get download -qq 'golang-github-modern-go-reflect2-dev' >/dev/null 2>&1) \
    || die "apt-get download golang-github-modern-go-reflect2-dev failed"
  deb=$(find "$dl" -maxdepth 1 -name 'golang-github-modern-go-reflect2-dev_1.0.2*.deb' | head -n 1)
  [[ -n $deb ]] || die "expected reflect2 1.0.2 from Debian, got: $(ls "$dl")"
  dpkg-deb -x "$deb" "$dl/root"
  new=$dl/root/usr/share/gocode/src/github.com/modern-go/reflect2
  [[ -e $new/go_above_118.go ]] || die "$deb has no go_above_118.go; not the reflect2 1.0.2 expected"
  find "$r2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -delete
  find "$new" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -exec cp {} "$r2/" \;
  echo "$(basename "$deb")" >"$r2/.ilab-reflect2-1.0.2"
  log "vendored reflect2 replaced by $(basename "$deb")"
fi

# ---------------------------------------------------------------- Go environment (all inside the cache)
gocache=$cache/go/build-cache
export GOENV=off GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off CGO_ENABLED=0 GOMAXPROCS=$jobs
export GOCACHE=$gocache GOPATH=$cache/go/path GOMODCACHE=$cache/go/path/pkg/mod GOTMPDIR=
unset GOROOT GOBIN GOEXPERIMENT GOOS GOARCH 2>/dev/null || true
mkdir -p "$GOCACHE" "$GOPATH"
gorun() { nice -n "$nicelevel" "$@"; }

# ---------------------------------------------------------------- 4. fix 3: generated OpenAPI definitions
openapi=$src/pkg/generated/openapi/zz_generated.openapi.go
if [[ ! -s $openapi ]]; then
  t0=$(date +%s)
  tools=$cache/go/tools
  mkdir -p "$tools"
  log "building openapi-gen from vendor/"
  (cd "$src" && GOFLAGS=-mod=vendor gorun go build -p "$jobs" -o "$tools/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen)
  # Input packages, as upstream's Makefile.generated_files finds them: every directory with a Go file
  # carrying a "+k8s:" tag comment and "+k8s:openapi-gen=", staging repos named by their vendor/ path,
  # code-generator and sample-apiserver left out.
  dirs=$(set +o pipefail; cd "$src" && find . \( -path ./vendor -o -name '_*' -o -name '.?*' \) -prune -o -type f -name '*.go' -print0 \
    | xargs -0 grep -l -e '+k8s:openapi-gen=' | xargs grep -l -e '^// *+k8s:' \
    | xargs -n 1 dirname | sed -e 's|^\./||' -e 's|^staging/src/|vendor/|' \
    | grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' | LC_ALL=C sort -u)
  [[ -n $dirs ]] || die "found no +k8s:openapi-gen= packages in $src"
  log "running openapi-gen on $(wc -l <<<"$dirs") packages (GOPATH mode, like hack/run-in-gopath.sh)"
  gp=$cache/go/gopath-k8s
  mkdir -p "$gp/src/k8s.io"
  ln -sfn "$src" "$gp/src/k8s.io/kubernetes"
  report=$cache/go/openapi-violations.report
  inputs=$(sed 's|^|k8s.io/kubernetes/|' <<<"$dirs" | paste -sd, -)
  (cd "$gp/src/k8s.io/kubernetes" && GO111MODULE=off GOPATH=$gp GOFLAGS='' gorun "$tools/openapi-gen" \
      --logtostderr -i "$inputs" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
      -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$report") >"$cache/go/openapi-gen.log" 2>&1 \
    || { tail -n 30 "$cache/go/openapi-gen.log" >&2; rm -f "$openapi"; die "openapi-gen failed (log: $cache/go/openapi-gen.log)"; }
  [[ -s $openapi ]] || die "openapi-gen wrote no $openapi"
  # Upstream checks its generator run against the checked-in list of known API rule violations; the
  # same report here shows that the generator saw the same input packages.
  if ! cmp -s "$report" "$src/api/api-rules/violation_exceptions.list"; then
    diff "$src/api/api-rules/violation_exceptions.list" "$report" | head -n 20 >&2 || true
    rm -f "$openapi"
    die "openapi-gen's API rule report differs from api/api-rules/violation_exceptions.list (input packages differ from upstream's)"
  fi
  log "generated $(basename "$openapi") in $(($(date +%s) - t0))s (API rule report matches upstream's list)"
fi

# ---------------------------------------------------------------- 5. go build
t0=$(date +%s)
ldflags="-s -w"
# Both version packages, as hack/lib/version.sh does: --version reads component-base, /version
# (served through the aggregator) reads client-go.
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=20 -X $pkg.gitCommit=$GIT_COMMIT"
  ldflags+=" -X $pkg.gitTreeState=archive -X $pkg.buildDate=2021-01-13T00:00:00Z"   # v1.20.2's release day
done
log "go build ./cmd/kube-apiserver (-p $jobs, nice $nicelevel; ~7 min on 2 idle cores with -p 1, longer on a busy machine)"
(cd "$src" && GOFLAGS=-mod=vendor gorun go build -p "$jobs" -trimpath -ldflags "$ldflags" \
    -o "$bin.partial" ./cmd/kube-apiserver)
mv -f "$bin.partial" "$bin"
have_binary || die "built $bin, but '$bin --version' does not say Kubernetes $VERSION"
log "go build took $(($(date +%s) - t0))s"

# The Go build cache is ~1 GB and only speeds up a rebuild, which the binary makes unnecessary.
if [[ ${ILAB_KUBE_KEEP_GOCACHE:-0} != 1 ]]; then
  size_mb=$(du -sm "$gocache" 2>/dev/null | cut -f1 || echo 0)
  if ((size_mb > 200)); then
    chmod -R u+w "$gocache" 2>/dev/null || true
    rm -rf "$gocache"
    log "removed the Go build cache (${size_mb} MB)"
  fi
  rm -rf "$cache/go/path/pkg/mod" 2>/dev/null || true
fi
log "built $bin ($(du -m "$bin" | cut -f1) MB) in $(($(date +%s) - t_start))s"
"$bin" --version
