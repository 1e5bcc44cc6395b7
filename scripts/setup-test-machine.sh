#!/usr/bin/env bash
# What `npm test` needs besides npm packages, on a Debian/Ubuntu machine (as root; idempotent):
#   - mingw-w64: builds the benchmarks' native C service and SCM timer (the quick bench runs in npm test)
#   - osslsigncode, openssl: the signing tests sign with throwaway certificates
#   - wixl, msitools, faketime: `svcpack build --msi` (wixl compiles the MSI, msibuild and msiinfo
#     edit and read it, faketime holds its timestamps at SOURCE_DATE_EPOCH)
#   - time (GNU time, /usr/bin/time): the build benchmark measures each build's peak memory with it
#   - Wine 10 in a Debian trixie root (scripts/wine-root.sh): runs the exes as Windows services;
#     bookworm's own Wine 8 cannot start Node 24 or 26
#   - systemd-nspawn (systemd-container) and a Debian trixie root with systemd 257
#     (scripts/systemd-root.sh): the Linux tests boot it as a container and drive systemctl in it
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64)
command -v osslsigncode >/dev/null 2>&1 || missing+=(osslsigncode)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v wixl >/dev/null 2>&1 || missing+=(wixl)
command -v msibuild >/dev/null 2>&1 || missing+=(msitools)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
# `time` alone is the shell's keyword: look for the program itself.
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: ${missing[*]} missing — run as root (sudo npm run setup:test) or apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "setup: $(x86_64-w64-mingw32-gcc --version | head -n 1)"
echo "setup: $(osslsigncode --version | head -n 1)"
echo "setup: wixl $(wixl --version)"
bash scripts/wine-root.sh setup
bash scripts/systemd-root.sh setup
