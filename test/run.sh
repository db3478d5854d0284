#!/usr/bin/env bash
# The whole ddb_fdw test suite (README's test command; .ci/run calls it):
#   1. install dependencies, build and install the extension;
#   2. client unit tests (SigV4 test vectors, response parsers) and a bounded
#      libFuzzer run over the parsers (test/fuzz);
#   3. start dynalite and moto_server on 127.0.0.1, set up an IAM identity
#      on moto's signature-checking instance;
#   4. pg_regress against a temporary PostgreSQL instance, as the postgres
#      OS user (initdb refuses root); what landed in DynamoDB is read back by
#      test/helpers/ddb, outside PostgreSQL;
#   5. shell tests with PostgreSQL instances of their own: test/scenarios/logical.sh
#      (forwarding through logical replication), test/scenarios/concurrency.sh (8
#      pgbench clients), test/scenarios/credentials.sh (the AUTO chain in the server's
#      environment: container, instance metadata, web identity),
#      test/scenarios/campaign.sh (500 seeded random transactions through the fault
#      proxy, DynamoDB compared with shadow tables after each), test/scenarios/guard.sh
#      (version-guarded writes from two forwarders and through random faults),
#      test/scenarios/meta.sh
#      (META.json by the PGXN Meta Spec, one version everywhere),
#      test/scenarios/package.sh (the Debian package built, checked, installed and
#      written through).
# Ends with "N passed, N failed" and a non-zero status if anything failed,
# also when a step before the tests fails (its cause is printed above).
# Knobs: DDB_SKIP_BUILD=1 tests what is installed; DDB_REGRESS and
# DDB_SHELL_TESTS pick tests (below); DDB_SERVERS=external: the DynamoDB
# servers are already running on 127.0.0.1 (test/matrix.sh runs them
# outside its Debian roots), neither installed nor started here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# pg_regress and the shell tests run as the postgres OS user, which must be
# able to read the checkout: one under /root is copied to a place it can read
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 &&
   ! runuser -u postgres -- test -r "$root/sql/options.sql"; then
  copy=$(mktemp -d /tmp/ddb_fdw-test.XXXXXX)
  chmod 755 "$copy"
  echo "run.sh: the postgres OS user cannot read $root; testing a copy in $copy"
  test/helpers/copy-tree.sh "$root" "$copy"
  [ ! -d test/.dynalite ] || cp -a test/.dynalite "$copy/test/"
  status=0
  bash "$copy/test/run.sh" "$@" || status=$?
  rm -rf "$copy"
  exit "$status"
fi

passed=0
failed=0
servers=${DDB_SERVERS:-}
step="installing the dependencies"
summarized=
# a step that fails before the summary still ends with one, saying which
finish() {
  [ "$servers" = external ] || test/fixtures/servers.sh stop
  if [ -z "$summarized" ]; then
    echo "run.sh: stopped while $step (the cause is above)" >&2
    echo "$passed passed, $((failed + 1)) failed"
  fi
}
trap finish EXIT

if [ -z "${DDB_SKIP_BUILD:-}" ]; then  # DDB_SKIP_BUILD=1: test what is installed
  tools/install-deps.sh
  echo "== build ($(pg_config --version))"
  step="building the extension"
  make -s clean >/dev/null 2>&1 || true
  build_out=$(make -s 2>&1) || { echo "$build_out"; false; }
  [ -z "$build_out" ] || echo "$build_out"
  # warning-free is part of the standard: a warning is a failure
  warnings=$(grep -c 'warning:' <<<"$build_out" || true)
  if [ "$warnings" -eq 0 ]; then
    echo "build: ok, no warnings"; passed=$((passed + 1))
  else
    echo "build: $warnings warnings"; failed=$((failed + 1))
  fi
  step="installing the extension"
  make -s install >/dev/null
fi

if [ -z "${DDB_SKIP_UNIT:-}" ]; then  # DDB_SKIP_UNIT=1: no unit tests, no fuzzing (make installcheck)
echo "== unit tests"
if unit_out=$(make -s unitcheck 2>&1); then :; else unit_status=$?; fi
echo "$unit_out"
read -r up uf < <(echo "$unit_out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {p+=$1; f+=$3} END {print p+0, f+0}')
passed=$((passed + up)); failed=$((failed + uf))
if [ "${unit_status:-0}" -ne 0 ] && [ "$uf" -eq 0 ]; then failed=$((failed + 1)); fi

echo "== fuzzing the client's parsers (libFuzzer, bounded)"
if fuzz_out=$(make -s -C test/fuzz check 2>&1); then fuzz_status=0; else fuzz_status=$?; fi
echo "$fuzz_out" | tail -3
read -r fp ff < <(echo "$fuzz_out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {p+=$1; f+=$3} END {print p+0, f+0}')
passed=$((passed + fp)); failed=$((failed + ff))
if [ "$fuzz_status" -ne 0 ] && [ "$ff" -eq 0 ]; then failed=$((failed + 1)); fi
fi

echo "== DynamoDB servers"
step="starting the DynamoDB servers (test/fixtures/servers.sh)"
[ "$servers" = external ] || test/fixtures/servers.sh start

# the helpers the SQL suites and shell tests call: "$DDB_TEST"/ddb, credential-process.sh
export DDB_TEST="$root/test/helpers"
export DDB_DYNALITE_URL="http://127.0.0.1:${DDB_DYNALITE_PORT:-28000}"
export DDB_MOTO_URL="http://127.0.0.1:${DDB_MOTO_PORT:-28001}"
export DDB_MOTO_AUTH_URL="http://127.0.0.1:${DDB_MOTO_AUTH_PORT:-28002}"
export DDB_PROXY_URL="http://127.0.0.1:${DDB_PROXY_PORT:-28003}"
export DDB_TLS_URL="https://127.0.0.1:${DDB_TLS_PORT:-28004}"
export DDB_SECRET_URL="http://127.0.0.1:${DDB_SECRET_PORT:-28005}"
export DDB_MOTO_PROXY_URL="http://127.0.0.1:${DDB_MOTO_PROXY_PORT:-28006}"
# test/helpers/ddb's own identity for dynalite and plain moto (they check the format only)
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE

step="setting up IAM identities, roles and tables on moto ($DDB_MOTO_AUTH_URL)"
# a real IAM identity on the signature-checking moto, allowed everything
creds=$(test/helpers/moto-iam.sh ddb-tester -)
eval "$creds"
export DDB_MOTO_KEY_ID=$AWS_ACCESS_KEY_ID DDB_MOTO_SECRET=$AWS_SECRET_ACCESS_KEY
# and one allowed only dynamodb:BatchWriteItem on every table
policy=$(mktemp)
cat > "$policy" <<'JSON'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:BatchWriteItem","Resource":"*"}]}
JSON
creds=$(test/helpers/moto-iam.sh ddb-writer-only "$policy")
eval "$creds"
export DDB_MOTO_WRITER_KEY_ID=$AWS_ACCESS_KEY_ID DDB_MOTO_WRITER_SECRET=$AWS_SECRET_ACCESS_KEY
rm -f "$policy"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
# the moto tables the signing test writes to, created with the full identity
# (test/helpers/ddb prints its errors on stdout: show them when it fails)
moto_table() {
  local out
  out=$(AWS_ACCESS_KEY_ID=$DDB_MOTO_KEY_ID AWS_SECRET_ACCESS_KEY=$DDB_MOTO_SECRET \
        test/helpers/ddb --endpoint "$DDB_MOTO_AUTH_URL" create-table "$1" id:N 2>&1) ||
    { echo "run.sh: creating table $1 on moto failed: $out" >&2; return 1; }
}
moto_table signed
# roles for the credentials providers test, and the tables it writes to
roles=$(test/helpers/moto-roles.sh)
eval "$roles"
for t in roles; do moto_table "$t"; done
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
# no test may wait for an EC2 metadata service (test/scenarios/credentials.sh serves its own)
export AWS_EC2_METADATA_DISABLED=true

echo "== pg_regress"
step="running pg_regress"
out=${DDB_OUT_DIR:-$root/test/.out}
export DDB_OUT_DIR=$out
rm -rf "$out"
mkdir -p "$out"
chown postgres: "$out"
regress="$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress"
tests=${DDB_REGRESS:-$(make -s print-regress 2>/dev/null)}  # DDB_REGRESS="batch retry": a subset
total=$(echo $tests | wc -w)
bindir=${DDB_BINDIR:-$(pg_config --bindir)}  # DDB_BINDIR: another copy of PostgreSQL (make check)
if [ -n "${DDB_VALGRIND:-}" ]; then  # test/valgrind.sh: every backend under valgrind memcheck
  bindir=$(test/valgrind.sh bindir "$out/valgrind")
  export PGCTLTIMEOUT=${PGCTLTIMEOUT:-300}  # pg_regress's wait for the slow start and stop
fi
set +e
runuser -u postgres -- "$regress" \
  --temp-instance="$out/tmp_check" --bindir="$bindir" \
  --inputdir="$root" --outputdir="$out" --load-extension=ddb_fdw \
  --temp-config="$root/test/regress.conf" \
  $tests 2>&1 | tee "$out/summary.txt"
regress_status=${PIPESTATUS[0]}
set -e
# one failed test is one line: "name ... FAILED" up to 15, TAP's "not ok N - name" from 16
n_failed=$(grep -Ec '\.\.\. +FAILED|failed \(ignored\)|^not ok ' "$out/summary.txt" || true)
if [ "$regress_status" -ne 0 ]; then
  [ -f "$out/regression.diffs" ] && cat "$out/regression.diffs"
  [ "$n_failed" -gt 0 ] || n_failed=$total
fi
passed=$((passed + total - n_failed)); failed=$((failed + n_failed))
if [ -n "${DDB_VALGRIND:-}" ]; then
  echo "== valgrind"
  if test/valgrind.sh report "$out/valgrind"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

# shell tests with PostgreSQL instances of their own; DDB_SHELL_TESTS picks
# some ("credentials campaign"), a DDB_REGRESS subset alone runs none
shell_tests=${DDB_SHELL_TESTS-$([ -n "${DDB_REGRESS:-}" ] || echo "logical concurrency credentials sysprop activity hostile campaign capacity guard meta package")}
for t in $shell_tests; do
  echo "== $t (test/scenarios/$t.sh)"
  if t_out=$(test/scenarios/$t.sh 2>&1); then t_status=0; else t_status=$?; fi
  echo "$t_out"
  read -r tp tf < <(echo "$t_out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {p+=$1; f+=$3} END {print p+0, f+0}')
  passed=$((passed + tp)); failed=$((failed + tf))
  if [ "$t_status" -ne 0 ] && [ "$tf" -eq 0 ]; then failed=$((failed + 1)); fi
done

summarized=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
