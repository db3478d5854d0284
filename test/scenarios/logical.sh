#!/usr/bin/env bash
# End-to-end change forwarding through logical replication: a publisher and
# a subscriber PostgreSQL (both initdb'ed here, as the postgres OS user);
# the subscriber's copy of "orders" has an ENABLE ALWAYS ddb_fdw_forward()
# trigger, so the apply worker forwards every replicated change to
# DynamoDB.  Changes are written on the publisher; once the subscriber has
# confirmed them, DynamoDB (dynalite, read with test/helpers/ddb from outside
# PostgreSQL) must hold exactly the publisher's rows.  Then DynamoDB refuses
# the next transaction twice: the apply worker fails, retries, and the
# change still lands, once.
# Needs test/fixtures/servers.sh running and DDB_TEST, DDB_DYNALITE_URL, DDB_PROXY_URL
# set (test/run.sh does both).  Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/logical"
pub_port=${DDB_PUB_PORT:-54351}
sub_port=${DDB_SUB_PORT:-54352}

cleanup() {
  for n in pub sub; do
    [ -d "$work/$n" ] && as_pg "$bindir/pg_ctl" -D "$work/$n" -m immediate stop >/dev/null 2>&1
  done
  curl -s -X POST "$DDB_PROXY_URL/__proxy/reset" >/dev/null 2>&1
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
chown postgres: "$work"
for n in pub sub; do
  as_pg "$bindir/initdb" -D "$work/$n" -A trust >/dev/null || { fail "initdb $n"; summary; exit 1; }
done
as_pg "$bindir/pg_ctl" -D "$work/pub" -l "$work/pub.log" -w \
  -o "-p $pub_port -k $work -c listen_addresses='' -c wal_level=logical" start >/dev/null
# a failed apply is retried after wal_retrieve_retry_interval: keep it short
as_pg "$bindir/pg_ctl" -D "$work/sub" -l "$work/sub.log" -w \
  -o "-p $sub_port -k $work -c listen_addresses='' -c wal_retrieve_retry_interval=500ms" start >/dev/null

ddb delete-table --if-exists orders_repl >/dev/null
ddb create-table orders_repl id:N >/dev/null

psql_on "$pub_port" <<'SQL'
CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(10,2));
CREATE PUBLICATION orders_pub FOR TABLE orders;
-- there before the subscription: copied by the initial table synchronization
INSERT INTO orders VALUES (100, 'early', 1);
SQL
psql_on "$sub_port" <<SQL
CREATE EXTENSION ddb_fdw;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" '$DDB_PROXY_URL');
CREATE USER MAPPING FOR postgres SERVER ddb OPTIONS (
  "aws.credentials.basic.accesskeyid" 'repl', "aws.credentials.basic.secretkey" 'repl');
CREATE FOREIGN TABLE orders_ddb (id int, customer text, amount numeric)
  SERVER ddb OPTIONS ("table-name" 'orders_repl');
CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(10,2));
CREATE TRIGGER orders_forward AFTER INSERT OR UPDATE OR DELETE ON orders
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('orders_ddb');
ALTER TABLE orders ENABLE ALWAYS TRIGGER orders_forward;
CREATE SUBSCRIPTION orders_sub
  CONNECTION 'host=$work port=$pub_port dbname=postgres user=postgres'
  PUBLICATION orders_pub;
SQL

# wait until the subscriber has applied (and so forwarded) everything written so far
caught_up() {
  local lsn i
  lsn=$(psql_on "$pub_port" -c "SELECT pg_current_wal_lsn()")
  for i in $(seq 1 300); do
    if [ "$(psql_on "$pub_port" -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'orders_sub' AND confirmed_flush_lsn >= '$lsn'")" = 1 ]; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}
# DynamoDB must hold exactly the publisher's rows
same_as_publisher() {
  local expected actual
  expected=$(psql_on "$pub_port" -c "SELECT json_build_object('amount', json_build_object('N', trim_scale(amount)::text), 'customer', json_build_object('S', customer), 'id', json_build_object('N', id::text))::text FROM orders" | jq -cS . | sort)
  actual=$(ddb dump orders_repl)
  if [ "$expected" = "$actual" ]; then ok "$1"; else
    fail "$1"; echo "  expected:"; echo "$expected" | sed 's/^/    /'; echo "  in DynamoDB:"; echo "$actual" | sed 's/^/    /'
  fi
}
# the initial table synchronization copies row 100 (ALWAYS triggers fire there too)
synced=no
for i in $(seq 1 300); do
  if [ "$(psql_on "$sub_port" -c "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")" = 0 ]; then
    synced=yes; break
  fi
  sleep 0.1
done
if [ "$synced" = yes ] && caught_up; then ok "initial table synchronization done"; else
  fail "initial table synchronization done"; grep ERROR "$work/sub.log" | tail -3
fi
same_as_publisher "rows copied by the initial synchronization forwarded"

psql_on "$pub_port" <<'SQL'
INSERT INTO orders VALUES (1, 'ann', 10.50), (2, 'bob', 20), (3, 'cy', 30);
SQL
if caught_up; then ok "subscriber caught up after inserts"; else
  fail "subscriber caught up after inserts"; grep ERROR "$work/sub.log" | tail -3
fi
same_as_publisher "inserts forwarded"

psql_on "$pub_port" <<'SQL'
UPDATE orders SET amount = 11 WHERE id = 1;
UPDATE orders SET id = 20 WHERE id = 2;
DELETE FROM orders WHERE id = 3;
BEGIN;
INSERT INTO orders VALUES (4, 'dee', 40);
UPDATE orders SET customer = 'dee2' WHERE id = 4;
INSERT INTO orders VALUES (5, 'eve', 50);
DELETE FROM orders WHERE id = 5;
COMMIT;
SQL
if caught_up; then ok "subscriber caught up after updates and deletes"; else fail "subscriber caught up after updates and deletes"; fi
same_as_publisher "updates, a key change and deletes forwarded"

# DynamoDB refuses the next applied transaction twice: the apply worker's
# transaction fails at COMMIT, is retried from the publisher, and lands
requests_before=$(curl -s "$DDB_PROXY_URL/__proxy/stats" | jq .requests)
curl -s -X POST "$DDB_PROXY_URL/__proxy/script" -d '["validation","validation"]' >/dev/null
psql_on "$pub_port" -c "INSERT INTO orders VALUES (6, 'fay', 60)"
if caught_up; then ok "subscriber caught up after refused commits"; else fail "subscriber caught up after refused commits"; fi
same_as_publisher "a change refused twice by DynamoDB still lands"
faults=$(curl -s "$DDB_PROXY_URL/__proxy/stats" | jq '.faults.validation // 0')
if [ "$faults" = 2 ] && grep -q "DynamoDB error ValidationException" "$work/sub.log"; then
  ok "the apply worker failed twice with DynamoDB's error, then succeeded"
else
  fail "the apply worker failed twice with DynamoDB's error, then succeeded (faults: $faults, requests before: $requests_before)"
fi
if [ "$(psql_on "$sub_port" -c "SELECT count(*) FROM orders")" = "$(psql_on "$pub_port" -c "SELECT count(*) FROM orders")" ]; then
  ok "subscriber table matches publisher"
else
  fail "subscriber table matches publisher"
fi

summary
