# Helpers shared by the shell tests that run their own PostgreSQL instances
# (test/logical.sh, test/concurrency.sh, test/credentials.sh, test/campaign.sh)
# and by the moto set-up scripts (test/moto-iam.sh, test/moto-roles.sh):
# sourced, not run.  Each test counts its checks with ok/fail and ends with
# summary, the "N passed, N failed" line test/run.sh adds up.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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
