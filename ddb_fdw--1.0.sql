/* ddb_fdw--1.0.sql */

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
    OUT credential_fetches bigint)
RETURNS record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION ddb_fdw_stats_reset()
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION ddb_fdw_stats() IS 'requests, items, retries, throttles, re-sent unprocessed items, bytes, wait time and temporary-credential fetches of this backend''s ddb_fdw writer';

-- Forward a local table's row changes to a ddb_fdw foreign table:
--   CREATE TRIGGER t AFTER INSERT OR UPDATE OR DELETE ON orders
--     FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('orders_ddb');
CREATE FUNCTION ddb_fdw_forward()
RETURNS trigger
AS 'MODULE_PATHNAME'
LANGUAGE C;

COMMENT ON FUNCTION ddb_fdw_forward() IS 'AFTER ROW trigger: INSERT/UPDATE put the new row, DELETE (and a key change) delete the old key, in the firing transaction';
