#!/usr/bin/env bash
# Instructions per row, ddb_fdw against a local UNLOGGED table, under
# callgrind:  bash bench/callgrind.sh [ROWS]   (default 200,000)
#
# Builds and installs ddb_fdw (run it inside test/isolated.sh, which keeps the
# installation private), starts the null sink of bench/nginx.conf.in (nginx
# answering every BatchWriteItem at once as DynamoDB does, ConsumedCapacity
# and an empty UnprocessedItems) and a
# throwaway PostgreSQL instance, creates the benchmark's table (bench.py's
# 4 columns) as a foreign table and as a local UNLOGGED table, stops the
# instance and runs each
#   INSERT INTO t SELECT g, g * 10, g % 100, 'pv' FROM generate_series(1, ROWS) g
# in a single-user backend (postgres --single) under callgrind, collecting
# only inside PortalRun and CommitTransactionCommand: the execution and the
# COMMIT (whose flush sends what is still queued), not the backend's start
# (Debian's postgres is stripped: exec_simple_query, static, has no symbol).  Single-user
# mode gives one process and no timing noise, so the count repeats to a few
# instructions per row between runs (the flush timeout is set out of reach:
# under callgrind 10,000 rows take longer than its default 5 s, and its
# early flushes would vary the number of requests; the clock is still read
# per row, as with the default).  Prints Ir (instructions) per row of
# both and, for ddb_fdw, the inclusive cost per row of its components.
# CALLGRIND_KEEP=DIR keeps the callgrind.out files there (for
# callgrind_annotate --inclusive=yes); CALLGRIND_SKIP_LOCAL=1 skips the
# UNLOGGED run (it does not depend on ddb_fdw).  Stops everything it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rows=${1:-200000}
null_port=${BENCH_NULL_PORT:-28010}
latency_port=${BENCH_LATENCY_PORT:-28011}
tail_port=${BENCH_TAIL_PORT:-28013}
bindir=$(pg_config --bindir)

[ -x /usr/bin/valgrind ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] || {
  echo "callgrind: nginx's echo module is missing (bash bench/run.sh installs it)" >&2; exit 1; }
make -s
make -s install >/dev/null

work=$(mktemp -d /tmp/ddb_fdw_callgrind.XXXXXX)
chmod 755 "$work"
chown postgres: "$work"
cleanup() {
  runuser -u postgres -- "$bindir/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  [ -n "${nginx_pid:-}" ] && { kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; } || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/body"
sed -e "s|@RUN@|$work|g" -e "s|@NULL_PORT@|$null_port|g" -e "s|@LATENCY_PORT@|$latency_port|g" \
  -e "s|@TAIL_PORT@|$tail_port|g" bench/nginx.conf.in >"$work/nginx.conf"
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$null_port/" && break; sleep 0.1; done

runuser -u postgres -- "$bindir/initdb" -D "$work/pg" -A trust >/dev/null
runuser -u postgres -- "$bindir/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-p 54339 -k $work -c listen_addresses=''" start >/dev/null
runuser -u postgres -- psql -X -q -h "$work" -p 54339 -d postgres -v ON_ERROR_STOP=1 <<EOF
CREATE EXTENSION ddb_fdw;
CREATE SERVER srv_null FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" 'http://127.0.0.1:$null_port');
CREATE USER MAPPING FOR CURRENT_USER SERVER srv_null
  OPTIONS ("aws.credentials.basic.accesskeyid" 'bench', "aws.credentials.basic.secretkey" 'bench');
CREATE FOREIGN TABLE ft_null (user_id bigint, item_id bigint, category_id bigint, behavior text)
  SERVER srv_null OPTIONS ("table-name" 'bench', "sink.flush-buffer.timeout" '3600000');
CREATE UNLOGGED TABLE local_ul (user_id bigint, item_id bigint, category_id bigint, behavior text);
EOF
runuser -u postgres -- "$bindir/pg_ctl" -D "$work/pg" -m fast stop >/dev/null

# one statement in a single-user backend under callgrind; prints the Ir it cost
measure() {  # NAME TABLE
  local out="$work/callgrind.out.$1"
  printf '%s\n' "INSERT INTO $2 SELECT g, g * 10, g % 100, 'pv' FROM generate_series(1, $rows) g" \
    "SELECT items_written, requests, retries FROM ddb_fdw_stats()" |
    runuser -u postgres -- valgrind --tool=callgrind --callgrind-out-file="$out" \
      --collect-atstart=no --toggle-collect=PortalRun --toggle-collect=CommitTransactionCommand \
      "$bindir/postgres" --single -D "$work/pg" -c jit=off postgres >"$work/$1.log" 2>&1 ||
    { cat "$work/$1.log" >&2; exit 1; }
  # an error (or warning) of the statement or its COMMIT shows in the backend's output
  if grep -E "ERROR|WARNING|FATAL" "$work/$1.log" >&2; then
    echo "callgrind: the $1 statement did not run cleanly" >&2; exit 1
  fi
  # what ddb_fdw says it wrote (single-user mode prints "1: items_written = N")
  if [ "$1" = ddb_fdw ]; then
    grep -q "items_written = \"$rows\"" "$work/$1.log" ||
      { cat "$work/$1.log" >&2; echo "callgrind: ddb_fdw did not write $rows items" >&2; exit 1; }
    grep -oE "(requests|retries) = \"[0-9]+"  "$work/$1.log" | tr -d '"' | tr '\n' ' ' | sed 's/^/  ddb_fdw_stats(): /; s/ $/\n/' >&2
  fi
  if [ -n "${CALLGRIND_KEEP:-}" ]; then mkdir -p "$CALLGRIND_KEEP"; cp "$out" "$CALLGRIND_KEEP/"; fi
  callgrind_annotate --inclusive=yes --threshold=100 "$out" >"$out.txt"
}
measure ddb_fdw ft_null
[ -n "${CALLGRIND_SKIP_LOCAL:-}" ] || measure local local_ul

# inclusive Ir of a function (0 when callgrind saw none of it), per row
per_row() {  # FILE FUNCTION
  awk -v f="$2" -v n="$rows" '
    { gsub(",", "", $1) }
    $1 ~ /^[0-9]+$/ { name = $NF == "]" || $NF ~ /^\[/ ? $(NF-1) : $NF; sub(/.*:/, "", name)
                      if (name == f && !seen) { printf "%.0f", $1 / n; seen = 1 } }
    END { if (!seen) printf "0" }' "$1"
}
total() {  # FILE
  [ -f "$1" ] || { echo "-"; return; }
  awk -v n="$rows" '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.0f", $1 / n }' "$1"
}
ddb=$work/callgrind.out.ddb_fdw.txt
local_txt=$work/callgrind.out.local.txt
printf 'instructions per row, %s rows (callgrind, INSERT ... SELECT, null sink)\n' "$rows"
printf '  %-44s %8s\n' "local UNLOGGED INSERT" "$(total "$local_txt")"
printf '  %-44s %8s\n' "ddb_fdw INSERT" "$(total "$ddb")"
printf 'ddb_fdw by component (inclusive, per row):\n'
for f in ddbExecForeignInsert ddb_convert_row ddb_writer_flush_all aws_ddb_call_many \
         aws_sigv4_sign aws_sigv4_sha256_hex aws_http_post_many curl_multi_perform \
         aws_ddb_match_unprocessed GetCurrentTimestamp; do
  printf '  %-44s %8s\n' "$f" "$(per_row "$ddb" "$f")"
done
# what is left to PostgreSQL: the statement minus ddb_fdw's entry points
fdw=$(( $(per_row "$ddb" ddbExecForeignInsert) + $(per_row "$ddb" ddbExecForeignBatchInsert) +
        $(per_row "$ddb" ddb_writer_flush_all) ))
printf '  %-44s %8s\n' "PostgreSQL itself (the rest)" "$(( $(total "$ddb") - fdw ))"
