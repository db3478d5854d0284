#!/usr/bin/env bash
# Seeded randomized fault campaign (issue #7): DDB_CAMPAIGN_TXNS (500)
# randomized transactions (multi-row INSERT, UPDATE and DELETE by key, COPY,
# savepoints) on ddb_fdw foreign tables, with ALTERs inside transactions,
# DynamoDB tables re-created with another key, numerically equal keys and
# oversize keys (issue #11), through test/fixtures/faultproxy.py in
# front of dynalite and then moto, with a fault script per transaction from
# a schedule seeded by DDB_CAMPAIGN_SEED (20261125).  After every transaction
# DynamoDB is compared, from outside PostgreSQL, with local shadow tables
# written by the same transactions (test/scenarios/campaign.py has the invariants).
# Its own PostgreSQL instance runs under ${DDB_OUT_DIR:-test/.out}/campaign
# on port ${DDB_CAMPAIGN_PORT:-54356}; its proxies on DDB_CAMPAIGN_PROXY_PORT
# (28013) and DDB_CAMPAIGN_MOTO_PROXY_PORT (28014); its DynamoDB tables are
# ${DDB_CAMPAIGN_PREFIX:-camp_}a, b and c (and d, d2, e, f, g on dynalite).  Needs test/fixtures/servers.sh
# running and DDB_TEST, DDB_DYNALITE_URL, DDB_MOTO_URL set (test/run.sh does
# both).  Prints a summary line, ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/campaign"
port=${DDB_CAMPAIGN_PORT:-54356}

cleanup() {
  local f
  # campaign.py stops its proxies itself; this is for when it was killed
  for f in "$work"/proxy-*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  [ -d "$work/pg" ] && as_pg "$bindir/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  return 0
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
chown postgres: "$work"
if ! as_pg "$bindir/initdb" -D "$work/pg" -A trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1; then
  fail "initdb"; cat "$work/initdb.log"; summary; exit 1
fi
if ! as_pg "$bindir/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
     -o "-p $port -k $work -c listen_addresses='' -c max_connections=20 -c fsync=off" start >/dev/null; then
  fail "PostgreSQL started on port $port"; tail -20 "$work/pg.log"; summary; exit 1
fi

/usr/bin/python3 "$root/test/scenarios/campaign.py" --pghost "$work" --pgport "$port" --workdir "$work" &
py=$!
# a TERM or INT for this script stops the campaign (which stops its proxies) first
trap 'kill -TERM "$py" 2>/dev/null; wait "$py"; exit 1' TERM INT
wait "$py"
status=$?
# a backend that crashed shows in the server log
if grep -E "terminated by signal|server process .* was terminated" "$work/pg.log"; then
  echo "FAIL no backend crashed (see $work/pg.log)"
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
