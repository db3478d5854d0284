# Helpers shared by the shell tests that run their own PostgreSQL instances
# (test/scenarios/) and by the moto set-up scripts (moto-iam.sh,
# moto-roles.sh, beside this file): sourced, not run.  Each test counts its
# checks with ok/fail and ends with summary, the "N passed, N failed" line
# test/run.sh adds up.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bindir=$(pg_config --bindir)
passed=0
failed=0

ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
summary() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
as_pg() { runuser -u postgres -- "$@"; }
# psql on the instance whose socket is in $work: psql_on PORT [psql args]
psql_on() { local port=$1; shift; as_pg "$bindir/psql" -X -q -At -h "$work" -p "$port" -d postgres -v ON_ERROR_STOP=1 "$@"; }
ddb() { "$DDB_TEST/ddb" --endpoint "$DDB_DYNALITE_URL" "$@"; }
# fresh_tables NAME...: DynamoDB tables keyed id:N, emptied by re-creating them
fresh_tables() {
  local t
  for t in "$@"; do
    ddb delete-table --if-exists "$t" >/dev/null
    ddb create-table "$t" id:N >/dev/null
  done
}

# A PostgreSQL instance of the test's own in $work/pg, on $port, its socket in $work.
# fresh_work: an empty $work the postgres OS user owns
fresh_work() { rm -rf "$work"; mkdir -p "$work"; chown postgres: "$work"; }
# init_instance: initdb (a failure ends the test with its summary)
init_instance() { as_pg "$bindir/initdb" -D "$work/pg" -A trust >/dev/null || { fail "initdb"; summary; exit 1; }; }
# start_instance [SERVER OPTIONS]: start it, e.g. start_instance "-c max_connections=30"
start_instance() {
  as_pg "$bindir/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-p $port -k $work -c listen_addresses='' $*" start >/dev/null
}
# stop_instance_now: the cleanup's immediate stop, if the instance was made
stop_instance_now() { [ -d "$work/pg" ] && as_pg "$bindir/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1; }

# xml_text TAG: the text of the first <TAG> element of standard input (AWS query-API answers)
xml_text() { sed -n "s:.*<$1>\\([^<]*\\)</$1>.*:\\1:p" | head -1; }

# moto_iam KEY_ID:SECRET FIELD=VALUE...: one IAM query call to the
# signature-checking moto_server, signed by curl; prints the XML answer and
# fails on an HTTP error
moto_iam() {
  local signer=$1 out status f
  local -a args=()
  shift
  for f in "$@"; do args+=(--data-urlencode "$f"); done
  out=$(curl --silent --show-error --max-time 30 -w '\n%{http_code}' \
    --aws-sigv4 "aws:amz:us-east-1:iam" --user "$signer" \
    "${args[@]}" -d Version=2010-05-08 "http://127.0.0.1:${DDB_MOTO_AUTH_PORT:-28002}/") || return 1
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [ "$status" != 200 ]; then echo "moto IAM call $1 failed (HTTP $status): $out" >&2; return 1; fi
  printf '%s\n' "$out"
}
