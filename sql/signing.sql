-- SigV4 against a real verifier: moto_server in auth mode checks every
-- request's signature and the IAM policy of the identity that signed it.
\getenv moto DDB_MOTO_AUTH_URL
\getenv key_id DDB_MOTO_KEY_ID
\getenv secret DDB_MOTO_SECRET
\getenv writer_key_id DDB_MOTO_WRITER_KEY_ID
\getenv writer_secret DDB_MOTO_WRITER_SECRET
-- test/ddb reads the table back with the full identity, signed by curl
\set dump '\\! AWS_ACCESS_KEY_ID="$DDB_MOTO_KEY_ID" AWS_SECRET_ACCESS_KEY="$DDB_MOTO_SECRET" "$DDB_TEST"/ddb --endpoint "$DDB_MOTO_AUTH_URL" dump signed'

CREATE SERVER moto FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'moto');
CREATE FOREIGN TABLE signed_ft (id int, v text) SERVER moto OPTIONS ("table-name" 'signed');

-- the right keys: signed requests are accepted
CREATE USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  "aws.credentials.provider" 'BASIC',
  "aws.credentials.basic.accesskeyid" :'key_id',
  "aws.credentials.basic.secretkey" :'secret');
INSERT INTO signed_ft VALUES (1, 'signed by ddb_fdw'), (2, 'also signed');
:dump

-- a wrong secret: moto recomputes the signature and refuses it; the secret
-- appears nowhere in the error
ALTER USER MAPPING FOR CURRENT_USER SERVER moto
  OPTIONS (SET "aws.credentials.basic.secretkey" 'not-the-secret');
INSERT INTO signed_ft VALUES (3, 'wrong secret');

-- an access key moto does not know
ALTER USER MAPPING FOR CURRENT_USER SERVER moto
  OPTIONS (SET "aws.credentials.basic.accesskeyid" 'AKIAUNKNOWNKEY000000');
INSERT INTO signed_ft VALUES (4, 'unknown key');

-- an identity allowed only dynamodb:BatchWriteItem: DescribeTable is denied,
-- ddb_fdw writes without learning the key, and the rows land (a new
-- backend, which has not learned the key schema yet)
\c -
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  SET "aws.credentials.basic.accesskeyid" :'writer_key_id',
  SET "aws.credentials.basic.secretkey" :'writer_secret');
SET client_min_messages = debug1;
INSERT INTO signed_ft VALUES (5, 'batch-write-only identity');
RESET client_min_messages;
:dump

-- ENV_VAR signs with the server process's environment, whose key (test)
-- moto does not know
ALTER USER MAPPING FOR CURRENT_USER SERVER moto
  OPTIONS (SET "aws.credentials.provider" 'ENV_VAR');
INSERT INTO signed_ft VALUES (6, 'environment credentials');
:dump

DROP SERVER moto CASCADE;
