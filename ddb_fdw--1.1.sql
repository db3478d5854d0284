/* ddb_fdw--1.1.sql: a fresh install of 1.1 (ddb_fdw--1.0--1.1.sql takes a 1.0 install to the same objects) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION ddb_fdw" to load this file. \quit

CREATE FUNCTION ddb_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION ddb_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER ddb_fdw
  HANDLER ddb_fdw_handler
  VALIDATOR ddb_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER ddb_fdw IS 'write-only sink for Amazon DynamoDB (BatchWriteItem at commit)';

-- What this backend's writer has done since it started (or since the last reset).
CREATE FUNCTION ddb_fdw_stats(
    OUT flushes bigint,
    OUT requests bigint,
    OUT items_written bigint,
    OUT retries bigint,
    OUT throttles bigint,
    OUT unprocessed_resent bigint,
    OUT bytes_sent bigint,
    OUT wait_time_ms double precision,
    OUT credential_fetches bigint,
    OUT consumed_wcu double precision,
    OUT stale_skipped bigint)
RETURNS record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION ddb_fdw_stats_reset()
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION ddb_fdw_stats() IS 'requests, items, retries, throttles, re-sent unprocessed items, bytes, wait time, temporary-credential fetches, consumed write capacity and stale writes skipped ("version-column") of this backend''s ddb_fdw writer';

-- Forward a local table's row changes to a ddb_fdw foreign table:
--   CREATE TRIGGER t AFTER INSERT OR UPDATE OR DELETE ON orders
--     FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('orders_ddb');
CREATE FUNCTION ddb_fdw_forward()
RETURNS trigger
AS 'MODULE_PATHNAME'
LANGUAGE C;

COMMENT ON FUNCTION ddb_fdw_forward() IS 'AFTER ROW trigger: INSERT/UPDATE put the new row, DELETE (and a key change) delete the old key, in the firing transaction';
-- Every backend's writer, per foreign table (needs ddb_fdw in shared_preload_libraries).
CREATE FUNCTION ddb_fdw_activity(
    OUT pid integer,
    OUT database text,
    OUT foreign_table_oid oid,
    OUT foreign_table text,
    OUT dynamodb_table text,
    OUT flushes bigint,
    OUT items_written bigint,
    OUT requests bigint,
    OUT retries bigint,
    OUT throttles bigint,
    OUT unprocessed_resent bigint,
    OUT wait_time_ms double precision,
    OUT consumed_wcu double precision,
    OUT stale_skipped bigint,
    OUT last_flush_at timestamptz,
    OUT last_error text,
    OUT last_error_at timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION ddb_fdw_activity() IS 'every backend''s ddb_fdw writer, per foreign table: flushes, items, requests, retries, throttles, consumed write capacity, stale writes skipped, last error (needs shared_preload_libraries)';

CREATE VIEW ddb_fdw_activity AS SELECT * FROM ddb_fdw_activity();
GRANT SELECT ON ddb_fdw_activity TO PUBLIC;  -- like pg_stat_activity; error texts stay private

COMMENT ON VIEW ddb_fdw_activity IS 'every backend''s ddb_fdw writer, per foreign table (needs ddb_fdw in shared_preload_libraries)';

CREATE FUNCTION ddb_fdw_activity_overflow()
RETURNS bigint
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION ddb_fdw_activity_overflow() IS 'foreign tables whose activity was not recorded for want of a free slot (raise ddb_fdw.activity_slots)';

-- The writers' rate control per DynamoDB endpoint and table: the pacers shared
-- by every backend (ddb_fdw in shared_preload_libraries), then this backend's own.
CREATE FUNCTION ddb_fdw_pacers(
    OUT endpoint text,
    OUT dynamodb_table text,
    OUT shared boolean,
    OUT pacing boolean,
    OUT fill_rate double precision,
    OUT measured_rate double precision,
    OUT throttle_events bigint,
    OUT last_throttle_at timestamptz,
    OUT idle_s double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION ddb_fdw_pacers() IS 'client-side rate control per DynamoDB endpoint and table: whether it paces, its rate in items per second, the measured accepted rate, rate cuts (shared by all backends when preloaded)';
