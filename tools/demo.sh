#!/usr/bin/env bash
# The ddb_fdw demo (README's first command): builds and installs ddb_fdw,
# starts a throwaway PostgreSQL and, by default, a local DynamoDB-compatible
# server (dynalite) on 127.0.0.1, creates the seed's foreign table, inserts
# rows in one transaction and prints the items read back from DynamoDB.
#
# Real AWS instead of the local server:
#   DDB_DEMO_AWS=1 AWS_REGION=us-east-2 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
#     [AWS_SESSION_TOKEN=...] [DDB_DEMO_TABLE=user_behavior] bash tools/demo.sh
# (the table is created with on-demand capacity if it does not exist).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
table=${DDB_DEMO_TABLE:-user_behavior}
pgport=${DDB_DEMO_PGPORT:-54329}

DDB_NO_MOTO=1 tools/install-deps.sh   # the demo needs dynalite only
make -s
make -s install >/dev/null

work=$(mktemp -d /tmp/ddb_fdw_demo.XXXXXX)
chown postgres: "$work"
cleanup() {
  runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  [ -n "${started_servers:-}" ] && test/fixtures/servers.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ "${DDB_DEMO_AWS:-0}" = 1 ]; then
  : "${AWS_REGION:?set AWS_REGION}" "${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}" "${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}"
  endpoint="https://dynamodb.$AWS_REGION.amazonaws.com"
  region=$AWS_REGION
  endpoint_option=""
  echo "demo: writing to AWS DynamoDB in $region, table $table"
else
  test/fixtures/servers.sh start dynalite >/dev/null
  started_servers=1
  endpoint="http://127.0.0.1:${DDB_DYNALITE_PORT:-28000}"
  region=us-east-2
  endpoint_option=", \"aws.endpoint\" '$endpoint'"
  export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
  unset AWS_SESSION_TOKEN
  echo "demo: writing to dynalite at $endpoint"
fi
export AWS_REGION=$region
test/helpers/ddb --endpoint "$endpoint" create-table "$table" user_id:N item_id:N >/dev/null 2>&1 || true

echo "demo: starting PostgreSQL on port $pgport"
runuser -u postgres -- "$(pg_config --bindir)/initdb" -D "$work/pg" -A trust >/dev/null
# the server process gets the AWS_* variables above: AUTO credentials use them
runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-p $pgport -k $work -c listen_addresses=''" start >/dev/null

psql=(runuser -u postgres -- psql -X -h "$work" -p "$pgport" -d postgres -v ON_ERROR_STOP=1)
"${psql[@]}" -e <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" '$region'$endpoint_option);
CREATE FOREIGN TABLE DynamoDbTable (
  user_id bigint, item_id bigint, category_id bigint, behavior text
) SERVER ddb OPTIONS ("table-name" '$table');
BEGIN;
INSERT INTO DynamoDbTable VALUES (1, 101, 7, 'pv'), (1, 102, 7, 'cart'), (2, 201, 3, 'buy');
INSERT INTO DynamoDbTable SELECT 100 + g, g, g % 5, 'generated' FROM generate_series(1, 50) g;
COMMIT;
SQL
echo "demo: ddb_fdw is a sink, so reading the foreign table fails:"
"${psql[@]}" -c 'SELECT * FROM DynamoDbTable' 2>&1 || true
echo "demo: items read back from DynamoDB (outside PostgreSQL), first 5 of $(test/helpers/ddb --endpoint "$endpoint" count "$table"):"
# not "| head": with pipefail, dump's SIGPIPE once head has had enough would fail the demo
items=$(test/helpers/ddb --endpoint "$endpoint" dump "$table")
sed -n 1,5p <<<"$items"
