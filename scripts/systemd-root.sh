#!/usr/bin/env bash
# A real systemd for the Linux tests: a minimal Debian trixie root that test/support/systemd.ts
# boots with `systemd-nspawn -b` (systemd 257 as PID 1 of a container), one container per test run.
#
# The root is debootstrap's minbase plus systemd, systemd-sysv (systemd as /sbin/init), dbus, curl
# (the tests reach services inside the container's private network with it) and libatomic1 (the
# official Node.js linux-x64 binaries need it); ≈ 40 s and ≈ 220 MB. The tests never write into it: each run boots it with `--volatile=overlay` (the root
# read-only under a tmpfs), so one root serves any number of runs, side by side. The host needs
# systemd-nspawn (Debian package systemd-container), which this script installs when it is missing.
#
# Usage: scripts/systemd-root.sh [setup]   build the root once (needs root: apt-get, debootstrap); idempotent
#        scripts/systemd-root.sh path      print the root's folder (exit 1 if not set up)
#
# The root lives in $SVCPACK_SYSTEMD_ROOT, else ~/.cache/svcpack-systemd. Delete that folder to
# rebuild it. SVCPACK_DEBIAN_MIRROR picks the Debian mirror (default: deb.debian.org). What
# debootstrap printed is in <that folder>/debootstrap.log.
set -euo pipefail

# Bump when the recipe changes, so an older cached root is rebuilt (test/support/systemd.ts looks
# for the same marker name).
RECIPE=1
PACKAGES=systemd,systemd-sysv,dbus,curl,libatomic1
base="${SVCPACK_SYSTEMD_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/svcpack-systemd}"
root="$base/trixie-root"
marker="$base/ready-$RECIPE"

case "${1:-setup}" in
  path)
    [ -f "$marker" ] || { echo "systemd-root: not set up — run scripts/systemd-root.sh setup (as root)" >&2; exit 1; }
    echo "$root"
    exit 0
    ;;
  setup) ;;
  *) echo "usage: scripts/systemd-root.sh [setup|path]" >&2; exit 2 ;;
esac

need=()
command -v systemd-nspawn >/dev/null 2>&1 || need+=(systemd-container)
[ -f "$marker" ] || command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
# The root's systemd version, from its dpkg database (its binaries need the root's libraries).
root_systemd() {
  echo "systemd $(awk '/^Package: /{p=($2=="systemd")} p&&/^Version: /{print $2; exit}' "$root/var/lib/dpkg/status")"
}
ready() {
  echo "systemd-root: $(root_systemd) ready in $root ($(systemd-nspawn --version | head -n 1) on the host)"
}
if [ ${#need[@]} -eq 0 ] && [ -f "$marker" ] && [ -x "$root/usr/lib/systemd/systemd" ]; then
  ready
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  missing=("${need[@]}")
  [ -f "$marker" ] || missing+=("the root $root")
  list=$(printf '%s, ' "${missing[@]}")
  echo "systemd-root: missing ${list%, }; setting it up needs root — run: sudo $0 setup" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -gt 0 ]; then
  echo "systemd-root: installing ${need[*]} from Debian's packages"
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v systemd-nspawn >/dev/null 2>&1 || { echo "systemd-root: systemd-nspawn is missing after installing systemd-container" >&2; exit 1; }
command -v nsenter >/dev/null 2>&1 || { echo "systemd-root: nsenter is missing (Debian package util-linux)" >&2; exit 1; }
if [ -f "$marker" ] && [ -x "$root/usr/lib/systemd/systemd" ]; then
  ready
  exit 0
fi

mkdir -p "$base"
building="$base/trixie-root.building"
t0=$SECONDS
rm -rf "$building"
rm -f "$base"/ready-*
# A failed build leaves nothing half-made behind (the logs stay).
trap 'rm -rf "$building"' EXIT
echo "systemd-root: debootstrap trixie (minbase + $PACKAGES) into $building"
debootstrap --variant=minbase --include="$PACKAGES" trixie "$building" "${SVCPACK_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
  >"$base/debootstrap.log" 2>&1 ||
  { echo "systemd-root: debootstrap failed — see $base/debootstrap.log" >&2; tail -n 5 "$base/debootstrap.log" >&2; exit 1; }
[ -x "$building/usr/lib/systemd/systemd" ] ||
  { echo "systemd-root: debootstrap finished without /usr/lib/systemd/systemd — see $base/debootstrap.log" >&2; exit 1; }

# Every boot gets its own machine id (an empty /etc/machine-id: systemd makes one up on the
# tmpfs) and its machine name as hostname (debootstrap copied the host's /etc/hostname);
# downloaded packages are not needed again.
: >"$building/etc/machine-id"
rm -f "$building/etc/hostname"
rm -f "$building/var/lib/dbus/machine-id"
rm -f "$building"/var/cache/apt/archives/*.deb
echo "svcpack systemd root, recipe $RECIPE: debootstrap --variant=minbase --include=$PACKAGES trixie" >"$building/etc/svcpack-systemd-root"

rm -rf "$root"
mv "$building" "$root"
touch "$marker"
echo "systemd-root: $(root_systemd) ready in $((SECONDS - t0)) s, $(du -sm "$root" | cut -f1) MB in $root"
