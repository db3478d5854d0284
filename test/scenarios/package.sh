#!/usr/bin/env bash
# The Debian package: builds the binary packages from debian/ (pg_buildext:
# one postgresql-NN-ddb-fdw per PostgreSQL in debian/pgversions that is
# installed) with dpkg-buildpackage -us -uc -b in a copy of the tree, so the
# checkout stays clean; checks each .deb's files, dependencies and library
# links; then installs it and writes through it: CREATE EXTENSION (1.1, and
# 1.0 updated), an INSERT that must land in dynalite (read back with test/helpers/ddb).
#
# Where it installs.  By default the package is unpacked (dpkg-deb -x) over a
# private copy of that PostgreSQL (its bin, lib and share directories, with
# every ddb_fdw file removed first, so only the package's files can answer),
# and a throwaway instance of that copy runs the smoke test: the package's
# files at the package's paths, while neither dpkg's database nor the
# installed PostgreSQL (perhaps holding a `make install`ed ddb_fdw the next
# tests use) changes, and no apt/dpkg lock is taken.  DDB_PACKAGE_DPKG=1
# instead installs it with dpkg -i into the system, tests that, and removes
# it again (dpkg -r), putting back any ddb_fdw files it replaced: for a
# throwaway machine (under test/isolated.sh the lib and extension
# directories are private, dpkg's database is not).
#
# Installs its build tools if missing (debhelper, postgresql-server-dev-all,
# dpkg-dev; --no-install-recommends).  Uses the DynamoDB servers test/run.sh
# started, or starts and stops them itself.  DDB_PACKAGE_KEEP=DIR keeps the
# built .debs in DIR.  Ends with "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
cd "$root"

tools=(debhelper postgresql-server-dev-all dpkg-dev build-essential libcurl4-openssl-dev libjson-c-dev libssl-dev)
need=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "package: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { timeout 120 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
    fail "installing the build tools ${need[*]} (apt-get failed: no network or a held lock?)"
    summary; exit 1
  fi
fi

work=$(mktemp -d /tmp/ddb_fdw-package.XXXXXX)
chmod 755 "$work"
started_servers=
cleanup() {
  [ -f "$work/run/pg/postmaster.pid" ] && as_pg "${pgbin:-}/pg_ctl" -D "$work/run/pg" -m immediate stop >/dev/null 2>&1
  [ -n "$started_servers" ] && test/fixtures/servers.sh stop >/dev/null 2>&1
  [ -n "${dpkg_installed:-}" ] && restore_system
  rm -rf "$work"
}
trap 'cleanup || true' EXIT

# 1. build in a copy of the tree without its build products (test/helpers/copy-tree.sh)
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
control_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" ddb_fdw.control)
src="$work/ddb-fdw-$version"
mkdir -p "$src"
test/helpers/copy-tree.sh "$root" "$src"
# debian/control lists one package per major postgresql-common supports where
# it was generated (Debian 12: 15); for this machine's majors it is generated
# again from debian/control.in, as for an upload to another distribution
(cd "$src" && pg_buildext updatecontrol) >/dev/null
t0=$SECONDS
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b ($((SECONDS - t0)) s)"
else
  tail -30 "$work/build.log"
  fail "dpkg-buildpackage -us -uc -b (log above)"
  summary; exit 1
fi
if grep -E '(warning|error):' "$work/build.log" | grep -v '^dpkg-\|^dh_\|^dpkg-shlibdeps' >"$work/warnings"; then
  fail "compiler warnings in the package build: $(head -5 "$work/warnings")"
else ok "the package build is warning-free"; fi

# 2. one package per PostgreSQL the package supports and this machine has
# the versions pg_buildext builds for: debian/pgversions within the supported ones
# (PG_SUPPORTED_VERSIONS=installed, or /etc/postgresql-common/supported_versions, widens them)
versions=$(cd "$src" && pg_buildext supported-versions)
[ -n "$versions" ] || fail "no installed PostgreSQL matches debian/pgversions ($(cat debian/pgversions))"
arch=$(dpkg --print-architecture)
for v in $versions; do
  deb="$work/postgresql-$v-ddb-fdw_${version}_$arch.deb"
  if [ ! -f "$deb" ]; then fail "no package for PostgreSQL $v ($(ls "$work"/*.deb 2>/dev/null | xargs -n1 basename | tr '\n' ' '))"; continue; fi
  if [ -n "${DDB_PACKAGE_KEEP:-}" ]; then mkdir -p "$DDB_PACKAGE_KEEP"; cp "$deb" "$DDB_PACKAGE_KEEP/"; fi
  files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's:^\./:/:')
  want="/usr/lib/postgresql/$v/lib/ddb_fdw.so /usr/share/postgresql/$v/extension/ddb_fdw.control
        /usr/share/doc/postgresql-$v-ddb-fdw/copyright"
  for f in $(ls ddb_fdw--*.sql); do want+=" /usr/share/postgresql/$v/extension/$f"; done
  missing=
  for f in $want; do grep -qxF "$f" <<<"$files" || missing+=" $f"; done
  readme=/usr/share/doc/postgresql-doc-$v/extension/ddb_fdw/README.md  # dh_compress gzips it
  grep -qxE "$readme(\.gz)?" <<<"$files" || missing+=" $readme"
  if [ -z "$missing" ]; then ok "postgresql-$v-ddb-fdw holds the library, control file, every script and the README"
  else fail "postgresql-$v-ddb-fdw lacks$missing"; fi
  stray=$(grep -vE "^/usr/(lib/postgresql/$v/lib/|share/postgresql/$v/extension/|share/doc/)|/$" <<<"$files" || true)
  if [ -z "$stray" ]; then ok "postgresql-$v-ddb-fdw installs nothing outside PostgreSQL $v's directories and its docs"
  else fail "postgresql-$v-ddb-fdw also installs: $stray"; fi
  depends=$(dpkg-deb -f "$deb" Depends)
  dep_missing=
  for d in "postgresql-$v" libcurl libjson-c libssl; do [[ $depends == *"$d"* ]] || dep_missing+=" $d"; done
  if [ -z "$dep_missing" ]; then ok "postgresql-$v-ddb-fdw depends on postgresql-$v, libcurl, json-c and OpenSSL"
  else fail "postgresql-$v-ddb-fdw's Depends ($depends) lacks$dep_missing"; fi
  dpkg-deb -x "$deb" "$work/x-$v"
  if ldd "$work/x-$v/usr/lib/postgresql/$v/lib/ddb_fdw.so" | grep -q "not found"; then
    fail "ddb_fdw.so of postgresql-$v-ddb-fdw has unresolved libraries: $(ldd "$work/x-$v/usr/lib/postgresql/$v/lib/ddb_fdw.so" | grep 'not found')"
  else ok "ddb_fdw.so of postgresql-$v-ddb-fdw finds every library it links"; fi
  if [ ! -x "/usr/lib/postgresql/$v/bin/postgres" ]; then
    echo "skip: PostgreSQL $v's server is not installed (only its headers): postgresql-$v-ddb-fdw built and checked, not installed"
    continue
  fi
  if out=$(apt-get install -s --no-install-recommends "$deb" 2>&1) && ! grep -E '^Inst ' <<<"$out" | grep -vq "postgresql-$v-ddb-fdw"; then
    ok "postgresql-$v-ddb-fdw installs here with nothing else to fetch (apt-get -s)"
  else fail "apt-get -s install postgresql-$v-ddb-fdw: $(grep -E '^Inst |^E:' <<<"$out" | head -5)"; fi
done

# 3. install it and write through it
if [ -z "${DDB_DYNALITE_URL:-}" ]; then
  test/fixtures/servers.sh start >/dev/null
  started_servers=1
  export DDB_TEST="$root/test/helpers" DDB_DYNALITE_URL="http://127.0.0.1:${DDB_DYNALITE_PORT:-28000}"
fi
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_SESSION_TOKEN AWS_PROFILE

restore_system() {  # after DDB_PACKAGE_DPKG=1: remove the package, put back what it replaced
  dpkg -r "$dpkg_installed" >/dev/null 2>&1 || echo "package: dpkg -r $dpkg_installed failed" >&2
  [ -d "$work/saved" ] && cp -a "$work/saved/." /
  dpkg_installed=
}

port=${DDB_PACKAGE_PGPORT:-54331}
n=0
for v in $versions; do
  deb="$work/postgresql-$v-ddb-fdw_${version}_$arch.deb"
  [ -f "$deb" ] && [ -x "/usr/lib/postgresql/$v/bin/postgres" ] || continue
  n=$((n + 1))
  pgbin=/usr/lib/postgresql/$v/bin
  if [ -n "${DDB_PACKAGE_DPKG:-}" ]; then
    mkdir -p "$work/saved"
    for f in /usr/lib/postgresql/$v/lib/ddb_fdw.so /usr/share/postgresql/$v/extension/ddb_fdw*; do
      if [ -e "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1; then  # a `make install`ed file
        mkdir -p "$work/saved${f%/*}"; cp -a "$f" "$work/saved$f"
      fi
    done
    if dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
      dpkg_installed=postgresql-$v-ddb-fdw
      ok "dpkg -i postgresql-$v-ddb-fdw"
    else fail "dpkg -i postgresql-$v-ddb-fdw: $(tail -3 "$work/dpkg.log")"; continue; fi
  else
    # a private copy of PostgreSQL $v without any ddb_fdw, then the package over it
    copy="$work/root-$v"
    for d in "$pgbin" "/usr/lib/postgresql/$v/lib" "/usr/share/postgresql/$v"; do
      mkdir -p "$copy$d"
      tar -C "$d" --exclude=./bitcode --exclude='./ddb_fdw*' --exclude='./extension/ddb_fdw*' -cf - . | tar -C "$copy$d" -xf -
    done
    dpkg-deb -x "$deb" "$copy"
    pgbin=$copy$pgbin
    ok "postgresql-$v-ddb-fdw unpacked over a private copy of PostgreSQL $v"
  fi
  rm -rf "$work/run"
  install -d -o postgres "$work/run"  # the instance, its socket and log
  as_pg "$pgbin/initdb" -D "$work/run/pg" -A trust >/dev/null
  if ! as_pg env AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true \
      "$pgbin/pg_ctl" -D "$work/run/pg" -l "$work/run/pg.log" -w -o "-p $port -k $work/run -c listen_addresses=''" start >/dev/null; then
    fail "PostgreSQL $v did not start: $(tail -5 "$work/run/pg.log")"; continue
  fi
  psql=(as_pg "$pgbin/psql" -X -q -At -h "$work/run" -p "$port" -d postgres -v ON_ERROR_STOP=1)
  table=package_pg$v
  ddb delete-table --if-exists "$table" >/dev/null
  ddb create-table "$table" id:N >/dev/null
  out=$("${psql[@]}" 2>&1 <<SQL
CREATE EXTENSION ddb_fdw;
SELECT extversion FROM pg_extension WHERE extname = 'ddb_fdw';
SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR';
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_DYNALITE_URL');
CREATE FOREIGN TABLE ft (id int, v text) SERVER ddb OPTIONS ("table-name" '$table');
BEGIN;
INSERT INTO ft VALUES (1, 'from the package'), (2, 'of PostgreSQL $v');
COMMIT;
SELECT items_written FROM ddb_fdw_stats();
SQL
) || true
  libdir=${pgbin%/bin}/lib
  if [ "$out" = "$(printf '%s\n' "$control_version" "$libdir" 2)" ]; then
    ok "PostgreSQL $v on the package: CREATE EXTENSION ddb_fdw is $control_version, loaded from $libdir, INSERT committed 2 items"
  else fail "PostgreSQL $v on the package (want version $control_version, $libdir, 2 items): $out"; fi
  landed=$(ddb dump "$table")
  if [ "$landed" = "$(printf '%s\n' '{"id":{"N":"1"},"v":{"S":"from the package"}}' "{\"id\":{\"N\":\"2\"},\"v\":{\"S\":\"of PostgreSQL $v\"}}")" ]; then
    ok "both rows written through the package are in dynalite, read back by test/helpers/ddb"
  else fail "dynalite holds, after the INSERT through the package: $landed"; fi
  out=$("${psql[@]}" -c "CREATE DATABASE upd" -c '\c upd' -c "CREATE EXTENSION ddb_fdw VERSION '1.0'" \
      -c "ALTER EXTENSION ddb_fdw UPDATE" -c "SELECT extversion FROM pg_extension WHERE extname = 'ddb_fdw'" 2>&1) || true
  if [ "$out" = "$control_version" ]; then ok "PostgreSQL $v on the package: CREATE EXTENSION VERSION '1.0', then UPDATE to $out"
  else fail "PostgreSQL $v on the package: CREATE EXTENSION VERSION '1.0' + UPDATE: $out"; fi
  as_pg "$pgbin/pg_ctl" -D "$work/run/pg" -m fast stop >/dev/null
  ddb delete-table "$table" >/dev/null
  if [ -n "${DDB_PACKAGE_DPKG:-}" ]; then
    # the package's own autopkgtest, now that dpkg knows the package
    if out=$(cd "$src" && debian/tests/smoke 2>&1) && [ "$(tail -1 <<<"$out")" = ok ]; then
      ok "debian/tests/smoke (autopkgtest) on postgresql-$v-ddb-fdw"
    else fail "debian/tests/smoke: $(tail -5 <<<"$out")"; fi
    restore_system
    if dpkg -s "postgresql-$v-ddb-fdw" >/dev/null 2>&1; then fail "dpkg -r postgresql-$v-ddb-fdw left it installed"
    else ok "dpkg -r postgresql-$v-ddb-fdw, and the ddb_fdw files it replaced are back"; fi
  fi
done
[ "$n" -gt 0 ] || fail "no package was tested"
summary
