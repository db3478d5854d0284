-- "sink.commit-mode" 'atomic': one TransactWriteItems per transaction and
-- server, against moto (dynalite has no TransactWriteItems) through
-- test/fixtures/faultproxy.py (motoproxy).  What landed is read from moto directly;
-- the proxy records the ClientRequestToken of every TransactWriteItems.
\getenv mproxy DDB_MOTO_PROXY_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_MOTO_URL"'
\set faults '\\! curl -s -X POST "$DDB_MOTO_PROXY_URL"/__proxy/script -d'
\set ops '\\! curl -s "$DDB_MOTO_PROXY_URL"/__proxy/stats?detail=1 | python3 -c "import json,sys; s=json.load(sys.stdin); print(s[\\"requests\\"], \\"write requests,\\", s[\\"forwarded\\"], \\"forwarded in all\\")"'
\set tokens '\\! curl -s "$DDB_MOTO_PROXY_URL"/__proxy/tokens | python3 -c "import json,sys,re; t=json.load(sys.stdin); print(len(t), \\"TransactWriteItems,\\", len(set(t)), \\"distinct tokens, all well-formed:\\", all(re.fullmatch(\\"ddbfdw-[0-9a-f]{29}\\", x) for x in t))"; curl -s -X POST "$DDB_MOTO_PROXY_URL"/__proxy/reset'
\! curl -s -X POST "$DDB_MOTO_PROXY_URL"/__proxy/reset

-- the option: 'batch' or 'atomic', on a server or a table
CREATE SERVER atomic_bad FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "sink.commit-mode" 'all-or-nothing');
-- early flushes cannot apply: refused with atomic on one object ...
CREATE SERVER atomic_bad FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "sink.commit-mode" 'atomic', "sink.requests.max-buffered" '100');
CREATE SERVER atomic_bad FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "sink.commit-mode" 'atomic', "sink.flush-buffer.timeout" '1000');
-- ... a timeout of 0 is no early flush
CREATE SERVER atomic_srv FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'mproxy', "sink.commit-mode" 'atomic',
           "sink.flush-buffer.timeout" '0');
:ddb create-table atomic_a id:N > /dev/null
:ddb create-table atomic_b pk:S sk:N > /dev/null
CREATE FOREIGN TABLE atomic_a (id int, v text) SERVER atomic_srv OPTIONS ("table-name" 'atomic_a');
CREATE FOREIGN TABLE atomic_b (pk text, sk int, n numeric) SERVER atomic_srv OPTIONS ("table-name" 'atomic_b');
-- ... and at the statement when they meet from two objects
ALTER FOREIGN TABLE atomic_a OPTIONS (ADD "sink.requests.max-buffered" '10');
INSERT INTO atomic_a VALUES (99, 'refused');
ALTER FOREIGN TABLE atomic_a OPTIONS (DROP "sink.requests.max-buffered");
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO atomic_a VALUES (1, 'x');
CREATE FOREIGN TABLE atomic_mixed (id int, v text) SERVER atomic_srv
  OPTIONS ("table-name" 'atomic_a', "sink.commit-mode" 'batch');
ALTER FOREIGN TABLE atomic_mixed OPTIONS (SET "sink.commit-mode" 'atomic', ADD "sink.requests.max-buffered" '10');
DROP FOREIGN TABLE atomic_mixed;

-- several tables, puts, updates and deletes, folded per key: one request
INSERT INTO atomic_a VALUES (1, 'old'), (2, 'gone');
SELECT ddb_fdw_stats_reset();
\! curl -s -X POST "$DDB_MOTO_PROXY_URL"/__proxy/reset
BEGIN;
INSERT INTO atomic_a VALUES (3, 'three'), (4, 'four');
UPDATE atomic_a SET v = 'updated' WHERE id = 1;
UPDATE atomic_a SET v = 'four, updated' WHERE id = 4;
DELETE FROM atomic_a WHERE id = 2;
INSERT INTO atomic_b VALUES ('p', 1, 1.5), ('p', 2, 2.5);
DELETE FROM atomic_b WHERE pk = 'p' AND sk = 2;
COMMIT;
:ops
:tokens
SELECT flushes, requests, items_written, retries FROM ddb_fdw_stats();
:ddb dump atomic_a
:ddb dump atomic_b

-- savepoints: rows of a rolled-back savepoint are not in the transaction
BEGIN;
INSERT INTO atomic_a VALUES (10, 'kept');
SAVEPOINT s1;
INSERT INTO atomic_a VALUES (11, 'rolled back');
UPDATE atomic_a SET v = 'rolled back too' WHERE id = 10;
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO atomic_b VALUES ('q', 1, 10);
RELEASE SAVEPOINT s2;
COMMIT;
:ddb dump atomic_a | grep -E '"(10|11)"'
:ddb dump atomic_b | grep '"q"'
:tokens

-- the limits: 100 distinct items per transaction and server, checked at
-- the statement that crosses them; writes of one key count once
BEGIN;
INSERT INTO atomic_a SELECT g, 'limit' FROM generate_series(1000, 1098) g;
INSERT INTO atomic_b VALUES ('limit', 1, 1);
UPDATE atomic_a SET v = 'limit, again' WHERE id = 1000;
INSERT INTO atomic_a VALUES (1001, 'limit, replaced');
DELETE FROM atomic_b WHERE pk = 'limit' AND sk = 1;
SAVEPOINT before_more;
INSERT INTO atomic_a VALUES (1099, 'the 101st');
ROLLBACK TO SAVEPOINT before_more;
-- after the rollback the 100 are still counted, and still fine
UPDATE atomic_a SET v = 'limit, last' WHERE id = 1098;
INSERT INTO atomic_b VALUES ('limit', 2, 2);
ROLLBACK;
:tokens
BEGIN;
INSERT INTO atomic_a SELECT g, 'hundred' FROM generate_series(1000, 1099) g;
INSERT INTO atomic_a SELECT g, 'hundred, again' FROM generate_series(1000, 1099) g;
COMMIT;
:ddb dump atomic_a | grep -c 'hundred, again'
:tokens
-- 4 MB: eleven items of 390 kB
BEGIN;
INSERT INTO atomic_a SELECT g, repeat('x', 390000) FROM generate_series(2000, 2009) g;
INSERT INTO atomic_a VALUES (2010, repeat('y', 390000));
ROLLBACK;

-- one item through two foreign tables cannot be one action
CREATE FOREIGN TABLE atomic_a2 (id int, v text) SERVER atomic_srv OPTIONS ("table-name" 'atomic_a');
BEGIN;
INSERT INTO atomic_a VALUES (20, 'one');
INSERT INTO atomic_a2 VALUES (21, 'another item: fine');
INSERT INTO atomic_a2 VALUES (20, 'the same item');
ROLLBACK;
DROP FOREIGN TABLE atomic_a2;

-- all or nothing on moto itself: a DynamoDB table deleted before COMMIT
-- fails the TransactWriteItems, and the other tables' writes are not
-- applied either
:ddb create-table atomic_gone id:N > /dev/null
CREATE FOREIGN TABLE atomic_gone (id int, v text) SERVER atomic_srv OPTIONS ("table-name" 'atomic_gone');
BEGIN;
INSERT INTO atomic_b VALUES ('whole', 30, 30);
UPDATE atomic_a SET v = 'not without the other' WHERE id = 3;
INSERT INTO atomic_gone VALUES (30, 'its table is gone');
\! "$DDB_TEST"/ddb --endpoint "$DDB_MOTO_URL" delete-table atomic_gone > /dev/null
COMMIT;
:ddb dump atomic_b | grep -c '"whole"'
:ddb dump atomic_a | grep -c 'not without'
-- the same transaction in 'batch' mode: the tables written before the
-- failing one keep their rows (what 'atomic' is for)
ALTER SERVER atomic_srv OPTIONS (SET "sink.commit-mode" 'batch');
:ddb create-table atomic_gone id:N > /dev/null
BEGIN;
INSERT INTO atomic_b VALUES ('whole', 31, 31);
UPDATE atomic_a SET v = 'not without the other, batch' WHERE id = 3;
INSERT INTO atomic_gone VALUES (31, 'its table is gone');
\! "$DDB_TEST"/ddb --endpoint "$DDB_MOTO_URL" delete-table atomic_gone > /dev/null
COMMIT;
:ddb dump atomic_b | grep -c '"whole"'
:ddb dump atomic_a | grep -c 'not without the other, batch'
ALTER SERVER atomic_srv OPTIONS (SET "sink.commit-mode" 'atomic');
DROP FOREIGN TABLE atomic_gone;
:tokens

-- what moto does with ClientRequestToken: nothing.  The same request with
-- the same token twice, a put conditional on the item being absent: the
-- second is applied again (and cancelled by its condition) where DynamoDB
-- would answer it as the first within 10 minutes
\! tx='{"TransactItems":[{"Put":{"TableName":"atomic_a","Item":{"id":{"N":"90"}},"ConditionExpression":"attribute_not_exists(id)"}}],"ClientRequestToken":"ddbfdw-same-token"}'; for i in 1 2; do "$DDB_TEST"/ddb --endpoint "$DDB_MOTO_URL" raw TransactWriteItems "$tx" 2>&1 | cut -c1-80; done

-- injected faults.  A write applied, then answered 500, and a lost answer
-- (reset after forwarding): retried with the same token, committed
:faults '["applied500"]'
BEGIN;
INSERT INTO atomic_a VALUES (40, 'applied, then 500');
INSERT INTO atomic_b VALUES ('f', 40, 40);
COMMIT;
:tokens
:faults '["reset_after"]'
BEGIN;
INSERT INTO atomic_a VALUES (41, 'answer lost');
INSERT INTO atomic_b VALUES ('f', 41, 41);
COMMIT;
:tokens
-- throttling and TransactionConflictException: retried, same token
:faults '["throttle","txconflict","error500"]'
BEGIN;
INSERT INTO atomic_a VALUES (42, 'throttled');
INSERT INTO atomic_b VALUES ('f', 42, 42);
COMMIT;
:tokens
-- a transaction cancelled for a conflict (nothing applied): retried with a
-- fresh token, as nothing can be repeated
:faults '["conflict"]'
INSERT INTO atomic_a VALUES (43, 'after a conflict');
:tokens
:ddb dump atomic_a | grep -E '"4[0-3]"'
:ddb dump atomic_b | grep '"f"'

-- a cancellation reason names its foreign table and key; nothing applied
:faults '["canceled"]'
BEGIN;
INSERT INTO atomic_a VALUES (50, 'cancelled');
INSERT INTO atomic_b VALUES ('c', 50, 50);
COMMIT;
-- a DETAIL names at most 10 cancelled actions, and counts the rest
:faults '["canceled_all"]'
INSERT INTO atomic_a SELECT g, 'all cancelled' FROM generate_series(500, 511) g;
-- non-retryable: nothing applied
:faults '["validation"]'
BEGIN;
INSERT INTO atomic_a VALUES (51, 'validation');
INSERT INTO atomic_b VALUES ('c', 51, 51);
COMMIT;
:ddb dump atomic_a | grep -cE '"5[01]"'
:ddb dump atomic_b | grep -c '"c"'
:tokens

-- "sink.fail-on-error": the first failure fails the COMMIT.  A throttle:
-- nothing applied.  Applied, then 500: the error says DynamoDB holds all
-- of the transaction or none of it (here moto applied all of it)
ALTER SERVER atomic_srv OPTIONS (ADD "sink.fail-on-error" 'true');
:faults '["throttle"]'
BEGIN;
INSERT INTO atomic_a VALUES (60, 'throttled, failed');
INSERT INTO atomic_b VALUES ('e', 60, 60);
COMMIT;
:faults '["applied500"]'
BEGIN;
INSERT INTO atomic_a VALUES (61, 'applied, failed');
INSERT INTO atomic_b VALUES ('e', 61, 61);
COMMIT;
ALTER SERVER atomic_srv OPTIONS (DROP "sink.fail-on-error");
:ddb dump atomic_a | grep -E '"6[01]"'
:ddb dump atomic_b | grep '"e"'
-- "sink.max-retries" bounds the retries: 3 throttles, 2 retries allowed
ALTER SERVER atomic_srv OPTIONS (ADD "sink.max-retries" '2');
:faults '["throttle","throttle","throttle"]'
INSERT INTO atomic_a VALUES (62, 'retries exhausted');
ALTER SERVER atomic_srv OPTIONS (DROP "sink.max-retries");
:ddb dump atomic_a | grep -c '"62"'
:tokens

-- a batch table of the same server is written by BatchWriteItem beside it
CREATE FOREIGN TABLE atomic_batch (id int, v text) SERVER atomic_srv
  OPTIONS ("table-name" 'atomic_a', "sink.commit-mode" 'batch');
BEGIN;
INSERT INTO atomic_a VALUES (70, 'atomic');
INSERT INTO atomic_batch VALUES (71, 'batch');
COMMIT;
:ops
:tokens
:ddb dump atomic_a | grep -E '"7[01]"'
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO atomic_batch VALUES (1, 'x');
DROP FOREIGN TABLE atomic_batch;

-- one request has one signature: the server written as two roles in one
-- transaction is refused at the statement
CREATE ROLE atomic_other;
GRANT INSERT ON atomic_a TO atomic_other;
CREATE USER MAPPING FOR atomic_other SERVER atomic_srv OPTIONS (
  "aws.credentials.basic.accesskeyid" 'other', "aws.credentials.basic.secretkey" 'other');
BEGIN;
INSERT INTO atomic_a VALUES (80, 'as the superuser');
SET LOCAL ROLE atomic_other;
INSERT INTO atomic_a VALUES (81, 'as another role');
ROLLBACK;
DROP USER MAPPING FOR atomic_other SERVER atomic_srv;
REVOKE ALL ON atomic_a FROM atomic_other;
DROP ROLE atomic_other;

-- the consumed write capacity: the request asks for it, and every table's
-- share is counted (moto answers none for TransactWriteItems: the proxy's
-- txcapacity answers DynamoDB's 2 units per action of up to 1 KB, per table,
-- when the request asks for it)
SELECT ddb_fdw_stats_reset();
:faults '["txcapacity"]'
BEGIN;
INSERT INTO atomic_a VALUES (90, 'charged'), (91, 'charged');
INSERT INTO atomic_b VALUES ('c', 1, 1);
COMMIT;
SELECT items_written, consumed_wcu FROM ddb_fdw_stats();
:ddb dump atomic_a | grep -c charged

DROP FOREIGN TABLE atomic_a, atomic_b;
DROP SERVER atomic_srv;
\! curl -s -X POST "$DDB_MOTO_PROXY_URL"/__proxy/reset
