#!/usr/bin/env bash
# Concurrency: 8 backends (pgbench, 8 clients) commit single-row INSERTs
# into two ddb_fdw foreign tables at once for a bounded time.  Every
# committed transaction must have landed in DynamoDB exactly once (counted
# with test/helpers/ddb from outside PostgreSQL), and the server must be up after.
# Then a COMMIT stuck on a slow endpoint is ended with pg_terminate_backend.
# Needs test/fixtures/servers.sh running and DDB_TEST, DDB_DYNALITE_URL, DDB_PROXY_URL
# set (test/run.sh does both).  Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/concurrency"
port=${DDB_CONC_PORT:-54353}
seconds=${DDB_CONC_SECONDS:-10}
psql_() { psql_on "$port" "$@"; }

cleanup() { stop_instance_now; }
trap cleanup EXIT

fresh_work
init_instance
start_instance "-c max_connections=30"

fresh_tables conc_a conc_b
psql_ <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_DYNALITE_URL');
CREATE USER MAPPING FOR postgres SERVER ddb OPTIONS (
  "aws.credentials.basic.accesskeyid" 'conc', "aws.credentials.basic.secretkey" 'conc');
CREATE FOREIGN TABLE conc_a (id bigint, client int, v text) SERVER ddb OPTIONS ("table-name" 'conc_a');
CREATE FOREIGN TABLE conc_b (id bigint, client int, v text) SERVER ddb OPTIONS ("table-name" 'conc_b');
-- a local sequence gives every transaction its own key; a local log counts the commits
CREATE SEQUENCE conc_ids;
CREATE TABLE conc_log (tbl text, id bigint);
SQL
for t in a b; do
  cat >"$work/$t.sql" <<SQL
BEGIN;
SELECT nextval('conc_ids') AS id \\gset
INSERT INTO conc_$t VALUES (:id, :client_id, '$t');
INSERT INTO conc_log VALUES ('$t', :id);
COMMIT;
SQL
done
chown postgres: "$work"/*.sql

if as_pg "$bindir/pgbench" -n -h "$work" -p "$port" -c 8 -j 2 -T "$seconds" \
     -f "$work/a.sql@1" -f "$work/b.sql@1" postgres >"$work/pgbench.log" 2>&1; then
  ok "8 clients for ${seconds}s: $(grep -E 'number of transactions actually processed' "$work/pgbench.log" | sed 's/.*: //') transactions"
else
  fail "pgbench ran"; tail -5 "$work/pgbench.log"
fi

for t in a b; do
  committed=$(psql_ -c "SELECT count(*) FROM conc_log WHERE tbl = '$t'")
  landed=$(ddb count "conc_$t")
  if [ -n "$committed" ] && [ "$committed" = "$landed" ] && [ "$committed" -gt 0 ]; then
    ok "table conc_$t: $committed committed transactions, $landed items in DynamoDB"
  else
    fail "table conc_$t: $committed committed transactions, $landed items in DynamoDB"
  fi
done
# the keys are exactly the committed ones (no lost, no extra, no duplicate rows)
expected=$(psql_ -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM conc_log WHERE tbl = 'a'")
actual=$(ddb dump conc_a | jq -r '.id.N' | sort -n | paste -sd, -)
if [ "$expected" = "$actual" ]; then ok "conc_a holds exactly the committed keys"; else fail "conc_a holds exactly the committed keys"; fi
if psql_ -c "SELECT 1" >/dev/null; then ok "server up afterwards"; else fail "server up afterwards"; fi

# pg_terminate_backend while a COMMIT waits on a slow DynamoDB (the fault
# proxy delays the response): the backend exits cleanly, the server stays up
psql_ <<SQL
CREATE SERVER slow FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_PROXY_URL');
CREATE USER MAPPING FOR postgres SERVER slow OPTIONS (
  "aws.credentials.basic.accesskeyid" 'conc', "aws.credentials.basic.secretkey" 'conc');
CREATE FOREIGN TABLE conc_slow (id bigint, client int, v text) SERVER slow OPTIONS ("table-name" 'conc_a');
SQL
curl -s -X POST "$DDB_PROXY_URL/__proxy/script" -d '["slow"]' >/dev/null
psql_ -c "BEGIN; INSERT INTO conc_slow VALUES (-1, 0, 'terminated'); COMMIT;" >"$work/terminated.log" 2>&1 &
victim=$!
sleep 1.5
terminated=$(psql_ -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE '%conc_slow%' AND pid <> pg_backend_pid()")
wait "$victim"
curl -s -X POST "$DDB_PROXY_URL/__proxy/reset" >/dev/null
if [ "$terminated" = 1 ] && grep -q "terminating connection" "$work/terminated.log" &&
   ! grep -q "terminated by signal" "$work/pg.log"; then
  ok "pg_terminate_backend during a slow COMMIT: the backend exits cleanly"
else
  fail "pg_terminate_backend during a slow COMMIT (terminated: $terminated)"; cat "$work/terminated.log"
fi
if psql_ -c "INSERT INTO conc_a VALUES (-2, 0, 'after terminate')" >/dev/null && psql_ -c "SELECT 1" >/dev/null; then
  ok "server up and writing after the terminate"
else
  fail "server up and writing after the terminate"
fi

summary
