-- UPDATE by key: an UpdateItem that sets exactly the assigned attributes,
-- sent at COMMIT without ever reading from DynamoDB; within a transaction
-- it is folded into earlier writes of its key.  What landed is read from
-- dynalite with test/helpers/ddb, outside PostgreSQL.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table upd_t id:N > /dev/null
CREATE FOREIGN TABLE upd_ft (id int, a int, b text, c text)
  SERVER ddb OPTIONS ("table-name" 'upd_t');
INSERT INTO upd_ft VALUES (1, 1, 'x', 'y'), (2, 2, 'x', 'y');

-- only the assigned attributes change; a NULL is written as NULL
SELECT ddb_fdw_stats_reset();
UPDATE upd_ft SET b = 'new' WHERE id = 1;
SELECT requests, items_written FROM ddb_fdw_stats();
UPDATE upd_ft SET a = 10, c = NULL WHERE id = 2;
-- DynamoDB creates a missing item with its key and the assigned attributes
UPDATE upd_ft SET b = 'created' WHERE id = 3;
:ddb dump upd_t
-- with "sink.ignore-nulls", assigning NULL removes the attribute
ALTER FOREIGN TABLE upd_ft OPTIONS (ADD "sink.ignore-nulls" 'true');
UPDATE upd_ft SET c = NULL, a = 11 WHERE id = 1;
:ddb dump upd_t | grep '"N":"1"}'
-- the row count is the number of keys named
DO $$
DECLARE n bigint;
BEGIN
  UPDATE upd_ft SET b = 'counted' WHERE id = 3;
  GET DIAGNOSTICS n = ROW_COUNT;
  RAISE NOTICE 'UPDATE reported % row(s)', n;
END $$;

-- statement order within a transaction, whatever the batching: one
-- request per key carries the combined effect
:ddb create-table upd2_t id:N > /dev/null
CREATE FOREIGN TABLE upd2_ft (id int, a int, b text, c text)
  SERVER ddb OPTIONS ("table-name" 'upd2_t', "sink.ignore-nulls" 'true');
INSERT INTO upd2_ft VALUES (20, 1, 'b', 'c'), (21, 1, 'b', 'c');
SELECT ddb_fdw_stats_reset();
BEGIN;
-- INSERT k (a=1, b=2) then UPDATE k SET b = 3 -> {a:1, b:3}
INSERT INTO upd2_ft VALUES (10, 1, '2', NULL);
UPDATE upd2_ft SET b = '3' WHERE id = 10;
-- UPDATE then DELETE -> gone
UPDATE upd2_ft SET b = 'updated' WHERE id = 11;
DELETE FROM upd2_ft WHERE id = 11;
-- DELETE then UPDATE -> the key and the assigned attributes only
DELETE FROM upd2_ft WHERE id = 20;
UPDATE upd2_ft SET b = 'after delete' WHERE id = 20;
-- UPDATE, UPDATE, UPDATE -> one UpdateItem; the last assignment of each attribute wins
UPDATE upd2_ft SET a = 5, c = NULL WHERE id = 21;
UPDATE upd2_ft SET b = 'two' WHERE id = 21;
UPDATE upd2_ft SET a = 6, c = 'back' WHERE id = 21;
-- INSERT, DELETE, INSERT another key -> only the other key
INSERT INTO upd2_ft VALUES (12, 1, 'gone', NULL);
DELETE FROM upd2_ft WHERE id = 12;
INSERT INTO upd2_ft VALUES (13, 1, 'kept', NULL);
:ddb count upd2_t
COMMIT;
-- 1 BatchWriteItem (puts of 10, 20, 13; deletes of 11, 12) and 1 UpdateItem (21)
SELECT requests, items_written FROM ddb_fdw_stats();
:ddb dump upd2_t

-- rollback sends nothing
BEGIN;
UPDATE upd2_ft SET b = 'rolled back' WHERE id = 13;
ROLLBACK;
:ddb dump upd2_t | grep -c 'rolled back'

-- parameters: prepared statements with generic plans, PL/pgSQL
SET plan_cache_mode = force_generic_plan;
PREPARE upd(int, text) AS UPDATE upd2_ft SET b = $2 WHERE id = $1;
EXECUTE upd(13, 'prepared');
RESET plan_cache_mode;
DO $$
DECLARE k int := 10;
BEGIN
  UPDATE upd2_ft SET b = 'from plpgsql ' || k WHERE id = k;
END $$;
:ddb dump upd2_t | grep -E 'prepared|plpgsql'

EXPLAIN (VERBOSE, COSTS OFF) UPDATE upd2_ft SET b = 'x', a = 1 WHERE id = 1;

-- refused before anything is queued, saying what to write
UPDATE upd2_ft SET a = a + 1 WHERE id = 10;
UPDATE upd2_ft SET id = 99 WHERE id = 10;
UPDATE upd2_ft SET b = 'x' WHERE a = 1;
UPDATE upd2_ft SET b = 'x' WHERE id = 10 RETURNING *;
UPDATE upd2_ft SET b = 'x' WHERE id > 10;
-- contradictory keys (17 and later plan them as an empty result): refused on every version
UPDATE upd2_ft SET b = 'x' WHERE id = 10 AND id = 11;
UPDATE upd2_ft SET b = random()::text WHERE id = 10;
CREATE TABLE upd_local (id int, b text);
UPDATE upd2_ft SET b = l.b FROM upd_local l WHERE upd2_ft.id = l.id;
:ddb dump upd2_t | grep -c '"S":"x"'

DROP TABLE upd_local;
DROP SERVER ddb CASCADE;
