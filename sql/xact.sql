-- Transaction semantics: commit flushes, rollback sends nothing, savepoints
-- drop exactly their rows, PREPARE is refused, early flushes warn on abort.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite');
:ddb create-table xact_t id:N > /dev/null
:ddb create-table xact_t2 id:S > /dev/null
CREATE FOREIGN TABLE xact_ft (id int, v text) SERVER ddb OPTIONS ("table-name" 'xact_t');
CREATE FOREIGN TABLE xact_ft2 (id text, v text) SERVER ddb OPTIONS ("table-name" 'xact_t2');

-- ROLLBACK sends nothing
BEGIN;
INSERT INTO xact_ft VALUES (1, 'rolled back');
ROLLBACK;
:ddb count xact_t

-- savepoints: rows after ROLLBACK TO are dropped, the others land
BEGIN;
INSERT INTO xact_ft VALUES (1, 'kept');
SAVEPOINT a;
INSERT INTO xact_ft VALUES (2, 'dropped');
SAVEPOINT b;
INSERT INTO xact_ft VALUES (3, 'dropped too');
ROLLBACK TO SAVEPOINT a;
INSERT INTO xact_ft VALUES (4, 'kept after rollback to');
SAVEPOINT c;
INSERT INTO xact_ft VALUES (5, 'kept: released');
RELEASE SAVEPOINT c;
COMMIT;
:ddb dump xact_t

-- a PL/pgSQL exception block is a subtransaction too
DO $$
BEGIN
  INSERT INTO xact_ft VALUES (6, 'outer');
  BEGIN
    INSERT INTO xact_ft VALUES (7, 'inner, dropped');
    PERFORM 1 / 0;
  EXCEPTION WHEN division_by_zero THEN
    RAISE NOTICE 'inner block rolled back';
  END;
END $$;
:ddb dump xact_t | grep -E '"id":\{"N":"[67]"\}'

-- several foreign tables in one transaction
BEGIN;
INSERT INTO xact_ft VALUES (8, 'two tables');
INSERT INTO xact_ft2 VALUES ('k', 'two tables');
COMMIT;
:ddb dump xact_t2
:ddb dump xact_t | grep 'two tables'

-- no two-phase commit while rows are pending
BEGIN;
INSERT INTO xact_ft VALUES (9, 'never');
PREPARE TRANSACTION 'ddb_2pc';
:ddb dump xact_t | grep never

-- "sink.requests.max-buffered": rows are flushed early to bound memory, and
-- an abort afterwards says they were written
CREATE FOREIGN TABLE xact_small (id int, v text) SERVER ddb
  OPTIONS ("table-name" 'xact_t', "sink.requests.max-buffered" '3');
BEGIN;
INSERT INTO xact_small SELECT g, 'early ' || g FROM generate_series(100, 104) g;
:ddb dump xact_t | grep -c early
ROLLBACK;
:ddb dump xact_t | grep -c early
BEGIN;
SAVEPOINT s;
INSERT INTO xact_small SELECT g, 'early sub ' || g FROM generate_series(200, 203) g;
ROLLBACK TO SAVEPOINT s;
COMMIT;
:ddb dump xact_t | grep -c 'early sub'

-- a transaction that never touched ddb_fdw is not affected
BEGIN;
SELECT 1;
COMMIT;

DROP SERVER ddb CASCADE;
