#!/usr/bin/env bash
# Hostile peers: a misbehaving HTTP server (test/fixtures/faultproxy.py's hostile
# faults, on 127.0.0.1) in place of DynamoDB or STS.  Each check states what
# must hold; each failed on the code before README's "Hostile peers":
#   - a 300 MB answer (chunked, or announced by Content-Length; DynamoDB or
#     STS) fails the call with a clear protocol error and the backend's peak
#     RSS (VmHWM in /proc/<pid>/status, read by the backend itself) grows by
#     less than 64 MB; oversized headers fail the same way;
#   - a peer that trickles its answer one byte every 0.4 s fails the request
#     within its deadline (read-timeout 3 s: well under 3x that), retries
#     follow sink.max-retries, the wait shows in pg_stat_activity as wait
#     event type Extension (event DynamoDBRequest on the network and
#     DynamoDBBackoff between retries on PostgreSQL 17+, the generic
#     Extension before), and a client that goes away ends the backend's wait;
#   - forged UnprocessedItems (a request never sent, another table, the same
#     request twice, a count above what was sent shrinking by one) are a
#     protocol error after one request: nothing forged is written anywhere;
#     genuine UnprocessedItems are still re-sent and land.
# Needs test/fixtures/servers.sh running and DDB_TEST, DDB_DYNALITE_URL, DDB_PROXY_URL
# set (test/run.sh does both).  Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/hostile"
port=${DDB_HOSTILE_PORT:-54361}
psql_() { psql_on "$port" "$@"; }
# a session that goes on after an error, its output (errors too) on stdout
session() { as_pg "$bindir/psql" -X -q -At -h "$work" -p "$port" -d postgres "$@" 2>&1; }
proxy() { curl -s --max-time 10 -d "${2:-}" "$DDB_PROXY_URL/__proxy/$1" >/dev/null; }
proxy_requests() { curl -s --max-time 10 "$DDB_PROXY_URL/__proxy/stats" | jq -r .requests; }
now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# below A B: is the number A < B
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
# has HAYSTACK NEEDLE: does $1 contain the fixed string $2
has() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }

bg_pids=()
cleanup() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  stop_instance_now
  proxy reset
}
trap cleanup EXIT

fresh_work
init_instance
start_instance

fresh_tables hostile victim
proxy reset
psql_ <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER hp FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_PROXY_URL', "sink.max-retries" '0');
CREATE USER MAPPING FOR postgres SERVER hp OPTIONS (
  "aws.credentials.basic.accesskeyid" 'hostile', "aws.credentials.basic.secretkey" 'hostile');
CREATE FOREIGN TABLE hostile_ft (id bigint, v text) SERVER hp OPTIONS ("table-name" 'hostile');
CREATE FOREIGN TABLE victim_ft (id bigint, v text) SERVER hp OPTIONS ("table-name" 'victim');
-- forged answers get retries to abuse: the old code spent them on the peer's requests
CREATE FOREIGN TABLE forged_ft (id bigint, v text) SERVER hp
  OPTIONS ("table-name" 'hostile', "sink.max-retries" '5');
-- STS through the proxy: AssumeRole, signed with basic keys
CREATE SERVER sts FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_PROXY_URL', "aws.sts.endpoint" '$DDB_PROXY_URL');
CREATE USER MAPPING FOR postgres SERVER sts OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE', "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/r',
  "aws.credentials.role.sessionName" 'hostile', "aws.credentials.role.provider" 'BASIC',
  "aws.credentials.basic.accesskeyid" 'hostile', "aws.credentials.basic.secretkey" 'hostile');
CREATE FOREIGN TABLE sts_ft (id bigint, v text) SERVER sts OPTIONS ("table-name" 'hostile');
INSERT INTO victim_ft VALUES (1, 'must stay');
SQL

hwm="SELECT 'hwm=' || (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\\s+(\\d+)'))[1]"

# ---------- 1. unbounded responses ----------
# huge_check NAME FAULT TABLE WANT: a warm-up write, then one answered by FAULT
huge_check() {
  local name=$1 fault=$2 table=$3 want=$4 out before after growth
  proxy reset
  out=$(session -c "INSERT INTO hostile_ft VALUES (100, 'warm-up')" -c "$hwm" \
                -c "\\! curl -s -o /dev/null -d '[\"$fault\"]' $DDB_PROXY_URL/__proxy/script" \
                -c "INSERT INTO $table VALUES (101, '$fault')" -c "$hwm")
  before=$(echo "$out" | sed -n 's/^hwm=//p' | head -1)
  after=$(echo "$out" | sed -n 's/^hwm=//p' | tail -1)
  growth=$(( (${after:-0} - ${before:-0}) / 1024 ))
  echo "  $name: VmHWM ${before:-?} kB -> ${after:-?} kB (+$growth MB)"
  if [ -n "$before" ] && [ -n "$after" ] && [ "$growth" -lt 64 ]; then
    ok "$name: peak RSS grows by $growth MB (< 64 MB)"
  else
    fail "$name: peak RSS grows by $growth MB (< 64 MB)"
  fi
  if has "$out" "$want"; then ok "$name: clear error"; else fail "$name: clear error, got: $(echo "$out" | grep -E 'ERROR|DETAIL' | head -3)"; fi
}
huge_check "300 MB chunked answer to BatchWriteItem" huge hostile_ft \
  "DynamoDB protocol error: the response body exceeds the 65"
huge_check "300 MB 400-answer announced by Content-Length" huge400 hostile_ft \
  "DynamoDB protocol error: the response body exceeds the 65"
huge_check "300 MB answer to STS AssumeRole" huge sts_ft "exceeds the 65536 bytes"

proxy reset
proxy script '["bigheaders"]'
out=$(session -c "INSERT INTO hostile_ft VALUES (102, 'bigheaders')")
if has "$out" "DynamoDB protocol error: the response headers exceed 65536 bytes"; then
  ok "200 kB of response headers: protocol error"
else
  fail "200 kB of response headers: protocol error, got: $(echo "$out" | head -2)"
fi

# ---------- 2. slow peers ----------
proxy reset
proxy script '["trickle"]'
t0=$(now)
out=$(timeout 120 "$bindir/psql" -U postgres -X -q -At -h "$work" -p "$port" -d postgres \
        -c "ALTER FOREIGN TABLE hostile_ft OPTIONS (ADD \"sink.http-client.read-timeout\" '3000')" \
        -c "INSERT INTO hostile_ft VALUES (103, 'trickle')" 2>&1)
took=$(elapsed_since "$t0")
echo "  trickling peer, read-timeout 3000, max-retries 0: COMMIT ended after ${took}s"
if has "$out" "no complete response within 3" && below "$took" 9; then
  ok "trickling peer: the request fails within its deadline (${took}s < 3 x 3 s)"
else
  fail "trickling peer: the request fails within its deadline (${took}s), got: $(echo "$out" | head -2)"
fi

proxy reset
proxy script '["trickle","trickle"]'
t0=$(now)
out=$(timeout 120 "$bindir/psql" -U postgres -X -q -At -h "$work" -p "$port" -d postgres \
        -c "ALTER FOREIGN TABLE hostile_ft OPTIONS (ADD \"sink.max-retries\" '1')" \
        -c "INSERT INTO hostile_ft VALUES (104, 'trickle twice')" 2>&1)
took=$(elapsed_since "$t0")
n=$(proxy_requests)
psql_ -c "ALTER FOREIGN TABLE hostile_ft OPTIONS (DROP \"sink.max-retries\")"
if has "$out" "no complete response within 3" && [ "$n" = 2 ] && below "$took" 18; then
  ok "trickling peer, max-retries 1: $n tries, each within its deadline (${took}s)"
else
  fail "trickling peer, max-retries 1: $n tries in ${took}s, got: $(echo "$out" | head -2)"
fi

# the wait as others see it, then a client that goes away
named=$(psql_ -c "SELECT current_setting('server_version_num')::int >= 170000")
if [ "$named" = t ]; then expected_event=DynamoDBRequest backoff_event=DynamoDBBackoff
else expected_event=Extension backoff_event=Extension; fi
psql_ -c "ALTER FOREIGN TABLE hostile_ft OPTIONS (SET \"sink.http-client.read-timeout\" '600000')"
# waiting_backend APP [COND]: the pid of the backend of application APP once
# it waits on DynamoDB (or once COND holds of its pg_stat_activity row)
waiting_backend() {
  local i pid cond=${2:-"wait_event_type = 'Extension' AND wait_event = '$expected_event'"}
  for i in $(seq 1 100); do
    pid=$(psql_ -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND $cond")
    [ -n "$pid" ] && { echo "$pid"; return 0; }
    sleep 0.1
  done
  psql_ -c "SELECT 'seen: ' || coalesce(wait_event_type, '-') || '/' || coalesce(wait_event, '-')
            FROM pg_stat_activity WHERE application_name = '$1'" >&2
  return 1
}
proxy reset
proxy script '["trickle"]'
"$bindir/psql" -U postgres -X -q -h "$work" -p "$port" -d "dbname=postgres application_name=hostile_wait" \
  -c "INSERT INTO hostile_ft VALUES (105, 'wait event')" >"$work/wait.log" 2>&1 &
bg_pids+=($!)
if pid=$(waiting_backend hostile_wait); then
  ok "pg_stat_activity shows the wait: Extension / $expected_event"
  psql_ -c "SELECT pg_cancel_backend($pid)" >/dev/null
else
  fail "pg_stat_activity shows the wait: Extension / $expected_event"
  psql_ -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'hostile_wait'" >/dev/null
fi
wait "${bg_pids[-1]}" 2>/dev/null

# throttled eight times: the backoffs between the tries (up to 3.2 s each) show too
psql_ -c "ALTER FOREIGN TABLE forged_ft OPTIONS (SET \"sink.max-retries\" '10')"
proxy reset
proxy script '["throttle","throttle","throttle","throttle","throttle","throttle","throttle","throttle"]'
"$bindir/psql" -U postgres -X -q -h "$work" -p "$port" -d "dbname=postgres application_name=hostile_backoff" \
  -c "INSERT INTO forged_ft VALUES (107, 'backoff')" >"$work/backoff.log" 2>&1 &
bg_pids+=($!)
if waiting_backend hostile_backoff "wait_event_type = 'Extension' AND wait_event = '$backoff_event'" >/dev/null; then
  ok "pg_stat_activity shows the backoff: Extension / $backoff_event"
else
  fail "pg_stat_activity shows the backoff: Extension / $backoff_event"
fi
wait "${bg_pids[-1]}"
if [ ! -s "$work/backoff.log" ]; then ok "eight throttles, then the write lands"; else fail "eight throttles, then the write lands: $(head -2 "$work/backoff.log")"; fi
psql_ -c "ALTER FOREIGN TABLE forged_ft OPTIONS (SET \"sink.max-retries\" '5')"

proxy reset
proxy script '["trickle"]'
# psql itself (not under runuser) so that $! is the client to kill
"$bindir/psql" -U postgres -X -q -h "$work" -p "$port" -d "dbname=postgres application_name=hostile_gone" \
  -c "INSERT INTO hostile_ft VALUES (106, 'client gone')" >"$work/gone.log" 2>&1 &
client=$!
bg_pids+=($client)
# (found by its query, not its wait event: this check must not depend on the one above)
sleep 1
if pid=$(waiting_backend hostile_gone "state = 'active' AND query LIKE 'INSERT%'"); then
  kill -KILL "$client"  # its socket closes; nothing is sent to the backend
  { wait "$client"; } 2>/dev/null
  gone=
  for i in $(seq 1 100); do
    if [ -z "$(psql_ -c "SELECT 1 FROM pg_stat_activity WHERE pid = $pid")" ]; then gone=$i; break; fi
    sleep 0.1
  done
  if [ -n "$gone" ]; then
    ok "a closed client ends the backend's wait (within $((gone * 100)) ms)"
  else
    fail "a closed client ends the backend's wait (backend $pid still there after 10 s)"
    psql_ -c "SELECT pg_terminate_backend($pid)" >/dev/null
  fi
else
  fail "a closed client ends the backend's wait (it never waited)"
  kill "$client" 2>/dev/null
fi
psql_ -c "ALTER FOREIGN TABLE hostile_ft OPTIONS (DROP \"sink.http-client.read-timeout\")"

# ---------- 3. forged UnprocessedItems ----------
# forged_check NAME FAULTS_JSON SQL WANT: one COMMIT, answered by the faults
forged_check() {
  local name=$1 faults=$2 sql=$3 want=$4 out n
  proxy reset
  proxy script "$faults"
  out=$(session -c "$sql")
  n=$(proxy_requests)
  if has "$out" "$want" && [ "$n" = 1 ]; then
    ok "$name: protocol error after $n request"
  else
    fail "$name: protocol error after one request ($n requests), got: $(echo "$out" | grep -E 'ERROR' | head -2)"
  fi
}
forged_check "a request never sent" '["phantom"]' \
  "INSERT INTO forged_ft VALUES (200, 'real')" "UnprocessedItems lists a request that was not sent"
if [ -z "$(ddb dump hostile | grep 999999)" ]; then ok "the phantom item was not written"; else fail "the phantom item was not written"; fi
forged_check "another table" '["other_table"]' \
  "INSERT INTO forged_ft VALUES (201, 'real')" "UnprocessedItems names a table no request was sent to"
if [ "$(ddb count victim)" = 1 ]; then ok "nothing was sent to the other table"; else fail "nothing was sent to the other table (victim has $(ddb count victim) items)"; fi
forged_check "the same request twice" '["duplicate"]' \
  "INSERT INTO forged_ft VALUES (202, 'a'), (203, 'b')" "UnprocessedItems lists a request twice"
shrink=$(python3 -c 'import json; print(json.dumps(["shrink"] * 60))')
t0=$(now)
forged_check "more requests than sent, shrinking by one" "$shrink" \
  "INSERT INTO forged_ft VALUES (204, 'shrink')" "UnprocessedItems lists more requests than were sent"
echo "  shrinking count: COMMIT ended after $(elapsed_since "$t0")s"
out=$(session -c "\\set VERBOSITY verbose" -c "\\! curl -s -o /dev/null -d '[\"phantom\"]' $DDB_PROXY_URL/__proxy/script" \
              -c "INSERT INTO forged_ft VALUES (205, 'sqlstate')")
if has "$out" "ERROR:  08P01"; then ok "forged answers raise SQLSTATE 08P01 (protocol_violation)"; else fail "forged answers raise SQLSTATE 08P01, got: $(echo "$out" | grep ERROR | head -1)"; fi

# genuine UnprocessedItems (half of a batch, echoed by the proxy) still land, in our bytes
proxy reset
proxy script '["unprocessed"]'
out=$(session -c "BEGIN" -c "INSERT INTO forged_ft SELECT g, 'ü/' || g FROM generate_series(300, 309) g" -c "COMMIT")
got=$(ddb dump hostile | jq -r 'select(.id.N | tonumber | . >= 300 and . < 310) | .v.S' | sort | paste -sd, -)
want=$(for i in $(seq 300 309); do echo "ü/$i"; done | sort | paste -sd, -)
if [ -z "$out" ] && [ "$got" = "$want" ]; then
  ok "genuine UnprocessedItems are re-sent and land ($(proxy_requests) requests)"
else
  fail "genuine UnprocessedItems are re-sent and land: $out / $got"
fi

if psql_ -c "SELECT 1" >/dev/null; then ok "server up afterwards"; else fail "server up afterwards"; fi
summary
