#!/usr/bin/env bash
# Runs a command (default: the whole suite, test/run.sh) with a loopback of
# its own and private copies of PostgreSQL's extension directories, so two
# checkouts can build, install and test side by side on one machine without
# colliding on ports or overwriting each other's installed ddb_fdw.so.
# Usage (as root): bash test/isolated.sh [command args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ "$(id -u)" -eq 0 ] || { echo "isolated.sh: needs root (unshare)" >&2; exit 1; }
# the namespace has no network: install what the suite needs (apt, npm) first
tools/install-deps.sh
[ $# -gt 0 ] || set -- bash test/run.sh
exec unshare -mn --propagation private bash -c '
  set -euo pipefail
  ip link set lo up 2>/dev/null || ifconfig lo up
  copies=$(mktemp -d /tmp/ddb-isolated.XXXXXX)
  trap "umount -l \"$(pg_config --pkglibdir)\" \"$(pg_config --sharedir)/extension\" 2>/dev/null; rm -rf $copies" EXIT
  for d in "$(pg_config --pkglibdir)" "$(pg_config --sharedir)/extension"; do
    copy=$(mktemp -d "$copies/dir.XXXXXX")
    cp -a "$d/." "$copy/"
    chmod 755 "$copies" "$copy"
    mount --bind "$copy" "$d"
  done
  "$@"' isolated "$@"
