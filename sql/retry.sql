-- Retries through test/fixtures/faultproxy.py, a proxy in front of dynalite that
-- injects faults into BatchWriteItem requests on command.  What landed is
-- read from dynalite directly.
\getenv proxy DDB_PROXY_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
\set faults '\\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/script -d'
\set stats '\\! curl -s "$DDB_PROXY_URL"/__proxy/stats; echo'
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset

CREATE SERVER flaky FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'proxy');
:ddb create-table retry_t id:N > /dev/null
CREATE FOREIGN TABLE retry_ft (id int, v text) SERVER flaky OPTIONS ("table-name" 'retry_t');

-- every retryable fault once, across 4 batches sent in parallel: all rows land
:faults '["throttle","throttling","limit","error500","error503","unprocessed","reset_before","reset_after","cut","unprocessed"]'
SELECT ddb_fdw_stats_reset();
INSERT INTO retry_ft SELECT g, 'row ' || g FROM generate_series(1, 100) g;
:stats
-- the backend's own account: 3 capacity refusals among 6 to 8 retries
-- (libcurl itself re-sends a request whose reused connection was reset)
SELECT items_written, throttles, retries BETWEEN 6 AND 8 AS retried,
       unprocessed_resent > 0 AS resent, wait_time_ms > 0 AS waited FROM ddb_fdw_stats();
:ddb count retry_t
:ddb dump retry_t | head -3

-- UnprocessedItems again and again, with progress each time: still lands
:faults '["unprocessed","unprocessed","unprocessed","unprocessed","unprocessed"]'
INSERT INTO retry_ft SELECT g, 'halved ' || g FROM generate_series(101, 125) g;
:ddb dump retry_t | grep -c halved

-- a non-retryable error fails at once, with DynamoDB's type and message
:faults '["validation","validation"]'
INSERT INTO retry_ft VALUES (200, 'validation');
:stats
-- an XML error body (as some endpoints send for auth errors) reads as clearly
:faults '["xml403"]'
INSERT INTO retry_ft VALUES (201, 'denied');

-- "sink.fail-on-error": the first retryable failure fails the COMMIT
ALTER FOREIGN TABLE retry_ft OPTIONS (ADD "sink.fail-on-error" 'true');
:faults '["throttle"]'
BEGIN;
INSERT INTO retry_ft VALUES (202, 'fail on error');
COMMIT;
ALTER FOREIGN TABLE retry_ft OPTIONS (DROP "sink.fail-on-error");

-- "sink.max-retries" bounds the retries: 3 throttles, 2 retries allowed
ALTER FOREIGN TABLE retry_ft OPTIONS (ADD "sink.max-retries" '2');
:faults '["throttle","throttle","throttle"]'
INSERT INTO retry_ft VALUES (203, 'retries exhausted');
:stats
-- ... and UnprocessedItems without progress: the error says what happened
-- (was "failed with HTTP status 0")
:faults '["unprocessed","unprocessed","unprocessed"]'
INSERT INTO retry_ft VALUES (205, 'never processed');
ALTER FOREIGN TABLE retry_ft OPTIONS (DROP "sink.max-retries");
:ddb dump retry_t | grep -cE 'validation|denied|fail on error|exhausted'

-- a response slower than "sink.http-client.read-timeout" is a transport
-- error, retried
ALTER FOREIGN TABLE retry_ft OPTIONS (ADD "sink.http-client.read-timeout" '1000');
:faults '["slow"]'
INSERT INTO retry_ft VALUES (204, 'after a read timeout');
ALTER FOREIGN TABLE retry_ft OPTIONS (DROP "sink.http-client.read-timeout");
:ddb dump retry_t | grep 'read timeout'

-- statement_timeout interrupts a flush made during a statement (here an
-- early flush: with "sink.requests.max-buffered" 1, the second row flushes
-- the first); requests in flight are in doubt and the WARNING says so
ALTER FOREIGN TABLE retry_ft OPTIONS (ADD "sink.requests.max-buffered" '1');
:faults '["slow"]'
SET statement_timeout = '1s';
INSERT INTO retry_ft VALUES (205, 'timed out'), (-205, 'timed out too');
RESET statement_timeout;
ALTER FOREIGN TABLE retry_ft OPTIONS (DROP "sink.requests.max-buffered");
-- a query cancel interrupts the flush at COMMIT (PostgreSQL stops
-- statement_timeout before a commit starts, so a cancel is the way)
:faults '["slow"]'
BEGIN;
INSERT INTO retry_ft VALUES (206, 'cancelled at commit');
\! (sleep 1; psql -X -q -d regression -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'COMMIT;'" > /dev/null) &
COMMIT;
-- the backend is healthy afterwards
INSERT INTO retry_ft VALUES (207, 'after the cancels');
:ddb dump retry_t | grep 'after the cancels'

-- an early flush that fails inside a savepoint: after ROLLBACK TO SAVEPOINT
-- the outer writes are still owed, including one the inner write of the
-- same key had superseded (found by test/scenarios/campaign.sh: the flush used to fold
-- the queue itself, so COMMIT lost (6, 'outer') and sent freed memory)
:ddb create-table retry_sk pk:N sk:S > /dev/null
CREATE FOREIGN TABLE retry_sk_ft (pk int, sk text, v text) SERVER flaky
  OPTIONS ("table-name" 'retry_sk', "sink.requests.max-buffered" '4');
:faults '["validation"]'
BEGIN;
INSERT INTO retry_sk_ft VALUES (5, 'a', 'outer'), (6, 'b', 'outer'), (7, 'b', 'outer');
UPDATE retry_sk_ft SET v = 'outer, updated' WHERE pk = 5 AND sk = 'a';
SAVEPOINT s;
INSERT INTO retry_sk_ft VALUES (6, 'b', 'inner');
INSERT INTO retry_sk_ft VALUES (8, 'c', 'inner');
ROLLBACK TO SAVEPOINT s;
INSERT INTO retry_sk_ft VALUES (9, 'd', 'outer after the savepoint');
COMMIT;
:ddb dump retry_sk

-- a partly processed request counts what DynamoDB took: an early flush that
-- gets UnprocessedItems under "sink.fail-on-error" fails, and the abort of
-- its savepoint warns about the half that was written (only requests
-- processed whole used to be counted: 2 rows written, no WARNING)
:ddb create-table retry_half id:N > /dev/null
CREATE FOREIGN TABLE retry_half_ft (id int, v text) SERVER flaky
  OPTIONS ("table-name" 'retry_half', "sink.requests.max-buffered" '4', "sink.fail-on-error" 'true');
:faults '["unprocessed"]'
-- (an exception block is the savepoint here: its abort's WARNING and the
-- caught error reach the client in one order, unlike an ERROR sent to the
-- client followed by the WARNING of the abort that comes after it)
BEGIN;
DO $$
BEGIN
  INSERT INTO retry_half_ft SELECT g, 'half ' || g FROM generate_series(1, 5) g;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'caught: %', SQLERRM;
END $$;
COMMIT;
:ddb count retry_half

\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset
DROP SERVER flaky CASCADE;
