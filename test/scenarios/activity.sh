#!/usr/bin/env bash
# The cluster-wide view of the writers (ddb_fdw_activity), on an instance
# with ddb_fdw in shared_preload_libraries: another session sees, per
# backend and foreign table, what each writer did — a plain load, a flush
# that failed with its error and time, throttles retried, the write
# capacity DynamoDB's answers say was consumed — while the writing session
# is still open; another role sees the counts but not the error text; slots
# are freed when a backend exits; without preloading the view says how to
# enable it.  DynamoDB is dynalite, behind the fault proxy for the failures.
# The consumed capacity is checked against what dynalite charges for the
# same writes sent by test/helpers/ddb to a table of the test's own.  Needs test/fixtures/servers.sh running and DDB_TEST,
# DDB_DYNALITE_URL, DDB_PROXY_URL set (test/run.sh does both).
# Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/activity"
port=${DDB_ACTIVITY_PORT:-54356}
psql_() { psql_on "$port" "$@"; }
proxy() { curl -s -X POST "$DDB_PROXY_URL/__proxy/$1" ${2:+-d "$2"} >/dev/null; }
# charged OP JSON: the write capacity dynalite says OP consumed, sent to act_probe outside PostgreSQL
charged() {
  ddb raw "$1" "$(jq -c '. + {ReturnConsumedCapacity: "TOTAL"}' <<<"$2")" |
    jq '[.ConsumedCapacity | if type == "array" then .[] else . end | .CapacityUnits] | add // 0'
}
# put_items TABLE FROM TO VALUE [BIG]: BatchWriteItem bodies (25 a request) of the items
# (id, v) the INSERTs below write, the one of id BIG with 2500 bytes of v
put_items() {
  local table=$1 from=$2 to=$3 value=$4 big=${5:-0} s
  for ((s = from; s <= to; s += 25)); do
    jq -cn --arg t "$table" --argjson s "$s" --argjson e "$(( s + 24 < to ? s + 24 : to ))" \
      --arg value "$value" --argjson big "$big" \
      '{RequestItems: {($t): [range($s; $e + 1) | {PutRequest: {Item: {id: {N: tostring},
        v: {S: (if . == $big then "x" * 2500 else $value end)}}}}]}}'
  done
}
sum() { awk '{s += $1} END {print s + 0}'; }

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
fresh_tables act_a act_b act_probe act_probe_b
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
GRANT SELECT (id), UPDATE ON act_a TO act_writer;
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
say "INSERT INTO act_a SELECT g, CASE WHEN g = 60 THEN repeat('x', 2500) ELSE 'bulk' END FROM generate_series(1, 60) g;"
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE foreign_table = 'public.act_a' AND items_written = 60"; then
  row=$(psql_ -c "SELECT flushes, items_written, requests, last_error IS NULL, last_flush_at > now() - interval '1 minute' FROM ddb_fdw_activity WHERE foreign_table = 'public.act_a'")
  [ "$row" = "1|60|3|t|t" ] && ok "another session sees the load of an open session: 60 items in 1 flush of 3 requests" \
    || fail "activity of the load: $row"
else
  fail "the load never showed in ddb_fdw_activity"; cat "$work/writer.out"
fi
# the same 60 items (one of 2.5 kB) written to act_probe from outside: what dynalite charges for them
expected=$(put_items act_probe 1 60 bulk 60 | while read -r body; do charged BatchWriteItem "$body"; done | sum)
wcu=$(psql_ -c "SELECT consumed_wcu FROM ddb_fdw_activity WHERE foreign_table = 'public.act_a'")
[ -n "$expected" ] && [ "$expected" != 0 ] && [ "$wcu" = "$expected" ] &&
  ok "the load's consumed write capacity is what dynalite charges for its items ($expected)" ||
  fail "consumed_wcu of the load: $wcu, dynalite charges ${expected:-nothing}"

# an UpdateItem's capacity adds to the table's
say "UPDATE act_a SET v = 'updated' WHERE id = 60;"
update_wcu=$(charged UpdateItem '{"TableName":"act_probe","Key":{"id":{"N":"60"}},"UpdateExpression":"SET #v = :v",
  "ExpressionAttributeNames":{"#v":"v"},"ExpressionAttributeValues":{":v":{"S":"updated"}}}')
expected=$(awk "BEGIN {print $expected + $update_wcu}")
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE foreign_table = 'public.act_a' AND items_written = 61"; then
  wcu=$(psql_ -c "SELECT consumed_wcu FROM ddb_fdw_activity WHERE foreign_table = 'public.act_a'")
  [ "$wcu" = "$expected" ] && ok "an UPDATE's UpdateItem adds what dynalite charges for it ($update_wcu)" ||
    fail "consumed_wcu after the UPDATE: $wcu, expected $expected"
else
  fail "the UPDATE never showed"; cat "$work/writer.out"
fi

# throttled twice, then written: counted as throttles and retries
proxy reset
proxy script '["throttle","throttle"]'
say "INSERT INTO act_b VALUES (1, 'throttled');"
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b' AND items_written = 1"; then
  row=$(psql_ -c "SELECT throttles, retries, last_error IS NULL, consumed_wcu FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b'")
  expected=$(charged BatchWriteItem '{"RequestItems":{"act_probe_b":[{"PutRequest":{"Item":{"id":{"N":"1"},"v":{"S":"throttled"}}}}]}}')
  [ "$row" = "2|2|t|$expected" ] && ok "throttles and retries counted per table (2, 2), no error; only the answer that wrote consumed capacity ($expected)" ||
    fail "throttled flush: $row (dynalite charges $expected)"
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

# half of 4 items left unprocessed, then re-sent: each charged once, when written
proxy script '["unprocessed"]'
say "INSERT INTO act_b SELECT g, 'halved' FROM generate_series(211, 214) g;"
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b' AND items_written = 5"; then
  wcu=$(psql_ -c "SELECT consumed_wcu FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b'")
  halved=$(put_items act_probe_b 211 214 halved | while read -r body; do charged BatchWriteItem "$body"; done | sum)
  [ "$wcu" = "$(awk "BEGIN {print $expected + $halved}")" ] &&
    ok "a batch written in two answers (UnprocessedItems): its items' capacity counted once ($halved)" ||
    fail "consumed_wcu after UnprocessedItems: $wcu, expected $expected + $halved"
else
  fail "the partly processed flush never showed"; cat "$work/writer.out"
fi

# a ConsumedCapacity no DynamoDB answers: not counted, and the write stands
expected=$(psql_ -c "SELECT consumed_wcu FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b' AND consumed_wcu > 0")
proxy script '["forged_capacity"]'
say "INSERT INTO act_b VALUES (15, 'forged');"
if wait_for "SELECT count(*) = 1 FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b' AND items_written = 6"; then
  wcu=$(psql_ -c "SELECT consumed_wcu FROM ddb_fdw_activity WHERE foreign_table = 'public.act_b'")
  [ -n "$expected" ] && [ "$wcu" = "$expected" ] && ddb dump act_b | grep -q '"forged"' &&
    ok "1e300 consumed units are not counted, and the row is written" || fail "forged capacity: consumed_wcu $wcu, expected $expected"
else
  fail "the flush with a forged capacity never showed"; cat "$work/writer.out"
fi

# the session's own ddb_fdw_stats() counts what its two slots show
say "SELECT 'stats ' || consumed_wcu FROM ddb_fdw_stats();"
total=$(psql_ -c "SELECT sum(consumed_wcu) FROM ddb_fdw_activity WHERE pid = (SELECT pid FROM pg_stat_activity WHERE usename = 'act_writer')")
for _ in $(seq 1 100); do grep -q '^stats ' "$work/writer.out" && break; sleep 0.1; done
stats=$(sed -n 's/^stats //p' "$work/writer.out")
[ -n "$stats" ] && [ "$stats" = "$total" ] && [ "$total" != 0 ] && ok "ddb_fdw_stats().consumed_wcu is the sum of the session's slots ($total)" ||
  fail "ddb_fdw_stats() consumed_wcu ${stats:-missing}, the slots sum to $total"

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
