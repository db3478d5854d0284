-- Option validation: every key in its catalog object, every bad value refused
-- before anything is sent.  (No DynamoDB server is contacted in this file.)

-- the extension provides the wrapper with its handler and validator
SELECT fdwname, fdwhandler::regproc, fdwvalidator::regproc
  FROM pg_foreign_data_wrapper WHERE fdwname = 'ddb_fdw';

-- the seed's example, translated
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" 'http://127.0.0.1:8000');
CREATE FOREIGN TABLE DynamoDbTable (
  user_id bigint, item_id bigint, category_id bigint, behavior text
) SERVER ddb OPTIONS ("table-name" 'user_behavior');
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'dynamodbtable'::regclass;

-- the wrapper itself takes no options
ALTER FOREIGN DATA WRAPPER ddb_fdw OPTIONS (ADD "aws.region" 'us-east-1');

-- server: required region, unknown keys, misplaced keys, bad values
CREATE SERVER s_noregion FOREIGN DATA WRAPPER ddb_fdw;
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', region 'x');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "table-name" 't');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'US East');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'ftp://x');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.trust.all.certificates" 'maybe');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.credentials.provider" 'MAGIC');
-- the connector's Java class cannot be loaded; roles nest three deep at most
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.credentials.custom.class" 'x.Y');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.credentials.role.provider.role.provider.role.provider" 'ASSUME_ROLE');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.sts.endpoint" 'sts.example');
-- secrets never go into server or table options, which every role can read
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.credentials.basic.secretkey" 'x');
CREATE SERVER s_bad FOREIGN DATA WRAPPER ddb_fdw OPTIONS ("aws.region" 'us-east-1', "aws.credentials.basic.accesskeyid" 'x');

-- every sink.* key: accepted on the server, range-checked
CREATE SERVER s_sink FOREIGN DATA WRAPPER ddb_fdw OPTIONS (
  "aws.region" 'eu-west-1',
  "aws.trust.all.certificates" 'false',
  "aws.credentials.provider" 'auto',
  "aws.credentials.profile.name" 'default',
  "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/writer',
  "aws.credentials.role.sessionName" 's',
  "aws.credentials.role.externalId" 'e',
  "aws.credentials.role.provider" 'BASIC',
  "aws.credentials.role.provider.role.arn" 'arn:aws:iam::123456789012:role/source',
  "aws.credentials.role.provider.role.provider" 'BASIC',
  "aws.credentials.webIdentityToken.file" '/var/run/token',
  "aws.credentials.custom.function" 'public.my_creds',
  "aws.sts.endpoint" 'https://sts.eu-west-1.amazonaws.com',
  "sink.batch.max-size" '25',
  "sink.requests.max-inflight" '50',
  "sink.requests.max-buffered" '10000',
  "sink.flush-buffer.timeout" '5000',
  "sink.fail-on-error" 'false',
  "sink.ignore-nulls" 'off',
  "sink.max-retries" '10',
  "sink.http-client.max-concurrency" '10000',
  "sink.http-client.read-timeout" '360000');
ALTER SERVER s_sink OPTIONS (SET "sink.batch.max-size" '26');
ALTER SERVER s_sink OPTIONS (SET "sink.batch.max-size" '0');
ALTER SERVER s_sink OPTIONS (SET "sink.batch.max-size" 'ten');
ALTER SERVER s_sink OPTIONS (SET "sink.batch.max-size" '2.5');
ALTER SERVER s_sink OPTIONS (SET "sink.batch.max-size" '99999999999');
ALTER SERVER s_sink OPTIONS (SET "sink.requests.max-buffered" '-1');
ALTER SERVER s_sink OPTIONS (SET "sink.flush-buffer.timeout" '-5');
ALTER SERVER s_sink OPTIONS (SET "sink.fail-on-error" 'yes please');
ALTER SERVER s_sink OPTIONS (SET "sink.http-client.read-timeout" '0');
-- dropping the region would leave the server unusable
ALTER SERVER s_sink OPTIONS (DROP "aws.region");
ALTER SERVER s_sink OPTIONS (SET "sink.batch.max-size" '10');
SELECT unnest(srvoptions) FROM pg_foreign_server WHERE srvname = 's_sink';

-- user mapping: credentials live here, and only here
CREATE USER MAPPING FOR CURRENT_USER SERVER s_sink OPTIONS (
  "aws.credentials.provider" 'BASIC',
  "aws.credentials.basic.accesskeyid" 'AKIDEXAMPLE',
  "aws.credentials.basic.secretkey" 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  "aws.credentials.basic.sessiontoken" 'token');
CREATE USER MAPPING FOR PUBLIC SERVER s_sink OPTIONS ("aws.region" 'us-east-1');
CREATE USER MAPPING FOR PUBLIC SERVER s_sink OPTIONS ("sink.batch.max-size" '5');
CREATE USER MAPPING FOR PUBLIC SERVER s_sink OPTIONS ("aws.credentials.provider" 'BASIC', "aws.credentials.basic.secretkey" '');

-- foreign table: required table-name, connector, partitioned-by, sink overrides
CREATE FOREIGN TABLE ft_bad (id int) SERVER s_sink;
CREATE FOREIGN TABLE ft_bad (id int) SERVER s_sink OPTIONS ("table-name" 'tbl', connector 'kinesis');
CREATE FOREIGN TABLE ft_bad (id int) SERVER s_sink OPTIONS ("table-name" 'tbl', "aws.region" 'us-east-1');
CREATE FOREIGN TABLE ft_bad (id int) SERVER s_sink OPTIONS ("table-name" 'tbl', "aws.credentials.basic.secretkey" 'x');
CREATE FOREIGN TABLE ft_bad (id int) SERVER s_sink OPTIONS ("table-name" 'tbl', "partitioned-by" 'id,,x');
CREATE FOREIGN TABLE ft_bad (id int) SERVER s_sink OPTIONS ("table-name" '');
CREATE FOREIGN TABLE ft_bad (id int) SERVER s_sink OPTIONS ("table-name" 'tbl', "sink.batch.max-size" '100');
CREATE FOREIGN TABLE ft_ok (id int, v text OPTIONS ("attribute-name" 'value'))
  SERVER s_sink OPTIONS (connector 'dynamodb', "table-name" 'tbl', "partitioned-by" ' id ',
                         "sink.batch.max-size" '1', "sink.ignore-nulls" 'true');
ALTER FOREIGN TABLE ft_ok OPTIONS (DROP "table-name");
ALTER FOREIGN TABLE ft_ok ALTER COLUMN v OPTIONS (SET "attribute-name" 'val');
ALTER FOREIGN TABLE ft_ok ALTER COLUMN v OPTIONS (ADD "table-name" 'x');
SELECT attname, attfdwoptions FROM pg_attribute
  WHERE attrelid = 'ft_ok'::regclass AND attnum > 0 ORDER BY attnum;

-- EXPLAIN shows the sink only under VERBOSE, and never a secret
EXPLAIN (COSTS OFF) INSERT INTO ft_ok VALUES (1, 'a');
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO ft_ok VALUES (1, 'a');

-- options naming server files are for superusers only
CREATE ROLE ddb_options_user;
GRANT USAGE ON FOREIGN DATA WRAPPER ddb_fdw TO ddb_options_user;
SET ROLE ddb_options_user;
CREATE SERVER s_user FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.credentials.profile.path" '/etc/passwd');
CREATE SERVER s_user FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.trust.all.certificates" 'true');
CREATE SERVER s_user FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.trust.all.certificates" 'false');
RESET ROLE;

DROP SERVER s_user;
DROP SERVER s_sink CASCADE;
DROP SERVER ddb CASCADE;
REVOKE USAGE ON FOREIGN DATA WRAPPER ddb_fdw FROM ddb_options_user;
DROP ROLE ddb_options_user;
