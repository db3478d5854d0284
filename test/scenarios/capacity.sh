#!/usr/bin/env bash
# Provisioned capacity: ddb_fdw against test/fixtures/capacity.py, a proxy in front of
# dynalite that limits each table like provisioned write capacity (token
# bucket of WCU, 1 s of burst; partial acceptance into UnprocessedItems, 400
# ProvisionedThroughputExceededException with ThrottlingReasons when not one
# item fits).  Each check states what must hold; the 300 WCU ones failed on
# the code before README's "What the engine does under throttling" (6,000
# rows at 300 WCU failed after ~20 s with ProvisionedThroughputExceeded):
#   - at a capacity the proxy never reaches, 6,000 rows take well under the
#     300 WCU bound (the proxy is not what limits the other checks);
#   - INSERT ... SELECT of 6,000 rows at 300 WCU commits, every row lands
#     (counted from outside), within 1.3x the capacity bound and with at
#     most one throttled call per two accepted;
#   - four backends loading 1,500 rows each into one 300 WCU table at once
#     all commit, within 1.5x the bound, and all 6,000 rows land;
#   - a table with no capacity at all fails the COMMIT once it has made no
#     progress for sink.max-retries tries, within the documented time, with
#     an error naming ProvisionedThroughputExceededException and the
#     ThrottlingReasons in its DETAIL;
#   - x-amz-retry-after is honoured: no try comes sooner than it says;
#   - with ddb_fdw preloaded, backends share one pacer per table: a backend
#     that starts while another loads the table is paced from its first
#     request, and has fewer items refused than the same backend with
#     "ddb_fdw.pacer_slots" 0 (each backend paced alone); ddb_fdw_pacers()
#     shows the shared pacer from a third session.
# Needs test/fixtures/servers.sh's dynalite running and DDB_TEST, DDB_DYNALITE_URL set
# (test/run.sh does both).  Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/capacity"
port=${DDB_CAPACITY_PG_PORT:-54362}
cport=${DDB_CAPACITY_PORT:-28013}
curl_cap() { curl -s --max-time 10 "$@"; }
cap_url="http://127.0.0.1:$cport"
psql_() { psql_on "$port" "$@"; }
session() { as_pg "$bindir/psql" -X -q -At -h "$work" -p "$port" -d postgres "$@" 2>&1; }
now() { date +%s.%N; }
has() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }
# le A B: is the decimal A <= B
# arithmetic in awk (bc is not on a minimal Debian): calc EXPR, le A B
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
stat_of() { curl_cap "$cap_url/__capacity/stats" | jq -r ".by_table[\"$1\"].$2 // 0"; }

bg_pids=()
proxy_pid=
cleanup() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  stop_instance_now
}
trap cleanup EXIT

fresh_work
dyn_port=${DDB_DYNALITE_URL##*:}
python3 "$root/test/fixtures/capacity.py" --port "$cport" --upstream-port "${dyn_port%%/*}" \
  --wcu 300 --burst-s 1 >"$work/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 1 50); do curl_cap -o /dev/null "$cap_url/" && break; sleep 0.1; done
init_instance
start_instance "-c max_connections=20 -c shared_preload_libraries=ddb_fdw"

fresh_tables capfree cap1 cap4 cap0 cap6
psql_ <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER cp FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$cap_url');
CREATE USER MAPPING FOR postgres SERVER cp OPTIONS (
  "aws.credentials.basic.accesskeyid" 'capacity', "aws.credentials.basic.secretkey" 'capacity');
CREATE FOREIGN TABLE capfree_ft (id bigint, v text) SERVER cp OPTIONS ("table-name" 'capfree');
CREATE FOREIGN TABLE cap1_ft (id bigint, v text) SERVER cp OPTIONS ("table-name" 'cap1');
CREATE FOREIGN TABLE cap4_ft (id bigint, v text) SERVER cp OPTIONS ("table-name" 'cap4');
CREATE FOREIGN TABLE cap0_ft (id bigint, v text) SERVER cp
  OPTIONS ("table-name" 'cap0', "sink.max-retries" '3');
CREATE FOREIGN TABLE cap6_ft (id bigint, v text) SERVER cp OPTIONS ("table-name" 'cap6');
SQL
curl_cap -d '{"table":"capfree","wcu":1000000}' "$cap_url/__capacity/set" >/dev/null
curl_cap -d '{"table":"cap0","wcu":0}' "$cap_url/__capacity/set" >/dev/null

# load TABLE FIRST N: INSERT ... SELECT of N rows from id FIRST, one transaction
load() { session -c "INSERT INTO $1_ft SELECT g, 'row ' || g FROM generate_series($2, $2 + $3 - 1) g"; }
bound=$(calc "(6000 - 300) / 300")   # 1 s of burst, then 300 a second

# ---------- 1. the proxy is not the limit ----------
t0=$(now); out=$(load capfree 1 6000); took=$(calc "$(now) - $t0")
n=$(ddb count capfree)
echo "  unlimited capacity: 6,000 rows in $took s"
if [ -z "$out" ] && [ "$n" = 6000 ] && le "$took" "$(calc "$bound / 2")"; then
  ok "unlimited capacity: 6000 rows in $took s, under half the 300 WCU bound"
else
  fail "unlimited capacity: $n rows in $took s: $out"
fi

# ---------- 2. one backend at 300 WCU ----------
t0=$(now); out=$(load cap1 1 6000); took=$(calc "$(now) - $t0")
n=$(ddb count cap1)
calls=$(stat_of cap1 calls); thr=$(stat_of cap1 throttled_calls)
echo "  300 WCU, one backend: $n rows in $took s (bound $(printf %.1f "$bound") s), $thr of $calls calls throttled"
if [ -z "$out" ]; then ok "300 WCU: 6000 rows commit"; else fail "300 WCU: 6000 rows commit, got: $(echo "$out" | head -3)"; fi
if [ "$n" = 6000 ]; then ok "300 WCU: all 6000 rows in DynamoDB"; else fail "300 WCU: $n of 6000 rows in DynamoDB"; fi
if le "$took" "$(calc "$bound * 1.3")"; then
  ok "300 WCU: within 1.3x the capacity bound"
else
  fail "300 WCU: $took s, over 1.3x the capacity bound ($bound s)"
fi
if [ "$calls" -gt 0 ] && [ $((2 * thr)) -le $((calls - thr)) ]; then
  ok "300 WCU: at most one throttled call per two accepted ($thr of $calls)"
else
  fail "300 WCU: $thr throttled calls of $calls, over one per two accepted"
fi

# ---------- 3. four backends at once into one table ----------
t0=$(now)
for i in 0 1 2 3; do
  load cap4 $((i * 1500 + 1)) 1500 >"$work/four.$i" 2>&1 &
  bg_pids+=($!)
done
wait "${bg_pids[@]}"
bg_pids=()
took=$(calc "$(now) - $t0")
errs=$(cat "$work"/four.* | head -3)
n=$(ddb count cap4)
echo "  300 WCU, four backends: $n rows in $took s, $(stat_of cap4 throttled_calls) of $(stat_of cap4 calls) calls throttled"
if [ -z "$errs" ] && [ "$n" = 6000 ]; then
  ok "four backends: all commit, all 6000 rows in DynamoDB"
else
  fail "four backends: $n rows, errors: $errs"
fi
if le "$took" "$(calc "$bound * 1.5")"; then
  ok "four backends: within 1.5x the capacity bound"
else
  fail "four backends: $took s, over 1.5x the capacity bound ($bound s)"
fi

# ---------- 4. a table that makes no progress ----------
t0=$(now); out=$(session -c "\\set VERBOSITY verbose" -c "INSERT INTO cap0_ft VALUES (1, 'never')"); took=$(calc "$(now) - $t0")
echo "  no capacity: failed after $took s"
if has "$out" "ProvisionedThroughputExceededException" && has "$out" "accepted no item in 4 tries in a row" &&
   has "$out" "TableWriteProvisionedThroughputExceeded"; then
  ok "no capacity: the error names the throttling and its reason"
else
  fail "no capacity: the error names the throttling and its reason, got: $out"
fi
# max-retries 3: tries spaced by at most 25, 50, 100 ms of backoff
if le "$took" 10; then ok "no capacity: gives up within its bound"; else fail "no capacity: took $took s"; fi
if [ "$(ddb count cap0)" = 0 ]; then ok "no capacity: nothing written"; else fail "no capacity: rows written"; fi

# ---------- 5. x-amz-retry-after ----------
curl_cap -d '{"retry_after_ms":700}' "$cap_url/__capacity/set" >/dev/null
curl_cap -d '{"table":"cap0","wcu":0}' "$cap_url/__capacity/set" >/dev/null
t0=$(now); out=$(session -c "INSERT INTO cap0_ft VALUES (1, 'never')"); took=$(calc "$(now) - $t0")
echo "  no capacity, x-amz-retry-after 700 ms: failed after $took s"
# 4 tries, 3 waits of at least 0.7 s each
if has "$out" "ProvisionedThroughputExceededException" && le 2.1 "$took"; then
  ok "x-amz-retry-after: every wait as long as the header says"
else
  fail "x-amz-retry-after: $took s (at least 2.1 s expected): $out"
fi

# ---------- 6. one pacer per table, shared by the backends ----------
curl_cap -d '{"retry_after_ms":0}' "$cap_url/__capacity/set" >/dev/null
# late_joiner LABEL: a backend loads 3,000 rows; 4 s in, when it is paced, a
# second backend loads 300 rows; prints the second one's refused items
# (throttled calls' and UnprocessedItems' items: ddb_fdw_stats in its session)
late_joiner() {
  local first=$1 pid out
  load cap6 "$first" 3000 >"$work/joiner.a" 2>&1 &
  pid=$!
  bg_pids+=("$pid")
  sleep 4
  session -c "INSERT INTO cap6_ft SELECT g, 'late ' || g FROM generate_series($((first + 3000)), $((first + 3299))) g" \
    -c "SELECT throttles * 25 + unprocessed_resent FROM ddb_fdw_stats()" >"$work/joiner.b" 2>&1
  session -c "SELECT shared, pacing, round(fill_rate) FROM ddb_fdw_pacers() WHERE dynamodb_table = 'cap6'" \
    >"$work/joiner.pacers" 2>&1
  wait "$pid"
  bg_pids=()
  cat "$work/joiner.a" "$work/joiner.b"
}
out=$(late_joiner 1)
shared_refused=$(echo "$out" | tail -1)
pacers=$(cat "$work/joiner.pacers")
echo "  shared pacer: the late backend had $shared_refused items refused; ddb_fdw_pacers: $pacers"
if echo "$pacers" | awk -F'|' '$1 == "t" && $2 == "t" && $3 >= 100 && $3 <= 900 { ok = 1 } END { exit !ok }'; then
  ok "shared pacer: another session sees one shared pacer for the table, pacing near its 300 WCU"
else
  fail "shared pacer: ddb_fdw_pacers() shows \"$pacers\" for the table"
fi
# the same with every backend pacing alone
stop_instance_now
start_instance "-c max_connections=20 -c shared_preload_libraries=ddb_fdw -c ddb_fdw.pacer_slots=0"
sleep 11   # the table's bucket refills and the old pacer's learning is past DDB_PACER_IDLE_S
out=$(late_joiner 10001)
alone_refused=$(echo "$out" | tail -1)
echo "  pacers per backend: the late backend had $alone_refused items refused"
if [ "$(ddb count cap6)" = 6600 ] && [ "$shared_refused" -lt "$alone_refused" ] 2>/dev/null; then
  ok "shared pacer: the late backend is paced from its first request ($shared_refused items refused, $alone_refused pacing alone), all 6600 rows land"
else
  fail "shared pacer: late backend refused $shared_refused shared, $alone_refused alone; $(ddb count cap6) of 6600 rows"
fi

summary
