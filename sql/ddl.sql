-- The table definition changes inside a transaction: every statement uses
-- the definition in force when it runs; rows already queued keep what they
-- were converted to.  What landed is read from dynalite with test/helpers/ddb.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddl_srv FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddl_srv
  OPTIONS ("aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');
:ddb create-table ddl_a id:N > /dev/null
:ddb create-table ddl_b id:N > /dev/null

-- a column's type changes between two INSERTs: the first row keeps its
-- text, the second is converted as the new type (a number, not raw bytes)
CREATE FOREIGN TABLE ddl_ft (id int, c text) SERVER ddl_srv OPTIONS ("table-name" 'ddl_a');
BEGIN;
INSERT INTO ddl_ft VALUES (1, 'text before');
ALTER FOREIGN TABLE ddl_ft ALTER COLUMN c TYPE bigint;
INSERT INTO ddl_ft VALUES (2, 42);
ALTER FOREIGN TABLE ddl_ft ALTER COLUMN c TYPE numeric;
INSERT INTO ddl_ft VALUES (3, 4.25);
ALTER FOREIGN TABLE ddl_ft ALTER COLUMN c TYPE int[];
INSERT INTO ddl_ft VALUES (4, ARRAY[1, 2]);
COMMIT;
:ddb dump ddl_a

-- "table-name" changes: later rows go to the new DynamoDB table
BEGIN;
INSERT INTO ddl_ft VALUES (10, ARRAY[10]);
ALTER FOREIGN TABLE ddl_ft OPTIONS (SET "table-name" 'ddl_b');
INSERT INTO ddl_ft VALUES (11, ARRAY[11]);
COMMIT;
:ddb dump ddl_a | grep -c '"N":"1[01]"'
:ddb dump ddl_b

-- a column's "attribute-name" changes, a column is dropped, one is added
BEGIN;
INSERT INTO ddl_ft VALUES (20, ARRAY[20]);
ALTER FOREIGN TABLE ddl_ft ALTER COLUMN c OPTIONS (ADD "attribute-name" 'renamed');
INSERT INTO ddl_ft VALUES (21, ARRAY[21]);
ALTER FOREIGN TABLE ddl_ft DROP COLUMN c;
INSERT INTO ddl_ft VALUES (22);
ALTER FOREIGN TABLE ddl_ft ADD COLUMN d text;
INSERT INTO ddl_ft VALUES (23, 'added');
COMMIT;
:ddb dump ddl_b | grep '"N":"2[0-3]"'

-- an ALTER undone by ROLLBACK TO SAVEPOINT no longer applies afterwards
BEGIN;
SAVEPOINT s;
ALTER FOREIGN TABLE ddl_ft OPTIONS (SET "table-name" 'ddl_a');
INSERT INTO ddl_ft VALUES (30, 'in the savepoint');
ROLLBACK TO SAVEPOINT s;
INSERT INTO ddl_ft VALUES (31, 'after the rollback');
COMMIT;
:ddb dump ddl_a | grep -c '"N":"3[01]"'
:ddb dump ddl_b | grep '"N":"3[01]"'

-- the server's options change: later rows use the new ones
CREATE FOREIGN TABLE ddl_null (id int, v text) SERVER ddl_srv OPTIONS ("table-name" 'ddl_a');
BEGIN;
INSERT INTO ddl_null VALUES (40, NULL);
ALTER SERVER ddl_srv OPTIONS (ADD "sink.ignore-nulls" 'true');
INSERT INTO ddl_null VALUES (41, NULL);
COMMIT;
:ddb dump ddl_a | grep '"N":"4[01]"'
ALTER SERVER ddl_srv OPTIONS (DROP "sink.ignore-nulls");

-- the user mapping changes: later rows are signed with the new keys.
-- moto checks signatures: the row queued with the right secret lands, the
-- one queued after the secret changed is refused, and the ERROR says the
-- COMMIT wrote the first before it failed (not that it was flushed early)
\getenv moto DDB_MOTO_AUTH_URL
\getenv key_id DDB_MOTO_KEY_ID
\getenv secret DDB_MOTO_SECRET
\set moto_ddb '\\! AWS_ACCESS_KEY_ID="$DDB_MOTO_KEY_ID" AWS_SECRET_ACCESS_KEY="$DDB_MOTO_SECRET" "$DDB_TEST"/ddb --endpoint "$DDB_MOTO_AUTH_URL"'
:moto_ddb create-table ddl_signed id:N > /dev/null
CREATE SERVER ddl_moto FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'moto');
CREATE FOREIGN TABLE ddl_signed (id int, v text) SERVER ddl_moto OPTIONS ("table-name" 'ddl_signed');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddl_moto OPTIONS (
  "aws.credentials.basic.accesskeyid" :'key_id', "aws.credentials.basic.secretkey" :'secret');
BEGIN;
INSERT INTO ddl_signed VALUES (9050, 'right secret');
ALTER USER MAPPING FOR CURRENT_USER SERVER ddl_moto
  OPTIONS (SET "aws.credentials.basic.secretkey" 'not-the-secret');
INSERT INTO ddl_signed VALUES (9051, 'wrong secret');
COMMIT;
:moto_ddb dump ddl_signed
:moto_ddb delete-table ddl_signed
DROP SERVER ddl_moto CASCADE;

-- a prepared statement re-planned after the ALTER follows it
PREPARE ins(int, text) AS INSERT INTO ddl_null VALUES ($1, $2);
BEGIN;
EXECUTE ins(60, 'to ddl_a');
ALTER FOREIGN TABLE ddl_null OPTIONS (SET "table-name" 'ddl_b');
EXECUTE ins(61, 'to ddl_b');
COMMIT;
DEALLOCATE ins;
:ddb dump ddl_a | grep '"N":"6[01]"'
:ddb dump ddl_b | grep '"N":"6[01]"'

-- the same key before and after an ALTER: the later write wins
BEGIN;
INSERT INTO ddl_null VALUES (70, 'first');
ALTER FOREIGN TABLE ddl_null ALTER COLUMN v OPTIONS (ADD "attribute-name" 'w');
INSERT INTO ddl_null VALUES (70, 'second');
COMMIT;
:ddb dump ddl_b | grep '"N":"70"'
-- ... also when the rows after the ALTER are flushed early: the rows queued
-- before it go first (the fault campaign found an older write landing last)
ALTER FOREIGN TABLE ddl_null OPTIONS (ADD "sink.requests.max-buffered" '2');
BEGIN;
INSERT INTO ddl_null VALUES (71, 'old');
ALTER FOREIGN TABLE ddl_null ALTER COLUMN v OPTIONS (SET "attribute-name" 'x');
INSERT INTO ddl_null VALUES (71, 'new'), (72, 'y'), (73, 'z');
COMMIT;
:ddb dump ddl_b | grep '"N":"71"'
ALTER FOREIGN TABLE ddl_null OPTIONS (DROP "sink.requests.max-buffered");

-- DROP FOREIGN TABLE after rows were queued: the rows go with the table
CREATE FOREIGN TABLE ddl_gone (id int, v text) SERVER ddl_srv OPTIONS ("table-name" 'ddl_a');
BEGIN;
INSERT INTO ddl_gone VALUES (80, 'dropped with its table');
INSERT INTO ddl_null VALUES (81, 'kept');
DROP FOREIGN TABLE ddl_gone;
COMMIT;
:ddb dump ddl_a | grep -c '"N":"80"'
:ddb dump ddl_b | grep -c '"N":"81"'
-- ... unless ROLLBACK TO SAVEPOINT brings the table back
CREATE FOREIGN TABLE ddl_gone (id int, v text) SERVER ddl_srv OPTIONS ("table-name" 'ddl_a');
BEGIN;
INSERT INTO ddl_gone VALUES (82, 'table restored');
SAVEPOINT s;
DROP FOREIGN TABLE ddl_gone;
ROLLBACK TO SAVEPOINT s;
COMMIT;
:ddb dump ddl_a | grep -c '"N":"82"'

-- the backend is healthy: a plain insert still lands
INSERT INTO ddl_null VALUES (90, 'healthy');
:ddb dump ddl_b | grep -c '"N":"90"'

DROP SERVER ddl_srv CASCADE;
:ddb delete-table ddl_a
:ddb delete-table ddl_b
