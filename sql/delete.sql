-- DELETE by key: a DeleteRequest, queued with the puts and sent at COMMIT,
-- without ever reading from DynamoDB.  What landed is read from dynalite
-- with test/helpers/ddb, outside PostgreSQL.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table del_t id:N > /dev/null
CREATE FOREIGN TABLE del_ft (id int, v text) SERVER ddb OPTIONS ("table-name" 'del_t');
INSERT INTO del_ft SELECT g, 'row ' || g FROM generate_series(1, 10) g;

-- one key, one DeleteRequest; the row count is the number of keys named
DO $$
DECLARE n bigint;
BEGIN
  DELETE FROM del_ft WHERE id = 1;
  GET DIAGNOSTICS n = ROW_COUNT;
  RAISE NOTICE 'DELETE reported % row(s)', n;
END $$;
DELETE FROM del_ft WHERE 2 = id;
DELETE FROM del_ft WHERE id = '3';
DELETE FROM del_ft WHERE id = 4::bigint;
-- no item has a NULL key: a NULL parameter names nothing
DO $$
DECLARE n bigint; k int := NULL;
BEGIN
  DELETE FROM del_ft WHERE id = k;
  GET DIAGNOSTICS n = ROW_COUNT;
  RAISE NOTICE 'DELETE reported % row(s)', n;
END $$;
:ddb dump del_t | cut -c1-20

-- statement order wins within a transaction, across puts and deletes
BEGIN;
INSERT INTO del_ft VALUES (20, 'deleted later');
DELETE FROM del_ft WHERE id = 20;
DELETE FROM del_ft WHERE id = 5;
INSERT INTO del_ft VALUES (5, 'deleted, then written again');
INSERT INTO del_ft VALUES (21, 'kept');
:ddb dump del_t | grep -cE '"N":"(5|20|21)"'
COMMIT;
:ddb dump del_t | grep -E '"N":"(5|20|21)"'

-- a rollback deletes nothing
BEGIN;
DELETE FROM del_ft WHERE id = 6;
ROLLBACK;
:ddb dump del_t | grep -c '"N":"6"'

-- parameters: prepared statements (generic plans too) and PL/pgSQL
PREPARE del_one(int) AS DELETE FROM del_ft WHERE id = $1;
EXECUTE del_one(6);
SET plan_cache_mode = force_generic_plan;
PREPARE del_generic(int) AS DELETE FROM del_ft WHERE id = $1;
EXPLAIN (COSTS OFF) EXECUTE del_generic(7);
EXECUTE del_generic(7);
EXECUTE del_generic(8);
RESET plan_cache_mode;
CREATE TABLE local_src (id int PRIMARY KEY);
INSERT INTO local_src VALUES (9), (10);
CREATE FUNCTION forward_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM del_ft WHERE id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER local_src_delete AFTER DELETE ON local_src
  FOR EACH ROW EXECUTE FUNCTION forward_delete();
DELETE FROM local_src;
:ddb dump del_t

EXPLAIN (VERBOSE, COSTS OFF) DELETE FROM del_ft WHERE id = 1;

-- a composite key must be named whole
:ddb create-table del2_t pk:S sk:N > /dev/null
CREATE FOREIGN TABLE del2_ft (pk text, sk int, v text) SERVER ddb OPTIONS ("table-name" 'del2_t');
INSERT INTO del2_ft VALUES ('a', 1, 'x'), ('a', 2, 'y'), ('b', 1, 'z');
DELETE FROM del2_ft WHERE sk = 1 AND pk = 'a';
DELETE FROM del2_ft WHERE pk = 'b';
DELETE FROM del2_ft WHERE v = 'y';
:ddb dump del2_t

-- every other shape is refused before anything is queued, saying what to write
DELETE FROM del_ft;
DELETE FROM del_ft WHERE id = 1 OR id = 2;
DELETE FROM del_ft WHERE id IN (1, 2);
DELETE FROM del_ft WHERE id > 1;
DELETE FROM del_ft WHERE id = 1 AND id = 2;
DELETE FROM del_ft WHERE id = 1 RETURNING *;
DELETE FROM del_ft USING local_src WHERE del_ft.id = local_src.id;
DELETE FROM del_ft WHERE id = (random() * 10)::int;
:ddb count del_t

DROP TABLE local_src;
DROP FUNCTION forward_delete();
DROP SERVER ddb CASCADE;
