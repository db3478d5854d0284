#!/usr/bin/env bash
# Installs what building and testing ddb_fdw needs on Debian (12 or later;
# run as root): a PostgreSQL server and its headers, libcurl, json-c,
# OpenSSL, jq and curl, clang with libFuzzer, from Debian (without
# recommends); dynalite from npm (into test/.dynalite); checks moto_server.
# Does nothing that is already done, so it is cheap to call every time.
#
# PostgreSQL major: $PG_MAJOR, else the one pg_config names, else the
# distribution's default.  The minor release must be one the suite is known
# to pass on (see min_minor below); DDB_ALLOW_OLD_MINOR=1 skips that check.
# DDB_SERVERS=external: the DynamoDB servers run elsewhere (test/matrix.sh
# runs them outside its Debian roots): no nginx, dynalite or moto here.
set -euo pipefail
dynalite_dir=$(cd "$(dirname "$0")/.." && pwd)/test/.dynalite
external=${DDB_SERVERS:-}
[ "$external" = external ] || external=
export DEBIAN_FRONTEND=noninteractive
updated=

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
apt_update() { [ -n "$updated" ] || { apt-get update -qq; updated=1; }; }

major=${PG_MAJOR:-}
if [ -z "$major" ] && command -v pg_config >/dev/null 2>&1; then
  major=$(pg_config --version | sed -nE 's/^PostgreSQL ([0-9]+).*/\1/p')
fi
if [ -z "$major" ]; then  # the distribution's default major, from the postgresql package
  [ "$(id -u)" -eq 0 ] && apt_update
  major=$(apt-cache depends postgresql 2>/dev/null | sed -nE 's/^ *Depends: postgresql-([0-9]+)$/\1/p' | head -1)
  [ -n "$major" ] || { echo "install-deps: cannot tell which PostgreSQL to install: set PG_MAJOR" >&2; exit 1; }
fi
if [ "$major" -lt 15 ]; then
  echo "install-deps: PostgreSQL $major is not supported (15 or later; 13 and 14 are out of community support)" >&2
  exit 1
fi

# python3-boto3: the types test compares items with boto3's TypeSerializer
# (as the postgres OS user, which cannot see the image's own Python)
# clang, libclang-rt-dev: libFuzzer for test/fuzz (Debian's default clang)
packages=(postgresql-$major postgresql-server-dev-$major libcurl4-openssl-dev libjson-c-dev
          libssl-dev jq curl make gcc python3 python3-boto3 clang libclang-rt-dev ca-certificates)
# nginx: the TLS endpoint of the tests (and the benchmark's sinks); openssl makes its certificate
[ -n "$external" ] || packages+=(nginx openssl)
# test/scenarios/package.sh builds the Debian package with pg_buildext (for every
# PostgreSQL installed) and checks the build dependencies
packages+=(debhelper postgresql-server-dev-all build-essential)
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
# Node.js for dynalite: the machine image ships its own (Debian's would conflict)
[ -n "$external" ] || command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages ${missing[*]}; run as root" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  # keep packages (nginx, postgresql) from starting system services on this machine
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1; fi
  apt_update
  if ! out=$(apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1); then
    echo "$out" | tail -20 >&2
    echo "install-deps: apt-get install failed" >&2
    [ -z "$made_policy" ] || rm -f "$policy"
    exit 1
  fi
  [ -z "$made_policy" ] || rm -f "$policy"
fi

# The minor release: older ones fail the suite for reasons of their own
# (15.18's psql runs the rest of a failed COPY FROM STDIN as SQL; 15.20 does
# not).  These are the oldest minors the whole suite was seen to pass on.
pgc=/usr/lib/postgresql/$major/bin/pg_config
[ -x "$pgc" ] || pgc=pg_config
version=$("$pgc" --version | sed -nE 's/^PostgreSQL ([0-9]+)\.([0-9]+).*/\1.\2/p')
case $major in
  15) min_minor=20 ;;
  17) min_minor=12 ;;
  18) min_minor=6 ;;
  *)  min_minor=0 ;;  # 16 and later majors: untested, no known-good minor
esac
if [ "${version#*.}" -lt "$min_minor" ] && [ -z "${DDB_ALLOW_OLD_MINOR:-}" ]; then
  echo "install-deps: PostgreSQL $version is older than $major.$min_minor, the oldest minor release" >&2
  echo "  the suite is known to pass on (15.18's psql runs the rest of a failed COPY as SQL)." >&2
  echo "  Upgrade (on Debian 12: enable bookworm-security, apt-get install postgresql-$major)," >&2
  echo "  or set DDB_ALLOW_OLD_MINOR=1 to test anyway." >&2
  exit 1
fi

[ -z "$external" ] || exit 0

if [ ! -x "$dynalite_dir/node_modules/.bin/dynalite" ]; then
  echo "install-deps: installing dynalite from npm"
  # short timeouts: without a network npm would otherwise retry for minutes
  if ! out=$(timeout 180 npm install --no-audit --no-fund --fetch-timeout=20000 --fetch-retries=1 \
               --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 \
               --prefix "$dynalite_dir" dynalite@4 2>&1); then
    echo "$out" | tail -20 >&2
    echo "install-deps: npm install dynalite@4 failed (or took more than 180 s): is the npm registry reachable?" >&2
    exit 1
  fi
fi

# moto (Python) is not in Debian 12, and trixie's python3-moto 5.1.1 rejects
# valid signatures: install it from PyPI into a virtual environment.
# DDB_NO_MOTO=1: not needed (tools/demo.sh uses dynalite only)
if [ -z "${DDB_NO_MOTO:-}" ] && ! command -v moto_server >/dev/null 2>&1 &&
   [ ! -x /root/.pyenv/shims/moto_server ] && [ -z "${DDB_MOTO_SERVER:-}" ]; then
  cat >&2 <<'EOF'
install-deps: moto_server not found. It is not packaged in Debian 12 (and trixie's
  python3-moto 5.1.1 rejects valid SigV4 signatures); install it from PyPI:
    apt-get install --no-install-recommends python3-venv
    python3 -m venv /opt/moto && /opt/moto/bin/pip install 'moto[server]>=5'
  then put /opt/moto/bin on PATH or set DDB_MOTO_SERVER=/opt/moto/bin/moto_server.
EOF
  exit 1
fi
