#!/usr/bin/env bash
# Version-guarded writes ("version-column") under concurrency and faults, in
# an instance of the test's own:
#   1. two forwarders (local tables with ddb_fdw_forward triggers) write the
#      same keys at once, the older versions also after the newer ones: every
#      item ends at its newest version; unguarded, the last writer wins;
#   2. two sessions run random transactions through test/fixtures/faultproxy.py
#      with random faults (applied then 500, held past the read timeout then
#      applied, resets, throttling): after the late writes have landed, no
#      item holds a version older than the newest committed one of its key.
# What landed is read with test/helpers/ddb, outside PostgreSQL.
# Needs test/fixtures/servers.sh running and DDB_TEST, DDB_DYNALITE_URL,
# DDB_PROXY_URL set (test/run.sh does both).  Prints ok/FAIL lines and
# "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/guard"
port=${DDB_GUARD_PORT:-54363}
rounds=${DDB_GUARD_TRANSACTIONS:-60}   # per session, in part 2
psql_() { psql_on "$port" "$@"; }
proxy() { curl -s -X POST "$DDB_PROXY_URL/__proxy/$1" -d "${2:-}" >/dev/null; }

cleanup() { stop_instance_now; proxy reset; }
trap cleanup EXIT

fresh_work
init_instance
start_instance

fresh_tables guard_fwd guard_fwd_off guard_rand
psql_ <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_DYNALITE_URL');
CREATE SERVER flaky FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_PROXY_URL',
           "sink.http-client.read-timeout" '1000');
CREATE USER MAPPING FOR postgres SERVER ddb OPTIONS (
  "aws.credentials.basic.accesskeyid" 'guard', "aws.credentials.basic.secretkey" 'guard');
CREATE USER MAPPING FOR postgres SERVER flaky OPTIONS (
  "aws.credentials.basic.accesskeyid" 'guard', "aws.credentials.basic.secretkey" 'guard');
CREATE FOREIGN TABLE fwd (id int, ver bigint, origin text)
  SERVER ddb OPTIONS ("table-name" 'guard_fwd', "version-column" 'ver');
CREATE FOREIGN TABLE fwd_off (id int, ver bigint, origin text)
  SERVER ddb OPTIONS ("table-name" 'guard_fwd_off');
-- two forwarders of one DynamoDB table, each from a local table of its own
CREATE TABLE src_new (id int PRIMARY KEY, ver bigint, origin text);
CREATE TABLE src_old (id int PRIMARY KEY, ver bigint, origin text);
CREATE TABLE src_new_off (LIKE src_new);
CREATE TABLE src_old_off (LIKE src_new);
CREATE TRIGGER f AFTER INSERT OR UPDATE ON src_new FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('fwd');
CREATE TRIGGER f AFTER INSERT OR UPDATE ON src_old FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('fwd');
CREATE TRIGGER f AFTER INSERT OR UPDATE ON src_new_off FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('fwd_off');
CREATE TRIGGER f AFTER INSERT OR UPDATE ON src_old_off FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('fwd_off');
-- part 2: versions from one sequence, so a later transaction has a newer one
CREATE FOREIGN TABLE rand (id int, ver bigint, origin text)
  SERVER flaky OPTIONS ("table-name" 'guard_rand', "version-column" 'ver');
CREATE SEQUENCE versions;
CREATE TABLE committed (id int, ver bigint);
SQL

# ---- 1. two forwarders out of order ----
# the newer forwarder writes version 2 of keys 1..200 in ten transactions
# while the older one writes version 1 of the same keys from the other end;
# then the older one replays all of it once more, after the newer one
forwarders() {  # forwarders SUFFIX
  local sfx=$1
  psql_ -c "TRUNCATE src_new$sfx, src_old$sfx" >/dev/null
  as_pg bash -c "for s in \$(seq 0 20 180); do
      '$bindir/psql' -X -q -h '$work' -p $port -d postgres -v ON_ERROR_STOP=1 \
        -c \"INSERT INTO src_new$sfx SELECT g, 2, 'new' FROM generate_series(\$s + 1, \$s + 20) g\" || exit 1
    done" &
  local a=$!
  as_pg bash -c "for s in \$(seq 180 -20 0); do
      '$bindir/psql' -X -q -h '$work' -p $port -d postgres -v ON_ERROR_STOP=1 \
        -c \"INSERT INTO src_old$sfx SELECT g, 1, 'old' FROM generate_series(\$s + 1, \$s + 20) g\" || exit 1
    done" &
  local b=$!
  wait "$a" && wait "$b" || return 1
  # the older forwarder's change replayed after the newer one's (a late apply worker)
  psql_ -c "UPDATE src_old$sfx SET origin = 'old, replayed'" >/dev/null
}
if forwarders ""; then
  newest=$(ddb dump guard_fwd | jq -r 'select(.ver.N == "2" and .origin.S == "new") | .id.N' | wc -l)
  total=$(ddb count guard_fwd)
  if [ "$newest" = 200 ] && [ "$total" = 200 ]; then
    ok "two forwarders out of order: all 200 items end at the newest version"
  else
    fail "two forwarders out of order: $newest of $total items at the newest version (want 200 of 200)"
  fi
else
  fail "two forwarders ran"
fi
if forwarders "_off"; then
  older=$(ddb dump guard_fwd_off | jq -r 'select(.ver.N == "1") | .id.N' | wc -l)
  if [ "$older" -gt 0 ]; then
    ok "without \"version-column\" the last writer wins: $older of 200 items went back to version 1"
  else
    fail "without \"version-column\" the replayed older writes should have won, none did"
  fi
else
  fail "two unguarded forwarders ran"
fi

# ---- 2. random transactions through random faults ----
proxy random '{"rate":0.3,"seed":7,"faults":["applied500","slow","reset_before","reset_after","error500","throttle","slow_after","cut"]}'
session() {  # session NAME: $rounds transactions, each one key at a newer version
  local name=$1 i
  for i in $(seq 1 "$rounds"); do
    as_pg "$bindir/psql" -X -q -h "$work" -p "$port" -d postgres -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL
BEGIN;
SELECT nextval('versions') AS v, (random() * 9)::int + 1 AS k \gset
INSERT INTO rand VALUES (:k, :v, '$name');
INSERT INTO committed VALUES (:k, :v);
COMMIT;
SQL
  done
}
session a & sa=$!
session b & sb=$!
wait "$sa" "$sb"
proxy reset
sleep 4   # the proxy holds "slow" writes 3 s, then applies them: let the last land
n_committed=$(psql_ -c "SELECT count(*) FROM committed")
# keys whose item is older than their newest committed version
ddb dump guard_rand | jq -r '[.id.N, .ver.N] | @tsv' >"$work/landed.tsv"
chown postgres: "$work/landed.tsv"
older=$(psql_ <<SQL
CREATE TEMP TABLE landed (id int, ver bigint);
\copy landed FROM '$work/landed.tsv'
SELECT count(*) FROM (SELECT id, max(ver) AS ver FROM committed GROUP BY id) c
  LEFT JOIN landed l USING (id)
 WHERE l.ver IS NULL OR l.ver < c.ver;
SQL
)
if [ "$n_committed" -gt $((rounds / 2)) ] && [ "$older" = 0 ]; then
  ok "random faults, 2 sessions: $n_committed of $((2 * rounds)) transactions committed, no item older than its newest committed version"
else
  fail "random faults, 2 sessions: $n_committed committed, $older keys hold an older version than committed"
fi
if psql_ -c "SELECT 1" >/dev/null; then ok "server up afterwards"; else fail "server up afterwards"; fi
summary
