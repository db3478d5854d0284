-- The batch writer: request sizes, early flushes, big transactions, COPY
-- and partition routing.  Request counts come from ddb_fdw_stats(); what
-- landed is read from dynalite with test/helpers/ddb, outside PostgreSQL.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table batch_t id:N > /dev/null
CREATE FOREIGN TABLE batch_ft (id int, v text) SERVER ddb OPTIONS ("table-name" 'batch_t');

-- the first write of a backend to a table asks DynamoDB for its key once
SELECT ddb_fdw_stats_reset();
INSERT INTO batch_ft VALUES (0, 'first');
SELECT flushes, requests, items_written, retries FROM ddb_fdw_stats();

-- 25 rows are one BatchWriteItem, 26 are two
SELECT ddb_fdw_stats_reset();
INSERT INTO batch_ft SELECT g, 'of 25' FROM generate_series(1, 25) g;
SELECT flushes, requests, items_written FROM ddb_fdw_stats();
SELECT ddb_fdw_stats_reset();
INSERT INTO batch_ft SELECT g, 'of 26' FROM generate_series(101, 126) g;
SELECT flushes, requests, items_written, bytes_sent > 26 * 20 AS bytes_counted FROM ddb_fdw_stats();
:ddb count batch_t

-- "sink.batch.max-size": 7 rows in batches of 3 are 3 requests; of 1, 7
ALTER FOREIGN TABLE batch_ft OPTIONS (ADD "sink.batch.max-size" '3');
SELECT ddb_fdw_stats_reset();
INSERT INTO batch_ft SELECT g, 'by 3' FROM generate_series(201, 207) g;
SELECT requests, items_written FROM ddb_fdw_stats();
ALTER FOREIGN TABLE batch_ft OPTIONS (SET "sink.batch.max-size" '1');
SELECT ddb_fdw_stats_reset();
INSERT INTO batch_ft SELECT g, 'by 1' FROM generate_series(301, 307) g;
SELECT requests, items_written FROM ddb_fdw_stats();
ALTER FOREIGN TABLE batch_ft OPTIONS (DROP "sink.batch.max-size");
:ddb dump batch_t | grep -c 'by [13]'

-- the same key many times in one flush, across batches in flight at once:
-- the latest write of each key wins, and only one write per key is sent
SELECT ddb_fdw_stats_reset();
BEGIN;
INSERT INTO batch_ft SELECT g % 10 + 1000, 'pass 1 of ' || g FROM generate_series(1, 100) g;
INSERT INTO batch_ft SELECT g % 10 + 1000, 'pass 2 of ' || g FROM generate_series(1, 100) g;
COMMIT;
SELECT requests, items_written FROM ddb_fdw_stats();
:ddb dump batch_t | grep '"N":"10[0-9][0-9]"'

-- "sink.flush-buffer.timeout": a row older than the timeout is sent when
-- the next row comes, before COMMIT
ALTER FOREIGN TABLE batch_ft OPTIONS (ADD "sink.flush-buffer.timeout" '200');
BEGIN;
INSERT INTO batch_ft VALUES (2000, 'early');
:ddb dump batch_t | grep -c early
SELECT pg_sleep(0.3);
INSERT INTO batch_ft VALUES (2001, 'early too');
:ddb dump batch_t | grep -c early
COMMIT;
-- ... and a rollback afterwards cannot take them back, and says so
BEGIN;
INSERT INTO batch_ft VALUES (2002, 'timed out');
SELECT pg_sleep(0.3);
INSERT INTO batch_ft VALUES (2003, 'timed out too');
ROLLBACK;
:ddb dump batch_t | grep -c 'timed out'
ALTER FOREIGN TABLE batch_ft OPTIONS (DROP "sink.flush-buffer.timeout");

-- 100,000 rows in one transaction, held until COMMIT (no early flush by
-- count or by age) ...
:ddb create-table big_t id:N > /dev/null
CREATE FOREIGN TABLE big_ft (id int, item_id bigint, category_id bigint, behavior text)
  SERVER ddb OPTIONS ("table-name" 'big_t', "sink.requests.max-buffered" '100000',
                      "sink.flush-buffer.timeout" '0');
SELECT ddb_fdw_stats_reset();
BEGIN;
INSERT INTO big_ft SELECT g, g * 10, g % 100, 'pv' FROM generate_series(1, 100000) g;
:ddb count big_t
COMMIT;
SELECT flushes, requests, items_written, retries FROM ddb_fdw_stats();
:ddb count big_t
-- ... and with the default "sink.requests.max-buffered" (10000), sent in 10 flushes
ALTER FOREIGN TABLE big_ft OPTIONS (DROP "sink.requests.max-buffered");
SELECT ddb_fdw_stats_reset();
INSERT INTO big_ft SELECT g, g * 10, g % 100, 'cart' FROM generate_series(1, 100000) g;
SELECT flushes, requests, items_written FROM ddb_fdw_stats();
:ddb dump big_t | grep -c '"behavior":{"S":"cart"}'

-- COPY FROM, in batches like INSERT
SELECT ddb_fdw_stats_reset();
COPY batch_ft FROM stdin (FORMAT csv);
3000,copied a
3001,"copied, with a comma"
3002,
\.
SELECT requests, items_written FROM ddb_fdw_stats();
:ddb dump batch_t | grep '"N":"300[0-9]"'

-- tuple routing into a foreign partition of a local partitioned table,
-- by INSERT and by COPY
:ddb create-table events_eu id:N > /dev/null
CREATE TABLE events (id int, region text, payload text) PARTITION BY LIST (region);
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us');
CREATE FOREIGN TABLE events_eu PARTITION OF events FOR VALUES IN ('eu')
  SERVER ddb OPTIONS ("table-name" 'events_eu');
INSERT INTO events VALUES (1, 'eu', 'a'), (2, 'us', 'b'), (3, 'eu', 'c');
COPY events FROM stdin (FORMAT csv);
4,eu,copied
5,us,copied
\.
SELECT * FROM events_us ORDER BY id;
:ddb dump events_eu
-- a row routed to the foreign partition inside a rolled-back transaction never lands
BEGIN;
INSERT INTO events VALUES (6, 'eu', 'rolled back');
ROLLBACK;
:ddb count events_eu

-- an item over DynamoDB's 400 KB limit fails the statement, naming the key
INSERT INTO batch_ft VALUES (4000, repeat('x', 410000));
:ddb dump batch_t | grep -c '"N":"4000"'

DROP TABLE events;
DROP SERVER ddb CASCADE;
