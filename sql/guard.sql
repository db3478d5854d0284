-- "version-column": every put, update and delete carries a condition on the
-- version DynamoDB holds, so an older write that arrives after a newer one
-- loses.  A write its condition refuses is stale: skipped, counted in
-- ddb_fdw_stats().stale_skipped, never an error.  BatchWriteItem takes no
-- conditions, so guarded writes go one per item (PutItem, UpdateItem,
-- DeleteItem).  What landed is read from dynalite with test/helpers/ddb,
-- outside PostgreSQL; faults come from test/fixtures/faultproxy.py.
\getenv dynalite DDB_DYNALITE_URL
\getenv proxy DDB_PROXY_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
\set faults '\\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/script -d'
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table guard_t id:N > /dev/null
CREATE FOREIGN TABLE guard_ft (id int, ver bigint, val text)
  SERVER ddb OPTIONS ("table-name" 'guard_t', "version-column" 'ver');

-- absent items are written, one request each
SELECT ddb_fdw_stats_reset();
INSERT INTO guard_ft VALUES (1, 2, 'two'), (2, 1, 'one');
SELECT requests, items_written, stale_skipped FROM ddb_fdw_stats();
-- an older version loses, the same version too (already there); a newer one wins
INSERT INTO guard_ft VALUES (1, 1, 'older'), (2, 1, 'same'), (3, 5, 'five');
INSERT INTO guard_ft VALUES (2, 3, 'three');
SELECT requests, items_written, stale_skipped FROM ddb_fdw_stats();
:ddb dump guard_t
-- an item written without the guard has no version: the first guarded write takes it over
:ddb raw PutItem '{"TableName":"guard_t","Item":{"id":{"N":"9"},"val":{"S":"unguarded"}}}' > /dev/null
INSERT INTO guard_ft VALUES (9, 1, 'guarded');
:ddb dump guard_t | grep '"id":{"N":"9"}'
-- stale is not an error with "sink.fail-on-error" either
ALTER FOREIGN TABLE guard_ft OPTIONS (ADD "sink.fail-on-error" 'true');
INSERT INTO guard_ft VALUES (3, 4, 'older again');
ALTER FOREIGN TABLE guard_ft OPTIONS (DROP "sink.fail-on-error");

-- UPDATE must assign the version, and applies only over an older one
UPDATE guard_ft SET val = 'no version' WHERE id = 1;
SELECT ddb_fdw_stats_reset();
UPDATE guard_ft SET val = 'upd-old', ver = 2 WHERE id = 1;
UPDATE guard_ft SET val = 'upd-new', ver = 4 WHERE id = 1;
SELECT requests, items_written, stale_skipped FROM ddb_fdw_stats();
:ddb dump guard_t | grep '"id":{"N":"1"}'

-- DELETE names the version it removes; it does not remove a newer one
DELETE FROM guard_ft WHERE id = 1;
DELETE FROM guard_ft WHERE id = 1 AND ver = 3;
:ddb dump guard_t | grep -c '"id":{"N":"1"}'
DELETE FROM guard_ft WHERE id = 1 AND ver = 4;
:ddb dump guard_t | grep -c '"id":{"N":"1"}'
-- the WHERE clause names the key and at most the version
DELETE FROM guard_ft WHERE id = 2 AND val = 'three';
-- a version newer than the stored one deletes too (the delete is the newer change)
DELETE FROM guard_ft WHERE id = 2 AND ver = 10;
:ddb dump guard_t

-- a NULL version fails the statement, before anything is sent
SELECT ddb_fdw_stats_reset();
INSERT INTO guard_ft VALUES (4, NULL, 'no version');
SELECT requests FROM ddb_fdw_stats();

-- within a transaction the last write of a key is the one sent, guarded
SELECT ddb_fdw_stats_reset();
BEGIN;
INSERT INTO guard_ft VALUES (5, 1, 'a');
UPDATE guard_ft SET val = 'b', ver = 2 WHERE id = 5;
INSERT INTO guard_ft VALUES (6, 1, 'gone');
DELETE FROM guard_ft WHERE id = 6 AND ver = 1;
SAVEPOINT s;
INSERT INTO guard_ft VALUES (7, 1, 'rolled back');
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT requests, items_written, stale_skipped FROM ddb_fdw_stats();
:ddb dump guard_t | grep -E '"id":{"N":"(5|6|7)"}'

-- a late write (the proxy holds it 3 s, past the read timeout, then applies
-- it): the retry lands at once, then a newer version; the late older one
-- arrives last and loses.  Without the guard (guard_off_ft) it wins.
CREATE SERVER flaky FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'proxy',
           "sink.http-client.read-timeout" '1000');
CREATE FOREIGN TABLE late_ft (id int, ver bigint, val text)
  SERVER flaky OPTIONS ("table-name" 'guard_t', "version-column" 'ver');
CREATE FOREIGN TABLE guard_off_ft (id int, ver bigint, val text)
  SERVER flaky OPTIONS ("table-name" 'guard_t');
:faults '["slow"]'
INSERT INTO late_ft VALUES (20, 1, 'late v1');
INSERT INTO late_ft VALUES (20, 2, 'v2');
:faults '["slow"]'
INSERT INTO guard_off_ft VALUES (21, 1, 'late v1');
INSERT INTO guard_off_ft VALUES (21, 2, 'v2');
SELECT pg_sleep(3.5);
:ddb dump guard_t | grep -E '"id":{"N":"2[01]"}'
-- applied, then answered 500: the retry meets its own write, a stale skip; COMMIT succeeds
SELECT ddb_fdw_stats_reset();
:faults '["applied500"]'
INSERT INTO late_ft VALUES (22, 1, 'applied once');
SELECT items_written, retries, stale_skipped FROM ddb_fdw_stats();
:ddb dump guard_t | grep '"id":{"N":"22"}'

-- timestamps: timestamptz is written in UTC, its fraction without trailing
-- zeros, so the ISO text sorts as the times do
:ddb create-table guard_ts id:S > /dev/null
CREATE FOREIGN TABLE guard_ts_ft (id text, updated_at timestamptz, val text)
  SERVER ddb OPTIONS ("table-name" 'guard_ts', "version-column" 'updated_at');
SELECT ddb_fdw_stats_reset();
INSERT INTO guard_ts_ft VALUES ('a', '2026-01-01 12:00:00.5+00', 'half past');
INSERT INTO guard_ts_ft VALUES ('a', '2026-01-01 12:00:00+00', 'older');
INSERT INTO guard_ts_ft VALUES ('a', '2026-01-01 12:00:00.25+00', 'older fraction');
INSERT INTO guard_ts_ft VALUES ('a', '2026-01-01 13:00:00.5+01', 'same instant');
SELECT stale_skipped FROM ddb_fdw_stats();
INSERT INTO guard_ts_ft VALUES ('a', '2026-01-01 12:00:01+00', 'newer');
:ddb dump guard_ts

-- forwarding: a trigger keeps the version, ddb_fdw_forward sends it
:ddb create-table acct_t id:N > /dev/null
CREATE FOREIGN TABLE acct_ddb (id int, balance int, ver bigint)
  SERVER ddb OPTIONS ("table-name" 'acct_t', "version-column" 'ver');
CREATE TABLE acct (id int PRIMARY KEY, balance int, ver bigint NOT NULL DEFAULT 1);
CREATE FUNCTION acct_bump_version() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.ver := OLD.ver + 1; RETURN NEW; END $$;
CREATE TRIGGER acct_version BEFORE UPDATE ON acct
  FOR EACH ROW EXECUTE FUNCTION acct_bump_version();
CREATE TRIGGER acct_forward AFTER INSERT OR UPDATE OR DELETE ON acct
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('acct_ddb');
INSERT INTO acct VALUES (1, 100), (2, 200);
UPDATE acct SET balance = 110 WHERE id = 1;
UPDATE acct SET balance = 120 WHERE id = 1;
-- a change replayed late (version 2) does not overwrite version 3
INSERT INTO acct_ddb VALUES (1, 110, 2);
:ddb dump acct_t
DELETE FROM acct WHERE id = 1;
:ddb dump acct_t

-- EXPLAIN VERBOSE says how the writes go
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO guard_ft VALUES (1, 1, 'x');

-- what cannot be a version, refused when the table is used
CREATE FOREIGN TABLE bad_missing (id int, v int) SERVER ddb
  OPTIONS ("table-name" 'guard_t', "version-column" 'nope');
INSERT INTO bad_missing VALUES (1, 1);
CREATE FOREIGN TABLE bad_key (id int, v int) SERVER ddb
  OPTIONS ("table-name" 'guard_t', "version-column" 'id');
INSERT INTO bad_key VALUES (1, 1);
CREATE FOREIGN TABLE bad_type (id int, v boolean) SERVER ddb
  OPTIONS ("table-name" 'guard_t', "version-column" 'v');
INSERT INTO bad_type VALUES (1, true);
CREATE FOREIGN TABLE bad_text_number (id int, v int OPTIONS ("attribute-type" 'S')) SERVER ddb
  OPTIONS ("table-name" 'guard_t', "version-column" 'v');
INSERT INTO bad_text_number VALUES (1, 1);
-- atomic commits cannot carry guards: on one object, or met from the server
CREATE FOREIGN TABLE bad_atomic (id int, v int) SERVER ddb
  OPTIONS ("table-name" 'guard_t', "version-column" 'v', "sink.commit-mode" 'atomic');
CREATE SERVER ddb_atomic FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite', "sink.commit-mode" 'atomic');
CREATE FOREIGN TABLE bad_atomic (id int, v int) SERVER ddb_atomic
  OPTIONS ("table-name" 'guard_t', "version-column" 'v');
INSERT INTO bad_atomic VALUES (1, 1);
-- none of them wrote anything
:ddb dump guard_t | grep -c '"v":'

DROP SERVER ddb, flaky, ddb_atomic CASCADE;
DROP TABLE acct;
DROP FUNCTION acct_bump_version();
