-- SigV4 against a real verifier: moto_server in auth mode checks every
-- request's signature and the IAM policy of the identity that signed it.
\getenv moto DDB_MOTO_AUTH_URL
\getenv key_id DDB_MOTO_KEY_ID
\getenv secret DDB_MOTO_SECRET
\getenv writer_key_id DDB_MOTO_WRITER_KEY_ID
\getenv writer_secret DDB_MOTO_WRITER_SECRET
-- test/helpers/ddb reads the table back with the full identity, signed by curl
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

-- SYS_PROP: superuser-only settings, hidden from other roles
ALTER USER MAPPING FOR CURRENT_USER SERVER moto
  OPTIONS (SET "aws.credentials.provider" 'SYS_PROP');
INSERT INTO signed_ft VALUES (7, 'settings not set');
SET ddb_fdw.aws_access_key_id = :'key_id';
SET ddb_fdw.aws_secret_access_key = :'secret';
INSERT INTO signed_ft VALUES (7, 'signed with settings');
:dump | grep settings
-- an ordinary role can neither see nor set the settings, nor name SYS_PROP itself
CREATE ROLE cred_user;
GRANT INSERT ON signed_ft TO cred_user;
GRANT USAGE ON FOREIGN SERVER moto TO cred_user;
SET ROLE cred_user;
-- (the SQLSTATE only: PostgreSQL 16 reworded its own message)
\set VERBOSITY sqlstate
SHOW ddb_fdw.aws_secret_access_key;
\set VERBOSITY default
SELECT count(*) FROM pg_settings WHERE name LIKE 'ddb_fdw.aws%';
SET ddb_fdw.aws_secret_access_key = 'mine';
CREATE USER MAPPING FOR cred_user SERVER moto OPTIONS ("aws.credentials.provider" 'SYS_PROP');
-- without a mapping of its own it may not fall back on the server's identity
INSERT INTO signed_ft VALUES (8, 'borrowed settings');
RESET ROLE;
-- a superuser may grant it, by naming the provider in the role's mapping
CREATE USER MAPPING FOR cred_user SERVER moto OPTIONS ("aws.credentials.provider" 'SYS_PROP');
SET ROLE cred_user;
INSERT INTO signed_ft VALUES (8, 'granted settings');
RESET ROLE;
:dump | grep granted
RESET ddb_fdw.aws_access_key_id;
RESET ddb_fdw.aws_secret_access_key;

-- PROFILE: a shared credentials file with several profiles; the file is
-- named by a superuser-only option
\! printf '[default]\naws_access_key_id = AKIAWRONG0000000000\naws_secret_access_key = wrong\n\n# the one that works\n[profile moto]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$DDB_MOTO_KEY_ID" "$DDB_MOTO_SECRET" > /tmp/ddb_fdw_regress_credentials
ALTER USER MAPPING FOR CURRENT_USER SERVER moto
  OPTIONS (SET "aws.credentials.provider" 'PROFILE');
ALTER SERVER moto OPTIONS (ADD "aws.credentials.profile.path" '/tmp/ddb_fdw_regress_credentials');
INSERT INTO signed_ft VALUES (9, 'default profile');
ALTER SERVER moto OPTIONS (ADD "aws.credentials.profile.name" 'moto');
INSERT INTO signed_ft VALUES (9, 'named profile');
ALTER SERVER moto OPTIONS (SET "aws.credentials.profile.name" 'nosuch');
INSERT INTO signed_ft VALUES (10, 'missing profile');
:dump | grep profile
-- a non-superuser can neither name a server file nor the PROFILE provider
ALTER USER MAPPING FOR cred_user SERVER moto OPTIONS (DROP "aws.credentials.provider");
SET ROLE cred_user;
ALTER USER MAPPING FOR cred_user SERVER moto OPTIONS (ADD "aws.credentials.profile.path" '/etc/passwd');
ALTER USER MAPPING FOR cred_user SERVER moto OPTIONS (ADD "aws.credentials.provider" 'PROFILE');
RESET ROLE;
\! rm -f /tmp/ddb_fdw_regress_credentials

DROP SERVER moto CASCADE;
DROP ROLE cred_user;
