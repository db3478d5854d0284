#!/usr/bin/env bash
# `make installcheck`: the pg_regress suites (the Makefile's REGRESS) against
# the PostgreSQL that pg_config names, on a throwaway instance (pg_regress
# --temp-instance, so the server gets the test environment), with the
# DynamoDB servers started and stopped around them by test/run.sh.  Before
# anything runs it checks what the suites need and names each missing piece
# with the package that provides it.
#
#   bash test/installcheck.sh                    the installed ddb_fdw (make install first)
#   bash test/installcheck.sh --temp-install DIR `make check`: copies PostgreSQL's
#       programs, libraries and share directory into DIR, installs this build
#       there (make install DESTDIR=DIR) and tests that copy: nothing installed
#       is touched.  PostgreSQL finds its share and lib directories relative
#       to its programs, so the copy uses its own extension directory.
# Ends with run.sh's "N passed, N failed" line and its exit status.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
temp_install=
if [ "${1:-}" = --temp-install ]; then temp_install=${2:?--temp-install DIR}; fi

missing=()
miss() { missing+=("$1"); }
if ! command -v pg_config >/dev/null; then
  miss "pg_config (Debian: postgresql-server-dev-NN, or PG_CONFIG's directory in PATH)"
else
  regress="$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress"
  [ -x "$regress" ] || miss "pg_regress at $regress (Debian: postgresql-server-dev-$(pg_config --version | sed 's/[^0-9]*\([0-9]*\).*/\1/'))"
  [ -x "$(pg_config --bindir)/initdb" ] || miss "the PostgreSQL server programs in $(pg_config --bindir) (Debian: postgresql-NN)"
  if [ -z "$temp_install" ]; then
    ext=$(pg_config --sharedir)/extension
    if [ ! -f "$ext/ddb_fdw.control" ] || [ ! -f "$(pg_config --pkglibdir)/ddb_fdw.so" ]; then
      miss "ddb_fdw installed in this PostgreSQL (make install; or make check, which needs no install)"
    else
      version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$ext/ddb_fdw.control")
      [ -f "$ext/ddb_fdw--$version.sql" ] || miss "$ext/ddb_fdw--$version.sql (the installed control file names version $version: make install again)"
    fi
  fi
fi
if [ "$(id -u)" -ne 0 ]; then
  miss "root: the suites run PostgreSQL as the postgres OS user (runuser) and own its files"
elif ! id postgres >/dev/null 2>&1; then
  miss "the postgres OS user (Debian: postgresql-common)"
elif [ -n "$temp_install" ] && ! runuser -u postgres -- test -r "$root/sql/options.sql"; then
  # (test/run.sh tests a copy of an unreadable checkout; the private
  # PostgreSQL of make check would be unreadable too)
  miss "for make check, a checkout the postgres OS user can read ($root is not; use e.g. /srv/ddb_fdw, or make install + make installcheck)"
fi
for c in curl jq nginx openssl; do
  command -v "$c" >/dev/null || miss "$c (Debian: $c)"
done
/usr/bin/python3 -c 'import boto3' 2>/dev/null || miss "boto3 for /usr/bin/python3 (Debian: python3-boto3; the types suite compares with it)"
[ -x test/.dynalite/node_modules/.bin/dynalite ] || command -v npm >/dev/null ||
  miss "dynalite (tools/install-deps.sh puts it in test/.dynalite; needs npm)"
[ -n "${DDB_MOTO_SERVER:-}" ] || command -v moto_server >/dev/null || [ -x /root/.pyenv/shims/moto_server ] ||
  miss "moto_server: python3 -m venv /opt/moto && /opt/moto/bin/pip install 'moto[server]>=5', then DDB_MOTO_SERVER=/opt/moto/bin/moto_server (README)"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installcheck: cannot run, missing:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

if [ -n "$temp_install" ]; then
  echo "== a private copy of PostgreSQL in $temp_install, with this build installed into it"
  rm -rf "$temp_install"
  for d in bindir pkglibdir sharedir; do
    src=$(pg_config --$d)
    mkdir -p "$temp_install$src"
    # bitcode is only the JIT's inlining source: not needed to run
    tar -C "$src" --exclude=./bitcode -cf - . | tar -C "$temp_install$src" -xf -
  done
  make -s install DESTDIR="$temp_install" >/dev/null
  export DDB_BINDIR="$temp_install$(pg_config --bindir)"
fi
# DDB_REGRESS="insert upgrade": a subset
DDB_SKIP_BUILD=1 DDB_SKIP_UNIT=1 DDB_REGRESS="${DDB_REGRESS:-$(make -s print-regress)}" exec bash test/run.sh
