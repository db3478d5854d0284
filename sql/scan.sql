-- ddb_fdw is a sink: every scan fails with the connector's own message.
CREATE SERVER ddb_scan FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'http://127.0.0.1:1');
CREATE FOREIGN TABLE scan_ft (id bigint, v text) SERVER ddb_scan OPTIONS ("table-name" 'scan_t');
CREATE TABLE scan_local (id bigint, v text);
INSERT INTO scan_local VALUES (1, 'a');

\set VERBOSITY default
SELECT * FROM scan_ft;
\set VERBOSITY terse
SELECT count(*) FROM scan_ft;
SELECT * FROM scan_local l JOIN scan_ft f USING (id);
UPDATE scan_local SET v = f.v FROM scan_ft f WHERE f.id = scan_local.id;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM scan_ft;
WITH w AS (SELECT * FROM scan_ft) SELECT 1 FROM w;
COPY scan_ft TO stdout;
-- the SQLSTATE is feature_not_supported
DO $$
BEGIN
  PERFORM * FROM scan_ft;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM;
END $$;

-- planning a scan is harmless; EXPLAIN without ANALYZE does not run it
EXPLAIN (COSTS OFF) SELECT * FROM scan_ft;
-- INSERT needs no scan, and EXPLAIN of it works (nothing is contacted)
EXPLAIN (COSTS OFF) INSERT INTO scan_ft VALUES (1, 'x');
EXPLAIN (COSTS OFF) INSERT INTO scan_ft SELECT * FROM scan_local;

-- an UPDATE or DELETE that would need a scan is refused at planning (by
-- key, they need none: sql/update.sql, sql/delete.sql)
UPDATE scan_ft SET v = v || 'b' WHERE id = 1;
DELETE FROM scan_ft WHERE id > 1;

DROP SERVER ddb_scan CASCADE;
DROP TABLE scan_local;
