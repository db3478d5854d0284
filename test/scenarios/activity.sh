#!/usr/bin/env bash
# The cluster-wide view of the writers (ddb_fdw_activity), on an instance
# with ddb_fdw in shared_preload_libraries: another session sees, per
# backend and foreign table, what each writer did — a plain load, a flush
# that failed with its error and time, throttles retried — while the
# writing session is still open; another role sees the counts but not the
# error text; slots are freed when a backend exits; without preloading the
# view says how to enable it.  DynamoDB is dynalite, behind the fault proxy
# for the failures.  Needs test/fixtures/servers.sh running and DDB_TEST,
# DDB_DYNALITE_URL, DDB_PROXY_URL set (test/run.sh does both).
# Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/activity"
port=${DDB_ACTIVITY_PORT:-54356}
psql_() { psql_on "$port" "$@"; }
proxy() { curl -s -X POST "$DDB_PROXY_URL/__proxy/$1" ${2:+-d "$2"} >/dev/null; }

cleanup() {
  [ -n "${writer_pid:-}" ] && kill "$writer_pid" 2>/dev/null
  stop_instance_now
}
trap cleanup EXIT

fresh_work
init_instance
stop() { as_pg "$bindir/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null; }

# without preloading: a clear error, and writing works as ever
start_instance
fresh_tables act_a act_b
psql_ >/dev/null <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_DYNALITE_URL');
CREATE SERVER proxied FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_PROXY_URL', "sink.max-retries" '3');
CREATE USER MAPPING FOR PUBLIC SERVER ddb OPTIONS (
  "aws.credentials.basic.accesskeyid" 'act', "aws.credentials.basic.secretkey" 'act');
CREATE USER MAPPING FOR PUBLIC SERVER proxied OPTIONS (
  "aws.credentials.basic.accesskeyid" 'act', "aws.credentials.basic.secretkey" 'act');
CREATE FOREIGN TABLE act_a (id int, v text) SERVER ddb OPTIONS ("table-name" 'act_a');
CREATE FOREIGN TABLE act_b (id int, v text) SERVER proxied OPTIONS ("table-name" 'act_b');
CREATE ROLE act_reader LOGIN;
CREATE ROLE act_writer LOGIN;
GRANT INSERT ON act_a, act_b TO act_writer;
SQL
out=$(psql_ -c "SELECT * FROM ddb_fdw_activity" 2>&1)
if grep -q 'ddb_fdw_activity needs ddb_fdw in shared_preload_libraries' <<<"$out" &&
   psql_ -c "INSERT INTO act_a VALUES (0, 'not preloaded')" >/dev/null; then
  ok "without shared_preload_libraries the view says how to enable it, and writing works"
else
  fail "without shared_preload_libraries: $out"
fi
stop

start_instance "-c shared_preload_libraries=ddb_fdw -c ddb_fdw.activity_slots=16"

# a writer session stays open (psql reading commands from a pipe) while another session looks
mkfifo "$work/writer.in"
chown postgres: "$work/writer.in"
as_pg "$bindir/psql" -X -q -At -h "$work" -p "$port" -d postgres -U act_writer \
  <"$work/writer.in" >"$work/writer.out" 2>&1 &
writer_pid=$!
exec 7>"$work/writer.in"
say() { echo "$1" >&7; }
wait_for() {  # SQL that returns t when the writer got there
  local i
  for i in $(seq 1 100); do
    [ "$(psql_ -c "$1")" = t ] && return 0
    sleep 0.1
  done
  return 1
}

say "SELECT pg_backend_pid() AS writer \\gset"
say "INSERT INTO act_a SELECT g, 'bulk' FROM generate_series(1, 60) g;"
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE foreign_table = 'public.act_a' AND items_written = 60"; then
  row=$(psql_ -c "SELECT flushes, items_written, requests, last_error IS NULL, last_flush_at > now() - interval '1 minute' FROM ddb_fdw_activity WHERE foreign_table = 'public.act_a'")
  [ "$row" = "1|60|3|t|t" ] && ok "another session sees the load of an open session: 60 items in 1 flush of 3 requests" \
    || fail "activity of the load: $row"
else
  fail "the load never showed in ddb_fdw_activity"; cat "$work/writer.out"
fi

# throttled twice, then written: counted as throttles and retries
proxy reset
proxy script '["throttle","throttle"]'
say "INSERT INTO act_b VALUES (1, 'throttled');"
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b' AND items_written = 1"; then
  row=$(psql_ -c "SELECT throttles, retries, last_error IS NULL FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b'")
  [ "$row" = "2|2|t" ] && ok "throttles and retries counted per table (2, 2), no error" || fail "throttled flush: $row"
else
  fail "the throttled flush never showed"
fi

# a flush that fails: its error and time, for the DBA; not for another role
proxy script '["validation"]'
say "INSERT INTO act_b VALUES (2, 'refused');"
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE last_error IS NOT NULL"; then
  row=$(psql_ -c "SELECT foreign_table, dynamodb_table, flushes, last_error LIKE 'DynamoDB error ValidationException:%', last_error_at > now() - interval '1 minute' FROM ddb_fdw_activity WHERE last_error IS NOT NULL")
  [ "$row" = "public.act_b|act_b|2|t|t" ] && ok "a failed flush shows its DynamoDB error and its time" || fail "failed flush: $row"
  shown=$(psql_ -U act_reader -c "SELECT last_error, items_written FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b'")
  [ "$shown" = "<insufficient privilege>|1" ] && ok "another role sees the counts, not the error text" || fail "act_reader sees: $shown"
else
  fail "the failed flush never showed"; cat "$work/writer.out"
fi
proxy reset

# one slot per backend and table; the writer's slots are freed when it exits
n=$(psql_ -c "SELECT count(*) FROM ddb_fdw_activity WHERE pid = (SELECT pid FROM pg_stat_activity WHERE usename = 'act_writer')")
[ "$n" = 2 ] && ok "one slot per backend and foreign table (2)" || fail "slots of the writer: $n"
say "\\q"
exec 7>&-
wait "$writer_pid"
writer_pid=
if wait_for "SELECT count(*) = 0 FROM ddb_fdw_activity"; then ok "the slots are freed when the backend exits"; else fail "slots left after exit"; fi

# more tables than slots: the rest is counted as overflow, writing goes on
row=$(psql_ <<SQL
DO \$\$ BEGIN
  FOR i IN 1..20 LOOP
    EXECUTE format('CREATE FOREIGN TABLE act_many_%s (id int, v text) SERVER ddb OPTIONS ("table-name" %L)', i, 'act_a');
  END LOOP;
END \$\$;
BEGIN;
$(for i in $(seq 1 20); do echo "INSERT INTO act_many_$i VALUES ($((1000 + i)), 'many');"; done)
COMMIT;
SELECT (SELECT count(*) FROM ddb_fdw_activity), ddb_fdw_activity_overflow();
SQL
)
landed=$(ddb dump act_a | grep -c '"many"')
[ "$row" = "16|4" ] && [ "$landed" = 20 ] && ok "20 tables in 16 slots: 16 shown, 4 counted as overflow, all 20 rows written" \
  || fail "overflow: $row, landed $landed"

if ! grep -q "terminated by signal" "$work/pg.log"; then ok "server log has no crash"; else fail "server log has a crash"; fi
summary
