#!/usr/bin/env bash
# Build-time measurement (issue 16 item 4). Clones REV of the repository twice into a scratch folder and times,
# with the CI configuration (quickstart.sh: RelWithDebInfo, no benchmarks) and an EMPTY private ccache:
#   clean   first clone, cold ccache (what a fresh machine pays)
#   noop    the same build again with nothing changed
#   touch1  one core .cpp touched (core/routing/compiler.cpp), rebuild
#   second  a second clone in another folder, clean build dir, the ccache the first clone filled (a second CI run on
#           the same machine; CCACHE_BASEDIR makes the paths relative so the other folder hits)
# plus the ccache hit/miss counts of the second build and the load average before each step. Each step reports wall
# time and CPU time (user + sys of everything the build ran).
#   installers/measure-build.sh REV OUTDIR [extra cmake args…]     e.g. … HEAD /tmp/m-pch -DILAB_PCH=ON
# Wall times on a shared machine are noisy; CPU times are comparable across runs.
set -euo pipefail
rev=$1 out=$2
shift 2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${JOBS:-2}
rm -rf "$out"
mkdir -p "$out"
export CCACHE_DIR="$out/ccache" CCACHE_NOHASHDIR=1
mkdir -p "$CCACHE_DIR"
ccache -z >/dev/null
report="$out/times.txt"
: >"$report"

# Wall time depends on what else runs; CPU time (user + sys of the build and every compiler and linker it ran, from
# bash's `time`) hardly does. On an otherwise idle machine wall ~= cpu / jobs for the parallel parts, so the report
# gives both: the CPU seconds are what to compare across runs made under different load.
step() {  # step NAME DIR  (times `cmake --build DIR`)
  local name=$1 dir=$2 t
  echo "$name load: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$report"
  t=$( { TIMEFORMAT='%R %U %S'; time cmake --build "$dir/build" -j "$jobs" >"$out/$name.log" 2>&1; } 2>&1 )
  read -r real user sys <<<"$t"
  printf '%s wall: %.1f s  cpu (user+sys): %.1f s\n' "$name" "$real" "$(echo "$user + $sys" | bc)" >>"$report"
}

for n in 1 2; do
  git clone -q "$repo" "$out/src$n"
  git -C "$out/src$n" checkout -q "$rev"
done

export CCACHE_BASEDIR="$out/src1"
cmake -S "$out/src1" -B "$out/src1/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DILAB_BUILD_BENCH=OFF "$@" >"$out/configure1.log"
step clean "$out/src1"
step noop "$out/src1"
touch "$out/src1/core/routing/compiler.cpp"
step touch1 "$out/src1"
ccache -s >"$out/ccache-after-first.txt"

ccache -z >/dev/null
export CCACHE_BASEDIR="$out/src2"
cmake -S "$out/src2" -B "$out/src2/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DILAB_BUILD_BENCH=OFF "$@" >"$out/configure2.log"
step second "$out/src2"
ccache -s >"$out/ccache-second.txt"
grep -E "Hits|Misses" "$out/ccache-second.txt" | sed 's/^/second ccache: /' >>"$report"
cat "$report"
