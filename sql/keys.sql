-- Keys as DynamoDB sees them: numbers compared by value, a key schema
-- re-created under a live backend, DynamoDB's key length limits, UTF-8 in a
-- SQL_ASCII database, rows queued while COMMIT flushes, the small messages.
-- What landed is read from dynalite with test/helpers/ddb, outside PostgreSQL.
\getenv dynalite DDB_DYNALITE_URL
\getenv proxy DDB_PROXY_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
\set faults '\\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/script -d'

CREATE SERVER keys_srv FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite');
CREATE USER MAPPING FOR PUBLIC SERVER keys_srv
  OPTIONS ("aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');

-- numbers DynamoDB holds equal are one key: the latest write wins, and the
-- flush never sends two requests for one item (dynalite rejects that)
:ddb create-table keys_n id:N > /dev/null
CREATE FOREIGN TABLE keys_num (id numeric, v text) SERVER keys_srv OPTIONS ("table-name" 'keys_n');
INSERT INTO keys_num VALUES (4.0, '4.0'), (4, '4'), (4.00, '4.00'),
  (1e5, '1e5'), (100000.000, '100000.000'), (0.5, '0.5'), (.50, '.50'),
  (-0.0, '-0.0'), (0, '0'), (-12.340, '-12.340'), (-12.34, '-12.34'),
  (1e30, '1e30'), (1000000000000000000000000000000.0, 'long 1e30');
:ddb dump keys_n
-- across batches in flight at once: 90 writes of 30 keys spelled three ways
SELECT ddb_fdw_stats_reset();
INSERT INTO keys_num SELECT round((g % 30)::numeric, g / 30), 'pass ' || g / 30 FROM generate_series(0, 89) g;
SELECT items_written FROM ddb_fdw_stats();
:ddb dump keys_n | grep -c '"pass 2"'
-- floats: -0 and 0 are one key
:ddb create-table keys_f id:N > /dev/null
CREATE FOREIGN TABLE keys_float (id float8, v text) SERVER keys_srv OPTIONS ("table-name" 'keys_f');
INSERT INTO keys_float VALUES ('-0', 'minus zero'), (0, 'zero'), (1.5, 'one and a half'), (15e-1, '15e-1');
:ddb dump keys_f
-- NS sets: 4 and 4.0 are one member
:ddb create-table keys_sets id:N > /dev/null
CREATE FOREIGN TABLE keys_ns (id int, ns numeric[] OPTIONS ("attribute-type" 'NS'))
  SERVER keys_srv OPTIONS ("table-name" 'keys_sets');
INSERT INTO keys_ns VALUES (1, ARRAY[4, 4.0]);
INSERT INTO keys_ns VALUES (2, ARRAY[4, 4.5, 10]);
:ddb dump keys_sets

-- the DynamoDB table is re-created with another key under this backend:
-- rows are never merged by the key it learned before
:ddb create-table keys_re id:N > /dev/null
CREATE FOREIGN TABLE keys_recreated (id int, sk int, v text) SERVER keys_srv OPTIONS ("table-name" 'keys_re');
INSERT INTO keys_recreated VALUES (1, 0, 'learns the key (id)');
:ddb delete-table keys_re
:ddb create-table keys_re id:N sk:N > /dev/null
-- three rows of one id merge under the old key: the flush confirms the key
-- first, finds (id, sk), and sends nothing
INSERT INTO keys_recreated VALUES (1, 1, 'a'), (1, 2, 'b'), (1, 3, 'c');
:ddb count keys_re
-- the retry uses the new key: three items
INSERT INTO keys_recreated VALUES (1, 1, 'a'), (1, 2, 'b'), (1, 3, 'c');
:ddb dump keys_re
-- and back to (id): the next flush sends two writes DynamoDB holds to be
-- one item; DynamoDB refuses them, and the next transaction asks again
:ddb delete-table keys_re
:ddb create-table keys_re id:N > /dev/null
INSERT INTO keys_recreated VALUES (2, 1, 'x'), (2, 2, 'y');
INSERT INTO keys_recreated VALUES (2, 1, 'x'), (2, 2, 'y');
:ddb dump keys_re

-- the cost of confirming the key, in requests per transaction: nothing for
-- a flush of one request with nothing merged (one row, or 25 rows of
-- distinct keys); one DescribeTable per table and transaction when a flush
-- merges writes of one key or sends several requests
SELECT ddb_fdw_stats_reset();
INSERT INTO keys_recreated VALUES (100, 0, 'one row');
SELECT requests FROM ddb_fdw_stats();
SELECT ddb_fdw_stats_reset();
INSERT INTO keys_recreated SELECT g, 0, 'of 25' FROM generate_series(101, 125) g;
SELECT requests FROM ddb_fdw_stats();
SELECT ddb_fdw_stats_reset();
INSERT INTO keys_recreated VALUES (200, 0, 'twice'), (200, 0, 'twice, the latest');
SELECT requests FROM ddb_fdw_stats();
SELECT ddb_fdw_stats_reset();
INSERT INTO keys_recreated SELECT g, 0, 'of 26' FROM generate_series(301, 326) g;
SELECT requests FROM ddb_fdw_stats();
-- several flushes of one transaction confirm once
ALTER FOREIGN TABLE keys_recreated OPTIONS (ADD "sink.requests.max-buffered" '30');
SELECT ddb_fdw_stats_reset();
INSERT INTO keys_recreated SELECT g, 0, 'of 90' FROM generate_series(401, 490) g;
SELECT flushes, requests FROM ddb_fdw_stats();
ALTER FOREIGN TABLE keys_recreated OPTIONS (DROP "sink.requests.max-buffered");
-- "partitioned-by" declares the key: no DescribeTable is asked
CREATE FOREIGN TABLE keys_declared (id int, sk int, v text) SERVER keys_srv
  OPTIONS ("table-name" 'keys_re', "partitioned-by" 'id');
SELECT ddb_fdw_stats_reset();
INSERT INTO keys_declared SELECT g, 0, 'declared' FROM generate_series(501, 526) g;
SELECT requests FROM ddb_fdw_stats();

-- DynamoDB's key length limits (UTF-8 bytes for strings, bytes for binaries),
-- checked at the statement that queues the row, naming the column
:ddb create-table keys_s pk:S sk:S > /dev/null
CREATE FOREIGN TABLE keys_str (pk text, sk text, v text) SERVER keys_srv OPTIONS ("table-name" 'keys_s');
INSERT INTO keys_str VALUES (repeat('p', 2048), repeat('s', 1024), 'at both limits');
INSERT INTO keys_str VALUES (repeat('p', 2049), 's', 'partition key too long');
INSERT INTO keys_str VALUES ('p', repeat('é', 513), 'sort key of 1026 UTF-8 bytes');
INSERT INTO keys_str VALUES ('p', repeat('é', 512), 'sort key of 1024 UTF-8 bytes');
-- in the middle of a transaction of 600 rows: nothing of it is written
BEGIN;
INSERT INTO keys_str SELECT 'row ' || g, 's', 'v' FROM generate_series(1, 600) g;
INSERT INTO keys_str VALUES ('p', repeat('s', 1025), 'one too long');
COMMIT;
:ddb count keys_s
:ddb create-table keys_b id:B > /dev/null
CREATE FOREIGN TABLE keys_bin (id bytea, v text) SERVER keys_srv OPTIONS ("table-name" 'keys_b');
INSERT INTO keys_bin VALUES (decode(repeat('ab', 2048), 'hex'), 'binary at the limit');
INSERT INTO keys_bin VALUES (decode(repeat('ab', 2049), 'hex'), 'binary too long');
:ddb count keys_b
-- a table name DynamoDB cannot accept is refused at CREATE and ALTER
CREATE FOREIGN TABLE keys_badname (id int) SERVER keys_srv OPTIONS ("table-name" 'ab');
CREATE FOREIGN TABLE keys_badname (id int) SERVER keys_srv OPTIONS ("table-name" 'my table');
CREATE FOREIGN TABLE keys_badname (id int) SERVER keys_srv OPTIONS ("table-name" 'tåble');
ALTER FOREIGN TABLE keys_str OPTIONS (SET "table-name" :'dynalite');
SELECT repeat('t', 256) AS long_name \gset
ALTER FOREIGN TABLE keys_str OPTIONS (SET "table-name" :'long_name');
CREATE FOREIGN TABLE keys_goodname (id int) SERVER keys_srv OPTIONS ("table-name" 'My_Table-2.0');
DROP FOREIGN TABLE keys_goodname;

-- rows queued while COMMIT flushes: a CUSTOM credentials function in
-- PL/pgSQL, run again by the flush after an ExpiredTokenException, writes an
-- audit row to another ddb_fdw table: that row is written too
:ddb create-table keys_main id:N > /dev/null
:ddb create-table keys_audit id:N > /dev/null
CREATE FOREIGN TABLE keys_audit_ft (id int, note text) SERVER keys_srv OPTIONS ("table-name" 'keys_audit');
CREATE SEQUENCE keys_audit_seq;
CREATE FUNCTION keys_audited_creds(t regclass) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO keys_audit_ft VALUES (nextval('keys_audit_seq'), 'credentials for ' || t::text);
  RETURN jsonb_build_object('AccessKeyId', 'test', 'SecretAccessKey', 'test');
END $$;
CREATE SERVER keys_proxied FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'proxy');
CREATE USER MAPPING FOR CURRENT_USER SERVER keys_proxied OPTIONS (
  "aws.credentials.provider" 'CUSTOM', "aws.credentials.custom.function" 'keys_audited_creds');
CREATE FOREIGN TABLE keys_main_ft (id int, v text) SERVER keys_proxied OPTIONS ("table-name" 'keys_main');
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset
:faults '["expired"]'
INSERT INTO keys_main_ft VALUES (1, 'main row');
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset
:ddb dump keys_main
:ddb dump keys_audit

-- small messages: no user mapping at all says so
CREATE ROLE keys_user;
GRANT USAGE ON FOREIGN SERVER keys_proxied TO keys_user;
GRANT INSERT ON keys_main_ft TO keys_user;
DROP USER MAPPING FOR PUBLIC SERVER keys_srv;
SET ROLE keys_user;
INSERT INTO keys_main_ft VALUES (2, 'no mapping');
RESET ROLE;
ALTER SERVER keys_proxied OPTIONS (ADD "aws.credentials.provider" 'BASIC');
DROP USER MAPPING FOR CURRENT_USER SERVER keys_proxied;
INSERT INTO keys_main_ft VALUES (3, 'no mapping, BASIC');
CREATE USER MAPPING FOR CURRENT_USER SERVER keys_proxied;
INSERT INTO keys_main_ft VALUES (4, 'a mapping without keys');
-- ranges of date/time types are ISO 8601 whatever DateStyle says
CREATE USER MAPPING FOR PUBLIC SERVER keys_srv
  OPTIONS ("aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');
:ddb create-table keys_ranges id:N > /dev/null
CREATE FOREIGN TABLE keys_range (id int, ts tsrange, tstz tstzrange, d daterange, m tsmultirange)
  SERVER keys_srv OPTIONS ("table-name" 'keys_ranges');
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'America/New_York';
INSERT INTO keys_range VALUES (1, '[2026-12-02 10:00, 2026-12-03 00:00:00.5)',
  '[2026-12-02 10:00-05, infinity)', '[2026-12-02, 2026-12-10)',
  '{[2026-01-01, 2026-01-02), [2026-02-01 12:00, 2026-02-02]}');
INSERT INTO keys_range VALUES (2, 'empty', '(,2026-12-02 10:00+00]', NULL, '{}');
RESET DateStyle;
RESET TimeZone;
:ddb dump keys_ranges
-- UPDATE and DELETE through a partitioned table say what is supported
CREATE TABLE keys_parent (id int, v text) PARTITION BY RANGE (id);
CREATE FOREIGN TABLE keys_part PARTITION OF keys_parent FOR VALUES FROM (0) TO (1000)
  SERVER keys_srv OPTIONS ("table-name" 'keys_ranges');
INSERT INTO keys_parent VALUES (10, 'inserted through the parent');
DELETE FROM keys_parent WHERE id = 10;
UPDATE keys_parent SET v = 'x' WHERE id = 10;
DELETE FROM keys_part WHERE id = 10;
:ddb dump keys_ranges | grep -c '"N":"10"'

DROP TABLE keys_parent;
DROP SERVER keys_srv CASCADE;
DROP SERVER keys_proxied CASCADE;
DROP FUNCTION keys_audited_creds(regclass);
DROP SEQUENCE keys_audit_seq;
DROP ROLE keys_user;
\! for t in keys_n keys_f keys_sets keys_re keys_s keys_b keys_main keys_audit keys_ranges; do "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL" delete-table $t; done

-- bytes that are not UTF-8 never leave a SQL_ASCII database
SELECT current_database() AS regress_db \gset
CREATE DATABASE keys_ascii ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';
\c keys_ascii
CREATE EXTENSION ddb_fdw;
CREATE SERVER ascii_srv FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite');
CREATE USER MAPPING FOR CURRENT_USER SERVER ascii_srv
  OPTIONS ("aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');
:ddb create-table keys_ascii id:N > /dev/null
CREATE FOREIGN TABLE ascii_ft (id int, v text, j jsonb) SERVER ascii_srv OPTIONS ("table-name" 'keys_ascii');
INSERT INTO ascii_ft VALUES (1, convert_from('\xfe41c3', 'SQL_ASCII'), NULL);
INSERT INTO ascii_ft VALUES (2, 'fine', jsonb_build_object('k', convert_from('\xfe41', 'SQL_ASCII')));
INSERT INTO ascii_ft VALUES (3, convert_from('\xc3a9', 'SQL_ASCII'), NULL);
:ddb dump keys_ascii
\c :regress_db
DROP DATABASE keys_ascii;
:ddb delete-table keys_ascii
