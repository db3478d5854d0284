-- Every failure is loud: bad values fail the statement before anything is
-- queued; DynamoDB's errors fail the COMMIT with DynamoDB's type and
-- message; the backend stays usable afterwards.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite');
:ddb create-table err_t id:N > /dev/null

-- a DynamoDB table that does not exist: found out before any row is queued
CREATE FOREIGN TABLE missing_ft (id int) SERVER ddb OPTIONS ("table-name" 'no_such_table');
\set VERBOSITY sqlstate
INSERT INTO missing_ft VALUES (1);
\set VERBOSITY default
INSERT INTO missing_ft VALUES (1);

-- the table disappears before COMMIT: COMMIT fails and says why
CREATE FOREIGN TABLE err_ft (id int, v text) SERVER ddb OPTIONS ("table-name" 'err_t');
:ddb create-table err_gone id:N > /dev/null
CREATE FOREIGN TABLE gone_ft (id int) SERVER ddb OPTIONS ("table-name" 'err_gone');
BEGIN;
INSERT INTO err_ft VALUES (1, 'not written: the transaction fails');
INSERT INTO gone_ft VALUES (1);
:ddb delete-table err_gone > /dev/null
COMMIT;
-- the COMMIT writes tables in the order the transaction first wrote them:
-- err_ft's row landed before gone_ft failed, as the CONTEXT line says
:ddb count err_t
-- the backend is healthy and the next transaction starts empty
INSERT INTO err_ft VALUES (2, 'after the failure');
:ddb dump err_t | grep 'after the failure'

-- a key of the wrong type is caught before anything is sent, from the key's type in DescribeTable
CREATE FOREIGN TABLE typed_ft (id text, v text) SERVER ddb OPTIONS ("table-name" 'err_t');
INSERT INTO typed_ft VALUES ('abc', 'wrong key type');

-- bad values fail the statement itself
INSERT INTO err_ft VALUES (NULL, 'null key');
CREATE FOREIGN TABLE nokey_ft (other int) SERVER ddb OPTIONS ("table-name" 'err_t');
INSERT INTO nokey_ft VALUES (1);
CREATE FOREIGN TABLE num_ft (id int, f float8, n numeric) SERVER ddb OPTIONS ("table-name" 'err_t');
INSERT INTO num_ft VALUES (3, 'NaN', 1);
INSERT INTO num_ft VALUES (3, '-Infinity', 1);
INSERT INTO num_ft VALUES (3, 1, 'NaN');
INSERT INTO err_ft VALUES (4, repeat('x', 400 * 1024));
:ddb count err_t

-- the endpoint is down: a transport error, without waiting for retries
CREATE SERVER ddb_down FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'http://127.0.0.1:9');
CREATE FOREIGN TABLE down_ft (id int) SERVER ddb_down OPTIONS ("table-name" 'err_t');
\set VERBOSITY sqlstate
INSERT INTO down_ft VALUES (1);
\set VERBOSITY default
DO $$
BEGIN
  INSERT INTO down_ft VALUES (1);
EXCEPTION WHEN fdw_unable_to_establish_connection THEN
  RAISE NOTICE '%: %', SQLSTATE, split_part(SQLERRM, ':', 1);
END $$;

-- credentials: a non-superuser cannot borrow the server's environment
CREATE ROLE ddb_plain;
GRANT USAGE ON FOREIGN SERVER ddb TO ddb_plain;
GRANT INSERT ON err_ft TO ddb_plain;
SET ROLE ddb_plain;
INSERT INTO err_ft VALUES (5, 'plain role, no mapping');
RESET ROLE;
-- BASIC with half of the keys
CREATE USER MAPPING FOR ddb_plain SERVER ddb
  OPTIONS ("aws.credentials.basic.accesskeyid" 'plainkey');
SET ROLE ddb_plain;
INSERT INTO err_ft VALUES (5, 'plain role, half a key');
RESET ROLE;
-- with its own keys it writes
ALTER USER MAPPING FOR ddb_plain SERVER ddb
  OPTIONS (ADD "aws.credentials.basic.secretkey" 'plainsecret');
SET ROLE ddb_plain;
INSERT INTO err_ft VALUES (5, 'plain role with its own keys');
RESET ROLE;
:ddb dump err_t | grep 'own keys'
-- ENV_VAR names the server's environment: the role may not name it itself ...
SET ROLE ddb_plain;
ALTER USER MAPPING FOR ddb_plain SERVER ddb OPTIONS (ADD "aws.credentials.provider" 'ENV_VAR');
ALTER USER MAPPING FOR ddb_plain SERVER ddb OPTIONS (ADD "aws.credentials.provider" 'AUTO');
RESET ROLE;
-- ... but a superuser may grant it in the role's mapping
ALTER USER MAPPING FOR ddb_plain SERVER ddb OPTIONS (ADD "aws.credentials.provider" 'ENV_VAR');
SET ROLE ddb_plain;
INSERT INTO err_ft VALUES (6, 'plain role, ENV_VAR granted');
RESET ROLE;
:ddb dump err_t | grep 'ENV_VAR granted'

DROP USER MAPPING FOR ddb_plain SERVER ddb;
REVOKE ALL ON err_ft FROM ddb_plain;
REVOKE ALL ON FOREIGN SERVER ddb FROM ddb_plain;
DROP ROLE ddb_plain;
DROP SERVER ddb CASCADE;
DROP SERVER ddb_down CASCADE;
