#!/usr/bin/env bash
# The whole suite (test/run.sh, unchanged) on every PostgreSQL major we
# support: this machine's (15 on Debian 12), 17 and 18 in Debian roots (debootstrap of
# trixie and sid), then one table version x build x tests and the line
# "N passed, N failed" summed over all versions.  .ci/run calls it.
#
#   bash test/matrix.sh              15, 17 and 18
#   bash test/matrix.sh 17 18        some of them
#   bash test/matrix.sh roots        only build (or refresh) the roots
#
# Roots live in ${DDB_ROOTS:-/var/cache/ddb_fdw/roots}/SUITE, kept across
# runs; a root is built from nothing when missing, and rebuilt when its
# set-up was interrupted (the stamp file .ddb-root is written last).  Inside
# a root, tools/install-deps.sh installs the packages (without recommends).
#
# How a root is run: one private mount and network namespace per version
# (unshare -mn), so nothing stays mounted and 127.0.0.1 is our own.  The
# DynamoDB servers (dynalite, moto, the fault proxy, nginx for TLS) run from
# THIS machine in that namespace (trixie's moto rejects valid signatures);
# test/run.sh runs inside the root with DDB_SERVERS=external, builds the
# extension against the root's PostgreSQL and runs everything else there:
# unit tests, fuzzing, pg_regress and the shell tests.  Both sides share
# 127.0.0.1, and the checkout is copied to ROOT/srv/ddb_fdw, readable by
# the root's postgres user.
# This machine's major runs through test/isolated.sh (private loopback and
# extension directories): README's test command, touching nothing installed.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
roots=${DDB_ROOTS:-/var/cache/ddb_fdw/roots}
mirror=${DDB_MIRROR:-http://deb.debian.org/debian}
logs=${DDB_MATRIX_LOGS:-$src/test/.matrix}
[ "$(id -u)" -eq 0 ] || { echo "matrix.sh: needs root (debootstrap, chroot, unshare)" >&2; exit 1; }

suite_of() { case $1 in 17) echo trixie ;; 18) echo sid ;; *) return 1 ;; esac; }

# build_root SUITE MAJOR: debootstrap + apt set-up, then the suite's packages
build_root() {
  local suite=$1 major=$2 r="$roots/$1"
  if [ ! -f "$r/.ddb-root" ]; then
    if [ -e "$r" ]; then
      echo "matrix.sh: $r has no stamp (set-up interrupted?): building it again"
      # a root is entered only in private mount namespaces, so nothing can be mounted in it
      rm -rf --one-file-system "$r"
    fi
    command -v debootstrap >/dev/null || {
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
    }
    mkdir -p "$roots"
    echo "matrix.sh: debootstrap $suite into $r"
    debootstrap --variant=minbase "$suite" "$r" "$mirror" >"$roots/$suite.debootstrap.log" 2>&1 || {
      tail -20 "$roots/$suite.debootstrap.log" >&2; echo "matrix.sh: debootstrap $suite failed" >&2; return 1; }
    # sid's Release file can be past its Valid-Until; no service starts in a root
    echo 'Acquire::Check-Valid-Until "false";' >"$r/etc/apt/apt.conf.d/99novaliduntil"
    printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"; chmod +x "$r/usr/sbin/policy-rc.d"
  fi
  # every run: resolver and this machine's extra CA certificates (TLS verifies
  # inside as outside), then whatever tools/install-deps.sh finds missing
  cp /etc/resolv.conf "$r/etc/"
  mkdir -p "$r/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/" 2>/dev/null || true
  mkdir -p "$r/srv"
  install -m 755 "$src/tools/install-deps.sh" "$r/srv/install-deps.sh"
  in_root "$r" dpkg --configure -a   # finishes an installation that was interrupted
  in_root "$r" env PG_MAJOR="$major" DDB_SERVERS=external bash /srv/install-deps.sh || {
    echo "matrix.sh: installing the packages into $r failed" >&2; return 1; }
  [ -f "$r/.ddb-root" ] || date -u +%FT%TZ >"$r/.ddb-root"
}

# in_root ROOT COMMAND...: COMMAND chrooted in ROOT, with /proc, /dev and a
# private /dev/shm mounted in a private mount namespace (gone when it ends)
in_root() {
  local r=$1; shift
  unshare -m --propagation private bash -c '
    set -euo pipefail
    r=$1; shift
    mount -t proc proc "$r/proc"
    mount --bind /dev "$r/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
    exec chroot "$r" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 TERM=dumb "$@"' in_root "$r" "$@"
}

if [ "${1:-}" = roots ]; then
  shift
  for v in ${*:-17 18}; do build_root "$(suite_of "$v")" "$v"; done
  exit 0
fi

# run_host LOG: 15, README's test command here, in test/isolated.sh
run_host() {
  (cd "$src" && bash test/isolated.sh bash test/run.sh) >"$1" 2>&1
}

# run_root MAJOR LOG: the suite in the major's root, servers from this machine
run_root() {
  local major=$1 log=$2 suite r
  suite=$(suite_of "$major")
  r="$roots/$suite"
  mkdir -p "$roots"
  # one run at a time per root: the copy of the checkout in it is shared
  exec 9>"$roots/$suite.lock"
  flock -w 3600 9 || { echo "matrix.sh: $roots/$suite is busy" >"$log"; return 1; }
  build_root "$suite" "$major" >"$log" 2>&1 || return 1
  # this machine's side: dynalite in the checkout, moto_server found
  (cd "$src" && tools/install-deps.sh) >>"$log" 2>&1 || return 1
  # a fresh copy of the checkout (without build products), readable by the root's postgres
  rm -rf "$r/srv/ddb_fdw"
  mkdir -p "$r/srv/ddb_fdw"
  "$src/test/helpers/copy-tree.sh" "$src" "$r/srv/ddb_fdw"
  cp -a "$src/test/.dynalite" "$r/srv/ddb_fdw/test/"
  unshare -mn --propagation private bash -c '
    set -euo pipefail
    r=$1
    ip link set lo up 2>/dev/null || ifconfig lo up
    mount -t proc proc "$r/proc"
    mount --bind /dev "$r/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
    mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
    # the servers run here (same loopback), from the copy, so both sides see the same files
    export DDB_RUN_DIR="$r/srv/ddb_fdw/test/.run"
    trap "bash \"$r/srv/ddb_fdw/test/fixtures/servers.sh\" stop" EXIT
    bash "$r/srv/ddb_fdw/test/fixtures/servers.sh" start
    chroot "$r" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 TERM=dumb ${CI:+CI=$CI} DDB_SERVERS=external \
      ${DDB_REGRESS+DDB_REGRESS="$DDB_REGRESS"} ${DDB_SHELL_TESTS+DDB_SHELL_TESTS="$DDB_SHELL_TESTS"} \
      bash /srv/ddb_fdw/test/run.sh' run_root "$r" >>"$log" 2>&1
  local status=$?
  exec 9>&-
  return "$status"
}

# this machine's PostgreSQL runs here (15 on Debian 12), the others in roots
host_major=$(pg_config --version 2>/dev/null | sed -nE 's/^PostgreSQL ([0-9]+).*/\1/p')
host_major=${host_major:-15}
versions=${*:-$(printf '%s\n' "$host_major" 17 18 | awk '!seen[$0]++')}
mkdir -p "$logs"
declare -A build tests secs
total_passed=0
total_failed=0
for v in $versions; do
  log="$logs/pg$v.log"
  echo "== PostgreSQL $v (log: $log)"
  start=$(date +%s)
  status=0
  if [ "$v" = "$host_major" ]; then run_host "$log" || status=$?
  elif suite_of "$v" >/dev/null; then run_root "$v" "$log" || status=$?
  else echo "matrix.sh: PostgreSQL $v is neither this machine's ($host_major) nor in a Debian root (17, 18)" >"$log"; status=1
  fi
  secs[$v]=$(( $(date +%s) - start ))
  b=$(grep -E '^build: ' "$log" | tail -1 | sed 's/^build: //')
  build[$v]=${b:-failed}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1 || true)
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
  else
    p=0; f=1; line="no summary"
  fi
  [ "$status" -eq 0 ] || [ "$f" -gt 0 ] || f=1   # a non-zero exit is a failure even without one counted
  tests[$v]="$p passed, $f failed"
  total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
  grep -E '^(not ok|FAIL|.*\.\.\. +FAILED)' "$log" | head -20 || true
  tail -1 "$log"
done

echo
printf '%-12s | %-22s | %-22s | %s\n' "PostgreSQL" "build" "tests" "time"
printf '%-12s-+-%-22s-+-%-22s-+-%s\n' "------------" "----------------------" "----------------------" "-----"
for v in $versions; do
  printf '%-12s | %-22s | %-22s | %ss\n' "$v" "${build[$v]}" "${tests[$v]}" "${secs[$v]}"
done
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
