# Helpers shared by the shell tests that run their own PostgreSQL instances
# (test/logical.sh, test/concurrency.sh): sourced, not run.  Each test counts
# its checks with ok/fail and ends with summary, the "N passed, N failed"
# line test/run.sh adds up.
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
