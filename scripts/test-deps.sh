#!/usr/bin/env bash
# What the tests need besides Node and npm: PostgreSQL (the store contract on PostgreSQL), Debian's
# chromium (browser and report tests) and redis-server (distributed runs). When one is missing, this
# installs the Debian packages, as root or with passwordless sudo; otherwise it names them and stops.
# It starts nothing: the tests start their own instances on free loopback ports in temp dirs, and a
# package's own service is kept from starting during the install. Quiet when everything is there.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

how="apt-get install -y ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need ${missing[*]} (Debian package names), and this is not a Debian or Ubuntu machine: install them, then run npm test again." >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "The tests need these Debian packages: ${missing[*]}. Install them (sudo $how), then run npm test again." >&2
  exit 1
fi

echo "== installing what the tests need: ${missing[*]} (nothing is started; the tests start their own)"
export DEBIAN_FRONTEND=noninteractive
# Keep the packages' services (a postgresql cluster, redis-server) from starting: policy-rc.d answers
# "not allowed" (101) while the packages install, unless the machine already has its own policy.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  added_policy=1
fi
cleanup() { if [ "$added_policy" = 1 ]; then "${as_root[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "== installed ${missing[*]}"
