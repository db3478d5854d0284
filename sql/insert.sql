-- INSERT lands in DynamoDB at COMMIT.  What landed is read back with
-- test/helpers/ddb (curl + jq), outside PostgreSQL.
\getenv dynalite DDB_DYNALITE_URL
\getenv ddbtest DDB_TEST
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');

-- the seed's example (credentials: AUTO finds the server's environment)
:ddb create-table user_behavior user_id:N item_id:N > /dev/null
CREATE FOREIGN TABLE DynamoDbTable (
  user_id bigint, item_id bigint, category_id bigint, behavior text
) SERVER ddb OPTIONS ("table-name" 'user_behavior');

BEGIN;
INSERT INTO DynamoDbTable VALUES (1, 10, 100, 'pv');
-- nothing is sent before COMMIT
:ddb count user_behavior
COMMIT;
:ddb dump user_behavior

-- multi-row VALUES and INSERT ... SELECT (60 rows: batches of 25, 25, 10)
INSERT INTO DynamoDbTable VALUES (2, 20, 200, 'buy'), (3, 30, 300, 'cart');
INSERT INTO DynamoDbTable
  SELECT 1000 + g, g, g % 7, 'gen ' || g FROM generate_series(1, 60) g;
:ddb count user_behavior
:ddb dump user_behavior | head -5

-- RETURNING gives back the row as written
INSERT INTO DynamoDbTable VALUES (4, 40, NULL, 'fav') RETURNING *;
-- omitted columns are written as NULL attributes
INSERT INTO DynamoDbTable (user_id, item_id) VALUES (5, 50);
:ddb dump user_behavior | grep -E '"user_id":\{"N":"[45]"\}'

-- the same key twice in one transaction: the latest write wins (one
-- BatchWriteItem may not hold the same key twice)
BEGIN;
INSERT INTO DynamoDbTable VALUES (6, 60, 1, 'first');
INSERT INTO DynamoDbTable VALUES (6, 60, 2, 'second');
INSERT INTO DynamoDbTable VALUES (6, 61, 3, 'other item');
COMMIT;
:ddb dump user_behavior | grep '"user_id":{"N":"6"}'

-- the basic type mapping
:ddb create-table types_t id:N > /dev/null
CREATE FOREIGN TABLE types_ft (
  id int, i2 smallint, i4 integer, i8 bigint, num numeric, num38 numeric,
  r real, d double precision, neg double precision,
  t text, vc varchar(10), c char(5), b boolean, bin bytea, empty_bin bytea, n text
) SERVER ddb OPTIONS ("table-name" 'types_t');
INSERT INTO types_ft VALUES (
  1, -32768, 2147483647, -9223372036854775808, 0.10, 12345678901234567890123456789012345678,
  0.1, 0.1, -2.5e-10,
  E'quote " backslash \\ tab \t newline \n bell \007 é ✓ 😀', 'varchar', 'ab', true,
  '\x00ff10', '\x', NULL);
INSERT INTO types_ft (id, b, d) VALUES (2, false, 1.5e100);
:ddb dump types_t

-- COPY FROM goes through the same writer
COPY DynamoDbTable FROM stdin;
7	70	700	copied
8	80	800	copied too
\.
:ddb dump user_behavior | grep copied

-- column option "attribute-name", "sink.ignore-nulls", "sink.batch.max-size" 1
:ddb create-table renamed pk:S > /dev/null
CREATE FOREIGN TABLE renamed_ft (id text OPTIONS ("attribute-name" 'pk'), note text, extra int)
  SERVER ddb OPTIONS ("table-name" 'renamed', "sink.ignore-nulls" 'true', "sink.batch.max-size" '1');
INSERT INTO renamed_ft VALUES ('a', 'x', NULL), ('b', NULL, 2), ('c', 'z', 3);
:ddb dump renamed

-- "partitioned-by": the connector's client-side dedup on the named columns
:ddb create-table parted user_id:N > /dev/null
CREATE FOREIGN TABLE parted_ft (user_id bigint, behavior text)
  SERVER ddb OPTIONS ("table-name" 'parted', "partitioned-by" 'user_id');
INSERT INTO parted_ft VALUES (1, 'a'), (2, 'b'), (1, 'c');
:ddb dump parted
CREATE FOREIGN TABLE parted_bad (user_id bigint) SERVER ddb
  OPTIONS ("table-name" 'parted', "partitioned-by" 'nosuch');
INSERT INTO parted_bad VALUES (1);

-- INSERT ... SELECT hands the writer the subplan's own slot (no copy into
-- a heap tuple) unless something else reads the row: rows of a local table
-- (a scan's slot), past a dropped column, a BEFORE ROW trigger that changes
-- them, a stored generated column
:ddb create-table slots_t id:N > /dev/null
CREATE TABLE slots_src (id int, dropped int, note text);
ALTER TABLE slots_src DROP COLUMN dropped;
INSERT INTO slots_src VALUES (1, 'scanned'), (2, NULL);
CREATE FOREIGN TABLE slots_ft (id int, gone int, note text) SERVER ddb OPTIONS ("table-name" 'slots_t');
ALTER FOREIGN TABLE slots_ft DROP COLUMN gone;
INSERT INTO slots_ft SELECT * FROM slots_src;
INSERT INTO slots_ft SELECT g, 'generated ' || g FROM generate_series(3, 4) g;
CREATE FUNCTION slots_upper() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN NEW.note := upper(NEW.note); RETURN NEW; END$$;
CREATE TRIGGER slots_upper BEFORE INSERT ON slots_ft FOR EACH ROW EXECUTE FUNCTION slots_upper();
INSERT INTO slots_ft SELECT g, 'trigger ' || g FROM generate_series(5, 6) g;
DROP TRIGGER slots_upper ON slots_ft;
ALTER FOREIGN TABLE slots_ft ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;
INSERT INTO slots_ft (id, note) SELECT g, 'stored ' || g FROM generate_series(7, 8) g;
:ddb dump slots_t
DROP TABLE slots_src;
DROP FUNCTION slots_upper();

DROP SERVER ddb CASCADE;
