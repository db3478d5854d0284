-- Credentials providers against real verifiers: moto_server in auth mode
-- checks every request's signature and enforces IAM policies, and its STS
-- hands out temporary credentials.  The source user and the hop role may
-- do nothing but assume roles, only the writer role may write
-- (test/helpers/moto-roles.sh), so a row that lands proves which identity signed
-- it.  What landed is read back outside PostgreSQL with test/helpers/ddb.
\getenv moto DDB_MOTO_AUTH_URL
\getenv assumer_id DDB_ASSUMER_KEY_ID
\getenv assumer_secret DDB_ASSUMER_SECRET
\getenv hop_arn DDB_ROLE_HOP_ARN
\getenv writer_arn DDB_ROLE_WRITER_ARN
\getenv key_id DDB_MOTO_KEY_ID
\getenv secret DDB_MOTO_SECRET
\getenv proxy DDB_PROXY_URL
\set dump '\\! AWS_ACCESS_KEY_ID="$DDB_MOTO_KEY_ID" AWS_SECRET_ACCESS_KEY="$DDB_MOTO_SECRET" "$DDB_TEST"/ddb --endpoint "$DDB_MOTO_AUTH_URL" dump roles'

CREATE SERVER moto FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'moto', "aws.sts.endpoint" :'moto');
CREATE FOREIGN TABLE roles_ft (id int, v text) SERVER moto OPTIONS ("table-name" 'roles');

-- the source user's own keys cannot write
CREATE USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  "aws.credentials.basic.accesskeyid" :'assumer_id',
  "aws.credentials.basic.secretkey" :'assumer_secret');
INSERT INTO roles_ft VALUES (1, 'own keys');

-- ASSUME_ROLE: the writer role's temporary credentials sign the write, and
-- the next transaction reuses them (one STS call for both)
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  ADD "aws.credentials.provider" 'ASSUME_ROLE',
  ADD "aws.credentials.role.arn" :'writer_arn',
  ADD "aws.credentials.role.sessionName" 'regress',
  ADD "aws.credentials.role.provider" 'BASIC');
SELECT ddb_fdw_stats_reset();
INSERT INTO roles_ft VALUES (2, 'assumed role');
INSERT INTO roles_ft VALUES (3, 'assumed role, cached');
SELECT credential_fetches FROM ddb_fdw_stats();
-- a role's policy is enforced: the hop role's credentials may not write
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (SET "aws.credentials.role.arn" :'hop_arn');
INSERT INTO roles_ft VALUES (3, 'hop role');
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (SET "aws.credentials.role.arn" :'writer_arn');

-- nested: the writer role, assumed as the hop role, assumed with BASIC keys
-- (two STS calls)
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  SET "aws.credentials.role.provider" 'ASSUME_ROLE',
  ADD "aws.credentials.role.provider.role.arn" :'hop_arn',
  ADD "aws.credentials.role.provider.role.provider" 'BASIC');
SELECT ddb_fdw_stats_reset();
INSERT INTO roles_ft VALUES (4, 'role of a role');
SELECT credential_fetches FROM ddb_fdw_stats();
-- a level without its role is refused before anything is sent
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (DROP "aws.credentials.role.provider.role.arn");
INSERT INTO roles_ft VALUES (5, 'no role');
-- STS's own refusal, with its error code: a source key it does not know
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  SET "aws.credentials.role.provider" 'BASIC',
  SET "aws.credentials.basic.accesskeyid" 'AKIAUNKNOWNKEY000000');
INSERT INTO roles_ft VALUES (5, 'unknown source key');
:dump

-- WEB_IDENTITY_TOKEN: STS trades the token in a file for the role's credentials
\! echo 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZWdyZXNzIn0.' > /tmp/ddb_fdw_regress_token
DROP USER MAPPING FOR CURRENT_USER SERVER moto;
CREATE USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  "aws.credentials.provider" 'WEB_IDENTITY_TOKEN',
  "aws.credentials.role.arn" :'writer_arn',
  "aws.credentials.webIdentityToken.file" '/tmp/ddb_fdw_regress_token');
-- moto's signature-checking mode cannot route an unsigned call on its own:
-- open exactly one unauthenticated action for it (test/helpers/moto-iam.sh does the same)
\! curl -s -X POST -H "Content-Type: text/plain" --data 1 "$DDB_MOTO_AUTH_URL"/moto-api/reset-auth > /dev/null
INSERT INTO roles_ft VALUES (6, 'web identity');
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  SET "aws.credentials.webIdentityToken.file" '/tmp/ddb_fdw_regress_no_token');
INSERT INTO roles_ft VALUES (7, 'token file missing');
\! rm -f /tmp/ddb_fdw_regress_token

-- PROFILE with credential_process: the program prints the credentials
\! printf '[default]\ncredential_process = %s/credential-process.sh\n[profile failing]\ncredential_process = %s/credential-process.sh fail\n[profile garbage]\ncredential_process = %s/credential-process.sh garbage\n' "$DDB_TEST" "$DDB_TEST" "$DDB_TEST" > /tmp/ddb_fdw_regress_profiles
DROP USER MAPPING FOR CURRENT_USER SERVER moto;
CREATE USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  "aws.credentials.provider" 'PROFILE',
  "aws.credentials.profile.path" '/tmp/ddb_fdw_regress_profiles');
INSERT INTO roles_ft VALUES (7, 'credential_process');
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (ADD "aws.credentials.profile.name" 'failing');
INSERT INTO roles_ft VALUES (8, 'failing process');
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (SET "aws.credentials.profile.name" 'garbage');
INSERT INTO roles_ft VALUES (8, 'garbage process');
\! rm -f /tmp/ddb_fdw_regress_profiles

-- CUSTOM: a SQL function returns the credentials document
CREATE TABLE keyring (id text, secret text);
INSERT INTO keyring VALUES (:'key_id', :'secret');
CREATE FUNCTION keyring_creds(t regclass) RETURNS jsonb LANGUAGE sql AS
  $$ SELECT jsonb_build_object('AccessKeyId', id, 'SecretAccessKey', secret) FROM keyring $$;
DROP USER MAPPING FOR CURRENT_USER SERVER moto;
CREATE USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (
  "aws.credentials.provider" 'CUSTOM',
  "aws.credentials.custom.function" 'keyring_creds');
INSERT INTO roles_ft VALUES (8, 'custom function');
-- what a function can get wrong, each a clear error
DELETE FROM keyring;
INSERT INTO roles_ft VALUES (9, 'function returns NULL');
CREATE FUNCTION half_creds(t regclass) RETURNS json LANGUAGE sql AS $$ SELECT '{"AccessKeyId": "AKIA"}'::json $$;
CREATE FUNCTION int_creds(t regclass) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (SET "aws.credentials.custom.function" 'half_creds');
INSERT INTO roles_ft VALUES (9, 'half the document');
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (SET "aws.credentials.custom.function" 'int_creds');
INSERT INTO roles_ft VALUES (9, 'wrong type');
ALTER USER MAPPING FOR CURRENT_USER SERVER moto OPTIONS (SET "aws.credentials.custom.function" 'no_such_creds');
INSERT INTO roles_ft VALUES (9, 'no such function');
:dump

-- an ordinary role: its own keys, roles and functions are fine; the
-- server's identity and files are not
CREATE ROLE prov_user;
GRANT USAGE ON FOREIGN SERVER moto TO prov_user;
GRANT INSERT ON roles_ft TO prov_user;
SET ROLE prov_user;
CREATE USER MAPPING FOR prov_user SERVER moto OPTIONS ("aws.credentials.provider" 'WEB_IDENTITY_TOKEN');
CREATE USER MAPPING FOR prov_user SERVER moto OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE', "aws.credentials.role.arn" :'writer_arn',
  "aws.credentials.role.provider" 'ENV_VAR');
CREATE USER MAPPING FOR prov_user SERVER moto OPTIONS (
  "aws.credentials.webIdentityToken.file" '/etc/passwd');
-- ASSUME_ROLE with the role's own keys, the source defaulting to AUTO = BASIC
CREATE USER MAPPING FOR prov_user SERVER moto OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE', "aws.credentials.role.arn" :'writer_arn',
  "aws.credentials.basic.accesskeyid" :'assumer_id',
  "aws.credentials.basic.secretkey" :'assumer_secret');
INSERT INTO roles_ft VALUES (10, 'ordinary role, assumed role');
-- without keys, the source would be the server's own identity: refused
-- when the role drops them ...
ALTER USER MAPPING FOR prov_user SERVER moto OPTIONS (
  DROP "aws.credentials.basic.accesskeyid", DROP "aws.credentials.basic.secretkey");
RESET ROLE;
-- ... and at use when a superuser did, as leaving the source unset grants nothing
ALTER USER MAPPING FOR prov_user SERVER moto OPTIONS (
  DROP "aws.credentials.basic.accesskeyid", DROP "aws.credentials.basic.secretkey");
SET ROLE prov_user;
INSERT INTO roles_ft VALUES (11, 'ordinary role, server identity');
RESET ROLE;
:dump

-- DynamoDB rejecting expired temporary credentials: fresh ones are fetched
-- and the request sent once more (test/fixtures/faultproxy.py answers
-- ExpiredTokenException; dynalite behind it stores the rows)
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
\set faults '\\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/script -d'
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset
:ddb delete-table --if-exists expiring > /dev/null
:ddb create-table expiring id:N > /dev/null
CREATE SERVER proxied FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'proxy', "aws.sts.endpoint" :'moto');
CREATE USER MAPPING FOR CURRENT_USER SERVER proxied OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE', "aws.credentials.role.arn" :'writer_arn',
  "aws.credentials.basic.accesskeyid" :'assumer_id',
  "aws.credentials.basic.secretkey" :'assumer_secret');
CREATE FOREIGN TABLE expiring_ft (id int, v text) SERVER proxied OPTIONS ("table-name" 'expiring');
INSERT INTO expiring_ft VALUES (1, 'before');
SELECT ddb_fdw_stats_reset();
:faults '["expired"]'
INSERT INTO expiring_ft VALUES (2, 'refreshed after expiry');
SELECT credential_fetches, retries FROM ddb_fdw_stats();
-- expired again right after a refresh: the error, not a loop
:faults '["expired","expired"]'
INSERT INTO expiring_ft VALUES (3, 'expired twice');
:ddb dump expiring
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset

DROP SERVER moto CASCADE;
DROP SERVER proxied CASCADE;
DROP TABLE keyring;
DROP FUNCTION keyring_creds(regclass), half_creds(regclass), int_creds(regclass);
DROP ROLE prov_user;
