-- Bad input from SQL, one catalogue: every bad option value, statement
-- shape, value, key and oversize item is a clear error with its SQLSTATE,
-- raised before anything is written.  At the end, from outside PostgreSQL,
-- the DynamoDB table is still empty and the writer wrote nothing.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
\set state '\\echo SQLSTATE :LAST_ERROR_SQLSTATE'
:ddb delete-table --if-exists bad_t > /dev/null
:ddb create-table bad_t id:N sk:S > /dev/null
SELECT ddb_fdw_stats_reset();

-- options: names, places, values, required keys, privileges
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite', "sink.batch.max-size" '26');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'dynalite:8000');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.endpoint" :'dynalite');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "sink.fail-on-error" 'sometimes');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.credentials.provider" 'KERBEROS');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.credentials.basic.secretkey" 's');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "sink.requests.max-inflight" '0');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "sink.http-client.read-timeout" '1e3');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "table-name" 't');
:state
CREATE SERVER bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite');
CREATE USER MAPPING FOR CURRENT_USER SERVER bad OPTIONS ("aws.credentials.basic.accesskeyid" 'bad', "aws.credentials.basic.secretkey" 'bad');
CREATE USER MAPPING FOR PUBLIC SERVER bad OPTIONS ("aws.credentials.basic.secretkey" '');
:state
CREATE FOREIGN TABLE bad_ft (id int) SERVER bad;
:state
CREATE FOREIGN TABLE bad_ft (id int) SERVER bad OPTIONS ("table-name" 'x');
:state
CREATE FOREIGN TABLE bad_ft (id int) SERVER bad OPTIONS ("table-name" 'bad/t');
:state
CREATE FOREIGN TABLE bad_ft (id int) SERVER bad OPTIONS ("table-name" 'bad_t', "partitioned-by" 'id,');
:state
CREATE FOREIGN TABLE bad_ft (id int OPTIONS ("attribute-type" 'DATE')) SERVER bad OPTIONS ("table-name" 'bad_t');
:state
CREATE FOREIGN TABLE bad_ft (id int OPTIONS (nonsense 'x')) SERVER bad OPTIONS ("table-name" 'bad_t');
:state
CREATE ROLE bad_user;
GRANT USAGE ON FOREIGN SERVER bad TO bad_user;
SET ROLE bad_user;
CREATE USER MAPPING FOR bad_user SERVER bad OPTIONS ("aws.credentials.provider" 'PROFILE');
:state
CREATE USER MAPPING FOR bad_user SERVER bad OPTIONS ("aws.credentials.profile.path" '/etc/shadow');
:state
RESET ROLE;
ALTER SERVER bad OPTIONS (ADD "aws.trust.all.certificates" 'true');
ALTER SERVER bad OPTIONS (DROP "aws.trust.all.certificates");
SET ROLE bad_user;
CREATE SERVER bad2 FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1');
:state
RESET ROLE;

CREATE FOREIGN TABLE bad_ft (id int, sk text, n numeric, f float8, j jsonb, tags text[],
                             s text[] OPTIONS ("attribute-type" 'SS'), big text)
  SERVER bad OPTIONS ("table-name" 'bad_t');

-- statement shapes a write-only sink cannot run
SELECT * FROM bad_ft;
:state
COPY bad_ft TO STDOUT;
:state
INSERT INTO bad_ft VALUES (1, 'a') ON CONFLICT DO NOTHING;
:state
UPDATE bad_ft SET big = 'x';
:state
UPDATE bad_ft SET big = 'x' WHERE id = 1;
:state
UPDATE bad_ft SET id = 2 WHERE id = 1 AND sk = 'a';
:state
UPDATE bad_ft SET big = big || 'x' WHERE id = 1 AND sk = 'a';
:state
DELETE FROM bad_ft;
:state
DELETE FROM bad_ft WHERE id = 1;
:state
DELETE FROM bad_ft WHERE id > 1 AND sk = 'a';
:state
DELETE FROM bad_ft WHERE id = 1 AND sk = 'a' RETURNING *;
:state
TRUNCATE bad_ft;
:state
BEGIN;
INSERT INTO bad_ft VALUES (1, 'a');
PREPARE TRANSACTION 'bad';
:state

-- values DynamoDB cannot store, keys it would refuse
INSERT INTO bad_ft (id, sk) VALUES (NULL, 'a');
:state
INSERT INTO bad_ft (id, sk) VALUES (1, '');
:state
INSERT INTO bad_ft (id, sk) VALUES (1, repeat('k', 1025));
:state
INSERT INTO bad_ft (id, sk) VALUES (1, repeat('ü', 513));
:state
INSERT INTO bad_ft (id) VALUES (1);
:state
INSERT INTO bad_ft (id, sk, n) VALUES (1, 'a', 'NaN');
:state
INSERT INTO bad_ft (id, sk, n) VALUES (1, 'a', 123456789012345678901234567890123456789);
:state
INSERT INTO bad_ft (id, sk, n) VALUES (1, 'a', 1e126);
:state
INSERT INTO bad_ft (id, sk, n) VALUES (1, 'a', 1e-131);
:state
INSERT INTO bad_ft (id, sk, f) VALUES (1, 'a', 'Infinity');
:state
INSERT INTO bad_ft (id, sk, j) VALUES (1, 'a', (SELECT repeat('[', 40) || repeat(']', 40))::jsonb);
:state
INSERT INTO bad_ft (id, sk, s) VALUES (1, 'a', '{}');
:state
INSERT INTO bad_ft (id, sk, s) VALUES (1, 'a', '{x,NULL}');
:state
INSERT INTO bad_ft (id, sk, s) VALUES (1, 'a', '{x,x}');
:state
INSERT INTO bad_ft (id, sk, big) VALUES (1, 'a', repeat('x', 400 * 1024));
:state
CREATE FOREIGN TABLE bad_key_ft (id text, sk text) SERVER bad OPTIONS ("table-name" 'bad_t');
INSERT INTO bad_key_ft VALUES ('one', 'a');
:state
CREATE FOREIGN TABLE bad_nokey_ft (other int) SERVER bad OPTIONS ("table-name" 'bad_t');
INSERT INTO bad_nokey_ft VALUES (1);
:state
CREATE FOREIGN TABLE bad_missing_ft (id int) SERVER bad OPTIONS ("table-name" 'no_such_table');
INSERT INTO bad_missing_ft VALUES (1);
:state

-- option values, fuzzed: seeded random values (numbers of every size and
-- sign, booleans, URLs, key names, empty, whitespace and control
-- characters, quotes, non-ASCII, long strings) for every option of every
-- object: each is accepted or refused with a clean error of the expected
-- classes, never an internal error
CREATE FUNCTION fuzz_value(i int) RETURNS text LANGUAGE sql AS $$
  SELECT CASE i % 12
    WHEN 0 THEN (floor(random() * 2e9) - 1e9)::bigint::text
    WHEN 1 THEN repeat('9', 1 + (random() * 40)::int)
    WHEN 2 THEN (random() * 1e6)::numeric(20, 6)::text
    WHEN 3 THEN (ARRAY['true', 'false', 'on', 'off', 'yes', 'no', '1', '0', 't', 'TRUE '])[1 + (random() * 9)::int]
    WHEN 4 THEN (ARRAY['http://', 'https://x', 'ftp://a', 'http://127.0.0.1:1', 'https://[::1]:443/p?q'])[1 + (random() * 4)::int]
    WHEN 5 THEN (ARRAY['AUTO', 'basic', 'Assume_Role', 'S', 'N', 'BOOL', 'M', 'id', 'id, sk', ',', ' ,x'])[1 + (random() * 10)::int]
    WHEN 6 THEN ''
    WHEN 7 THEN repeat(' ', (random() * 3)::int) || chr(1 + (random() * 30)::int) || 'x'
    WHEN 8 THEN repeat(chr(192 + (random() * 500)::int), 1 + (random() * 5)::int)
    WHEN 9 THEN repeat('''"\%;', 1 + (random() * 3)::int)
    WHEN 10 THEN '-' || repeat('1', 1 + (random() * 25)::int)
    ELSE md5(random()::text) || repeat('z', (random() * 3000)::int)
  END $$;
CREATE TEMP TABLE fuzz_outcome (object text, option text, sqlstate text);
SET client_min_messages = warning;  -- the DROP ... IF EXISTS notices
DO $$
DECLARE
  r record;
  v text;
  st text;
BEGIN
  PERFORM setseed(0.20261125);
  FOR r IN
    SELECT 'server' AS object, unnest(ARRAY['aws.endpoint', 'aws.trust.all.certificates', 'aws.credentials.provider',
      'aws.credentials.profile.path', 'aws.credentials.profile.name', 'aws.credentials.role.arn',
      'aws.credentials.role.provider', 'aws.credentials.role.provider.role.provider.role.provider',
      'aws.credentials.webIdentityToken.file', 'aws.credentials.custom.function', 'aws.sts.endpoint',
      'sink.batch.max-size', 'sink.requests.max-inflight', 'sink.requests.max-buffered',
      'sink.flush-buffer.timeout', 'sink.fail-on-error', 'sink.ignore-nulls', 'sink.max-retries',
      'sink.http-client.max-concurrency', 'sink.http-client.read-timeout', 'aws.region']) AS option
    UNION ALL SELECT 'mapping', unnest(ARRAY['aws.credentials.basic.accesskeyid', 'aws.credentials.basic.secretkey',
      'aws.credentials.basic.sessiontoken', 'aws.credentials.provider'])
    UNION ALL SELECT 'table', unnest(ARRAY['connector', 'partitioned-by', 'sink.batch.max-size', 'sink.fail-on-error'])
    UNION ALL SELECT 'column', unnest(ARRAY['attribute-type', 'attribute-name'])
  LOOP
    FOR i IN 1..60 LOOP
      v := fuzz_value(i);
      BEGIN
        CASE r.object
          WHEN 'server' THEN
            EXECUTE format('CREATE SERVER fz FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" %L, %I %L)', 'us-east-1', r.option, v);
          WHEN 'mapping' THEN
            EXECUTE format('CREATE USER MAPPING FOR PUBLIC SERVER bad OPTIONS (%I %L)', r.option, v);
          WHEN 'table' THEN
            EXECUTE format('CREATE FOREIGN TABLE fz (id int) SERVER bad OPTIONS ("table-name" %L, %I %L)', 'tbl', r.option, v);
          ELSE
            EXECUTE format('CREATE FOREIGN TABLE fz (id int OPTIONS (%I %L)) SERVER bad OPTIONS ("table-name" %L)', r.option, v, 'tbl');
        END CASE;
        st := 'accepted';
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
      END;
      INSERT INTO fuzz_outcome VALUES (r.object, r.option, st);
      DROP SERVER IF EXISTS fz CASCADE;
      DROP USER MAPPING IF EXISTS FOR PUBLIC SERVER bad;
      DROP FOREIGN TABLE IF EXISTS fz;
    END LOOP;
  END LOOP;
END $$;
RESET client_min_messages;
-- every outcome: accepted, or an error of the expected classes
SELECT count(*) AS values_tried,
       count(*) FILTER (WHERE sqlstate = 'accepted') > 0 AS some_accepted,
       count(*) FILTER (WHERE sqlstate <> 'accepted') > 0 AS some_refused
FROM fuzz_outcome;
SELECT object, option, sqlstate, count(*) FROM fuzz_outcome
WHERE sqlstate NOT IN ('accepted', '22023', 'HV00D', 'HV00J', '0A000', '42501', '42710')
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
DROP FUNCTION fuzz_value(int);

-- nothing reached the table; the writer wrote nothing (requests were DescribeTable only)
:ddb count bad_t
SELECT items_written, flushes FROM ddb_fdw_stats();
-- and the backend still writes
INSERT INTO bad_ft (id, sk) VALUES (1, 'after all that');
:ddb dump bad_t

DROP SERVER bad CASCADE;
DROP ROLE bad_user;
