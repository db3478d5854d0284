#!/usr/bin/env bash
# Throughput of "sink.commit-mode" 'atomic' against 'batch' (README, Commit
# modes): one pgbench client commits transactions of R rows of distinct keys
# (R = 1, 25, 100) into a ddb_fdw table, in each mode: on moto (every row
# counted in moto afterwards), and on a null sink (a faultproxy answering
# BatchWriteItem and TransactWriteItems at once, DescribeTable from moto:
# the client's own cost), without and with 10 ms per request (a round trip).
# A measurement, not part of the default suite:
#   bash test/isolated.sh env DDB_SHELL_TESTS=atomic-bench DDB_REGRESS=" " bash test/run.sh
# Needs test/fixtures/servers.sh running and DDB_TEST, DDB_MOTO_URL set (run.sh does both).
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/atomic-bench"
port=${DDB_ABENCH_PORT:-54357}
null_port=${DDB_ABENCH_PROXY_PORT:-28016}
lat_port=$((null_port + 1))
txns=${DDB_ABENCH_TXNS:-40}
psql_() { psql_on "$port" "$@"; }
proxy_pids=

cleanup() {
  [ -d "$work/pg" ] && as_pg "$bindir/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  local p
  for p in $proxy_pids; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
chown postgres: "$work"
as_pg "$bindir/initdb" -D "$work/pg" -A trust >/dev/null || { fail "initdb"; summary; exit 1; }
as_pg "$bindir/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-p $port -k $work -c listen_addresses=''" start >/dev/null
for p in "$null_port 0" "$lat_port 10"; do
  set -- $p
  /usr/bin/python3 "$root/test/fixtures/faultproxy.py" --port "$1" --upstream-port "${DDB_MOTO_URL##*:}" \
    --latency-ms "$2" --null-ops BatchWriteItem,TransactWriteItems >"$work/proxy-$1.log" 2>&1 &
  proxy_pids="$proxy_pids $!"
  for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$1/" && break; sleep 0.1; done
done

moto() { "$DDB_TEST/ddb" --endpoint "$DDB_MOTO_URL" "$@"; }
psql_ <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER moto FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_MOTO_URL');
CREATE SERVER nullsink FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'http://127.0.0.1:$null_port');
CREATE SERVER latency FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'http://127.0.0.1:$lat_port');
CREATE USER MAPPING FOR postgres SERVER moto OPTIONS (
  "aws.credentials.basic.accesskeyid" 'bench', "aws.credentials.basic.secretkey" 'bench');
CREATE USER MAPPING FOR postgres SERVER nullsink OPTIONS (
  "aws.credentials.basic.accesskeyid" 'bench', "aws.credentials.basic.secretkey" 'bench');
CREATE USER MAPPING FOR postgres SERVER latency OPTIONS (
  "aws.credentials.basic.accesskeyid" 'bench', "aws.credentials.basic.secretkey" 'bench');
CREATE SEQUENCE ids;
SQL

printf '%-14s %-6s %5s %10s %10s %10s\n' endpoint mode rows "txn/s" "rows/s" "vs batch"
for server in moto nullsink latency; do
  for rows in 1 25 100; do
    batch_rate=
    for mode in batch atomic; do
      t="abench_${server}_${rows}_$mode"
      moto delete-table --if-exists "$t" >/dev/null
      moto create-table "$t" id:N >/dev/null
      psql_ -c "CREATE FOREIGN TABLE $t (id bigint, v text) SERVER $server
                OPTIONS (\"table-name\" '$t', \"sink.commit-mode\" '$mode');
                INSERT INTO $t VALUES (-1, 'warm-up');"
      cat >"$work/$t.sql" <<SQL
SELECT nextval('ids') AS b \\gset
BEGIN;
INSERT INTO $t SELECT :b * 1000 + g, 'row ' || g FROM generate_series(1, $rows) g;
COMMIT;
SQL
      chown postgres: "$work/$t.sql"
      if ! as_pg "$bindir/pgbench" -n -h "$work" -p "$port" -c 1 -t "$txns" -f "$work/$t.sql" postgres \
           >"$work/$t.log" 2>&1; then
        fail "$server $mode $rows rows: pgbench"; tail -5 "$work/$t.log"; continue
      fi
      tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/$t.log" | head -1)
      if [ "$server" = moto ]; then
        n=$(moto count "$t")
        [ "$n" -eq $((txns * rows + 1)) ] || fail "$server $mode $rows rows: $n items in moto, expected $((txns * rows + 1))"
      fi
      rate=$(awk -v t="$tps" -v r="$rows" 'BEGIN {printf "%.0f", t * r}')
      if [ "$mode" = batch ]; then batch_rate=$rate; rel="1.00"; else
        rel=$(awk -v a="$rate" -v b="$batch_rate" 'BEGIN {printf "%.2f", a / b}'); fi
      printf '%-14s %-6s %5d %10.1f %10s %10s\n' "$server" "$mode" "$rows" "$tps" "$rate" "$rel"
      moto delete-table "$t" >/dev/null
    done
  done
done
[ "$failed" -ne 0 ] || ok "every transaction of every run on moto landed there"
summary
