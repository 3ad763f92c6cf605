#!/usr/bin/env bash
# Installs the .deb into a bare Debian 12 root and uses it as a user would, then purges it. On demand, not in CI.
#   installers/install-test.sh [PATH/TO/ingress-lab_*.deb]   (default: build-deb/ingress-lab_*.deb)
# Needs root (debootstrap, chroot, mounts) and network access to the apt sources of this machine.
#  1. a pristine `debootstrap --variant=minbase bookworm` root, cached as a tarball in ~/.cache/ingress-lab/
#  2. a fresh copy of it with this machine's apt sources and proxy/mirror settings; /proc mounted, /dev bound
#  3. apt-get install ./ingress-lab_*.deb (dependencies from Debian's archive)
#  4. ingress-lab-cli --version; ingress-lab-cli validate demo; serve demo on loopback and curl through it
#     and bash completion of commands and options
#  5. the GUI, started from its desktop entry's Exec line under Xvfb, and a screenshot (import -window root) that
#     is copied out to OUT_DIR (default build-deb/install-test/) to be looked at
#  6. apt-get purge ingress-lab, then every path `dpkg -L` listed must be gone (directories still owned by another
#     package excepted)
# KEEP=1 keeps the work folder (the root) for inspection.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deb=${1:-$(ls "$here"/build-deb/ingress-lab_*.deb 2>/dev/null | tail -1)}
[[ -n "$deb" && -f "$deb" ]] || { echo "install-test: no .deb (run installers/build-deb.sh first)" >&2; exit 2; }
deb=$(readlink -f "$deb")
[[ $(id -u) -eq 0 ]] || { echo "install-test: must run as root (debootstrap, chroot, mount)" >&2; exit 2; }
out_dir=${OUT_DIR:-$here/build-deb/install-test}
mkdir -p "$out_dir"

step() { printf '\n== %s\n' "$*"; }
fail() { echo "install-test: FAIL: $*" >&2; exit 1; }

need=()
for p in debootstrap xvfb imagemagick; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# --- 1. The pristine root, cached ---------------------------------------------------------------------------------
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ingress-lab
pristine=$cache/debian-bookworm-minbase.tar.gz
mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
if [[ ! -s "$pristine" ]]; then
  step "debootstrap --variant=minbase bookworm (from $mirror; cached as $pristine)"
  mkdir -p "$cache"
  boot=$(mktemp -d /tmp/ilab-debootstrap.XXXXXX)
  debootstrap --variant=minbase bookworm "$boot" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$boot"; fail "debootstrap"; }
  tar -C "$boot" --numeric-owner -czf "$pristine.part" . && mv "$pristine.part" "$pristine"
  rm -rf "$boot"
fi

# --- 2. A fresh copy, with this machine's apt configuration -------------------------------------------------------
work=$(mktemp -d /tmp/ilab-install-test.XXXXXX)
root=$work/root
mkdir "$root"
mounts=()
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || true; done
  if [[ "${KEEP:-0}" == 1 ]]; then echo "install-test: kept $work"; else rm -rf --one-file-system "$work"; fi
  exit $rc
}
trap cleanup EXIT INT TERM
step "fresh root from the cached tarball: $root"
tar -C "$root" --numeric-owner -xzf "$pristine"
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount --bind /dev "$root/dev" && mounts+=("$root/dev")
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Sources: the same lists as this machine (and the keyrings they name); apt.conf.d: only proxy/mirror/acquire
# settings (no credentials are copied: /etc/apt/auth.conf* stays out).
rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
[[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$root/etc/apt/"
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do [[ -f "$f" ]] && cp "$f" "$root/etc/apt/sources.list.d/"; done
for key in $(grep -ho 'Signed-By: */[^ ]*\|signed-by=/[^] ]*' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sed 's/.*[: =]//' | sort -u); do
  [[ -f "$key" && ! -e "$root$key" ]] && install -D -m 644 "$key" "$root$key"
done
for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
  [[ -f "$f" ]] && grep -qiE 'proxy|Acquire::|mirror' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/$(basename "$f")"
done
echo "sources: $(cd "$root/etc/apt" && ls -d sources.list sources.list.d/* 2>/dev/null | tr '\n' ' ')"
echo "apt.conf.d copied: $(ls "$root"/etc/apt/apt.conf.d | tr '\n' ' ')"
in_root() { chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
              ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} "$@"; }

# --- 3. Install --------------------------------------------------------------------------------------------------
step "apt-get install ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
in_root apt-get update -qq
in_root sh -c "cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./$(basename "$deb")" >"$out_dir/apt-install.log" 2>&1 ||
  { tail -30 "$out_dir/apt-install.log"; fail "apt-get install"; }
grep -E '^[0-9]+ upgraded' "$out_dir/apt-install.log" || true
echo "full log: $out_dir/apt-install.log"
in_root dpkg -L ingress-lab | sort >"$work/files.txt"
echo "dpkg -L ingress-lab: $(wc -l <"$work/files.txt") paths"
grep -E '^/usr/(bin|share/(applications|metainfo|man|bash-completion|doc))/.' "$work/files.txt"

# --- 4. The CLI -------------------------------------------------------------------------------------------------
step "ingress-lab-cli --version"
in_root ingress-lab-cli --version
step "ingress-lab-cli validate demo"
in_root ingress-lab-cli validate demo || fail "validate demo exited $?"
step "ingress-lab-cli serve demo on loopback, curl through it"
in_root ingress-lab-cli serve demo --http 127.0.0.1:0 --https 127.0.0.1:0 --admin 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 200); do
  ready=$(grep -m1 '^ready ' "$work/serve.log" || true)
  [[ -n "$ready" ]] && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/serve.log"; fail "serve exited"; }
  sleep 0.1
done
[[ -n "$ready" ]] || { cat "$work/serve.log"; fail "serve not ready in 20 s"; }
echo "$ready"
http=${ready#*http=127.0.0.1:}; http=${http%% *}
https=${ready#*https=127.0.0.1:}; https=${https%% *}
body=$(in_root curl -sS --max-time 10 --resolve "api.example.com:$http:127.0.0.1" "http://api.example.com:$http/api/v1")
echo "GET http://api.example.com/api/v1 -> $body" | cut -c1-300
grep -q '"service"' <<<"$body" || fail "no simulated pod answered through the proxy"
body=$(in_root curl -sS -k --max-time 10 --resolve "agent.example.com:$https:127.0.0.1" "https://agent.example.com:$https/")
echo "GET https://agent.example.com/ -> $body" | cut -c1-300
grep -q '"service"' <<<"$body" || fail "no simulated pod answered over HTTPS"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
head -5 "$work/serve.log"

step "bash completion (bash-completion installed in the root for this check)"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bash-completion >/dev/null
cat >"$root/tmp/complete.sh" <<'SH'
source /usr/share/bash-completion/bash_completion
_completion_loader ingress-lab-cli
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
      _ingress_lab_cli; echo "ingress-lab-cli ${*:2}<TAB> -> ${COMPREPLY[*]}"; }
t ingress-lab-cli ""
t ingress-lab-cli serve --pro
t ingress-lab-cli validate de
SH
comp=$(in_root bash /tmp/complete.sh)
echo "$comp"
grep -q -- '-> validate export route serve traffic test' <<<"$comp" || fail "bash completion does not list the commands"

# --- 5. The GUI, from its desktop entry, under Xvfb ---------------------------------------------------------------
step "GUI from the desktop entry under Xvfb"
desktop=$(grep -l '^Exec=ingress-lab' "$root"/usr/share/applications/*.desktop | head -1)
[[ -n "$desktop" ]] || fail "no desktop entry"
exec_line=$(sed -n 's/^Exec=//p' "$desktop" | head -1)
cmd=$(sed -E 's/ ?%[fFuUdDnNickvm]//g' <<<"$exec_line")   # field codes dropped: started with no file
echo "$(basename "$desktop"): Exec=$exec_line -> $cmd"
disp=99
while [[ -e /tmp/.X11-unix/X$disp || -e /tmp/.X$disp-lock ]]; do disp=$((disp + 1)); done
Xvfb ":$disp" -screen 0 1600x1000x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -S /tmp/.X11-unix/X$disp ]] && break; sleep 0.1; done
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix" && mounts+=("$root/tmp/.X11-unix")
# shellcheck disable=SC2086  # the Exec line is split into words as a launcher would
install -d -m 700 "$root/run/user/0"
chroot "$root" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY=":$disp" XDG_RUNTIME_DIR=/run/user/0 $cmd \
  >"$work/gui.log" 2>&1 &
pids+=($!)
gui=${pids[-1]}
sleep 12
kill -0 "$gui" 2>/dev/null || { cat "$work/gui.log"; fail "the GUI exited"; }
import -display ":$disp" -window root "$out_dir/gui-xvfb.png"
echo "screenshot: $out_dir/gui-xvfb.png ($(identify -format '%wx%h, %k colours' "$out_dir/gui-xvfb.png"))"
[[ -s "$work/gui.log" ]] && { echo "GUI output:"; head -c 2000 "$work/gui.log"; }
kill "$gui"; wait "$gui" 2>/dev/null || true
umount "$root/tmp/.X11-unix" && unset 'mounts[-1]'

# --- 6. Purge ----------------------------------------------------------------------------------------------------
step "apt-get purge ingress-lab"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ingress-lab | grep -E 'Removing|Purging' || true
in_root dpkg-query -W -f='${db:Status-Abbrev}' ingress-lab 2>/dev/null | grep -q '^ii' && fail "still installed"
left=0
checked=0
while read -r path; do
  [[ "$path" == /. || -z "$path" ]] && continue
  checked=$((checked + 1))
  if [[ -e "$root$path" || -L "$root$path" ]]; then
    if [[ -d "$root$path" && ! -L "$root$path" ]] && in_root dpkg-query -S "$path" >/dev/null 2>&1; then
      continue  # a directory another package owns too (/usr/bin, /usr/share/man/man1, ...)
    fi
    echo "left behind: $path"
    left=$((left + 1))
  fi
done <"$work/files.txt"
((left == 0)) || fail "$left path(s) of the package left after purge"
echo "purge: all $checked paths dpkg -L listed are gone (or are directories other packages own)"
echo
echo "install-test: OK"
