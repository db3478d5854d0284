/* ddb_fdw--1.0--1.1.sql: ALTER EXTENSION ddb_fdw UPDATE from 1.0 to 1.1 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION ddb_fdw UPDATE TO '1.1'" to load this file. \quit

-- A 1.0 install updated by this script must end with exactly the objects of a
-- fresh ddb_fdw--1.1.sql install: sql/upgrade.sql compares the two (every
-- member object, function signature and property, view definition,
-- privilege and comment).  So whatever changes in ddb_fdw--1.1.sql is
-- written here too, in a section of its own:
--
--   * a new function, view or type: the same CREATE statement (and GRANT,
--     COMMENT) as in ddb_fdw--1.1.sql; ALTER EXTENSION makes it a member.
--   * new OUT columns of an existing function (ddb_fdw_stats()): a result
--     type cannot be changed by CREATE OR REPLACE, so DROP FUNCTION, then the
--     new CREATE FUNCTION and its COMMENT (and re-create views over it).
--     The shared library serves databases still at 1.0 until they are
--     updated: the C function must fill as many columns as the declared
--     result type has (natts), not refuse the older signature.
--   * a changed comment: the new COMMENT ON statement.

-- 1.1: ddb_fdw_activity, the cluster-wide view of every backend's writer

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

-- 1.1: ddb_fdw_pacers(), the writers' rate control

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

-- 1.1: ddb_fdw_stats() gains consumed_wcu (the write capacity DynamoDB's
-- answers say the writer consumed) and stale_skipped (guarded writes refused
-- by their version condition); a result type cannot be replaced in place

DROP FUNCTION ddb_fdw_stats();

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

COMMENT ON FUNCTION ddb_fdw_stats() IS 'requests, items, retries, throttles, re-sent unprocessed items, bytes, wait time, temporary-credential fetches, consumed write capacity and stale writes skipped ("version-column") of this backend''s ddb_fdw writer';
