#!/usr/bin/env bash
# SYS_PROP keys in postgresql.conf (issue 12, item 5).  Until a session
# loads ddb_fdw, a setting ddb_fdw.* from the configuration file is a
# placeholder that every role can read; only when ddb_fdw is in
# shared_preload_libraries do the settings exist, protected, from the
# postmaster's start.  A PostgreSQL instance of its own, with the keys of
# moto's signature-checking identity in its postgresql.conf:
#   (a) without preloading, a login role that is not a superuser reads the
#       secret (what PostgreSQL does: the reason for the rule), and SYS_PROP
#       is refused with a hint, and loading ddb_fdw warns;
#   (b) preloaded, that role gets nothing from SHOW, current_setting(),
#       SHOW ALL, pg_settings or pg_file_settings, and SYS_PROP signs with
#       the keys (moto verifies the signature; the row is read back).
# Needs test/fixtures/servers.sh running and test/run.sh's environment.
# Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/sysprop"
port=${DDB_SYSPROP_PORT:-54359}
moto=$DDB_MOTO_AUTH_URL
moto_ddb() { AWS_ACCESS_KEY_ID=$DDB_MOTO_KEY_ID AWS_SECRET_ACCESS_KEY=$DDB_MOTO_SECRET "$DDB_TEST/ddb" --endpoint "$moto" "$@"; }
# psql as the superuser, or as the login role plain (-U plain)
su_() { psql_on "$port" "$@" 2>&1; }
plain() { as_pg "$bindir/psql" -X -q -At -h "$work" -p "$port" -d postgres -U plain "$@" 2>&1; }

stop_pg() { [ -f "$work/pg/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1; }
trap stop_pg EXIT
start_pg() {  # extra postgres -c settings
  stop_pg
  as_pg env -i PATH=/usr/bin:/bin HOME=/var/lib/postgresql LANG=C.UTF-8 AWS_EC2_METADATA_DISABLED=true \
    "$bindir/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-p $port -k $work -c listen_addresses='' $*" start >/dev/null
}
check() {  # name command...
  local name=$1; shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}
has() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }

rm -rf "$work"
mkdir -p "$work"
chown postgres: "$work"
as_pg "$bindir/initdb" -D "$work/pg" -A trust >/dev/null || { fail "initdb"; summary; exit 1; }
secret=$DDB_MOTO_SECRET
cat >>"$work/pg/postgresql.conf" <<EOF
ddb_fdw.aws_access_key_id = '$DDB_MOTO_KEY_ID'
ddb_fdw.aws_secret_access_key = '$secret'
EOF
moto_ddb delete-table --if-exists sysprop >/dev/null
moto_ddb create-table sysprop id:N >/dev/null

# (a) not preloaded
start_pg
su_ -c "CREATE EXTENSION ddb_fdw;
CREATE SERVER moto FOREIGN DATA WRAPPER ddb_fdw OPTIONS (\"aws.region\" 'us-east-1', \"aws.endpoint\" '$moto');
CREATE USER MAPPING FOR postgres SERVER moto OPTIONS (\"aws.credentials.provider\" 'SYS_PROP');
CREATE FOREIGN TABLE sysprop (id int, v text) SERVER moto OPTIONS (\"table-name\" 'sysprop');
CREATE ROLE plain LOGIN;" >"$work/setup.out"
check "set up without shared_preload_libraries" has "$(cat "$work/setup.out")" "WARNING:  setting \"ddb_fdw.aws_secret_access_key\" is readable by every role"
out=$(plain -c "SHOW ddb_fdw.aws_secret_access_key" -c "SELECT current_setting('ddb_fdw.aws_secret_access_key')")
check "without preloading, another role reads the secret from the configuration (why SYS_PROP needs it)" \
  has "$out" "$secret"
out=$(su_ -c "INSERT INTO sysprop VALUES (1, 'not preloaded')")
check "without preloading, SYS_PROP is refused" has "$out" "ERROR:  credentials provider SYS_PROP needs ddb_fdw in shared_preload_libraries"
check "... with a hint" has "$out" "HINT:  Add ddb_fdw to shared_preload_libraries"
check "... and the secret is not in the message" lacks "$out" "$secret"
check "... and nothing was written" test "$(moto_ddb count sysprop)" = 0
out=$(su_ -c "ALTER USER MAPPING FOR postgres SERVER moto OPTIONS (SET \"aws.credentials.provider\" 'AUTO')" \
  -c "SET client_min_messages = warning" -c "INSERT INTO sysprop VALUES (1, 'auto, not preloaded')")
check "the AUTO chain skips the unprotected settings, saying why" \
  has "$out" "settings: not used, as ddb_fdw is not in shared_preload_libraries"

# (b) preloaded
su_ -c "ALTER USER MAPPING FOR postgres SERVER moto OPTIONS (SET \"aws.credentials.provider\" 'SYS_PROP')" >/dev/null
start_pg "-c shared_preload_libraries=ddb_fdw"
out=$(plain -c "SHOW ddb_fdw.aws_secret_access_key")
# 15 says "must be superuser or have privileges of pg_read_all_settings to examine", 16+ "permission denied to examine"
check "preloaded: SHOW is denied to another role" has "$out" "to examine \"ddb_fdw.aws_secret_access_key\""
out=$(plain -c "SELECT current_setting('ddb_fdw.aws_secret_access_key', true)")
check "preloaded: current_setting() is denied" has "$out" "to examine \"ddb_fdw.aws_secret_access_key\""
out=$(plain -c "SELECT count(*) FROM pg_settings WHERE name LIKE 'ddb_fdw.aws%'")
check "preloaded: pg_settings shows none of the credentials settings" test "$out" = 0
out=$(plain -c "SELECT setting FROM pg_file_settings WHERE name LIKE 'ddb_fdw.%'")
check "preloaded: pg_file_settings is denied" has "$out" "ERROR:  permission denied for view pg_file_settings"
out=$(plain -c "SHOW ALL")
check "preloaded: SHOW ALL lacks the secret" lacks "$out" "$secret"
out=$(plain -c "SELECT current_setting('ddb_fdw.aws_secret_access_key')" -c "SHOW ddb_fdw.aws_access_key_id" \
  -c "SELECT * FROM pg_settings" -c "SELECT * FROM pg_file_settings")
check "preloaded: no way above shows the secret" lacks "$out" "$secret"
out=$(su_ -c "INSERT INTO sysprop VALUES (2, 'preloaded')")
check "preloaded: SYS_PROP signs with the configured keys (moto verifies)" test -z "$out"
check "... and the row landed" has "$(moto_ddb dump sysprop)" '"preloaded"'
check "server log free of the secret" lacks "$(cat "$work/pg.log")" "$secret"

summary
