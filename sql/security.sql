-- What a role that is not a superuser can make the backend do (README,
-- Security model; issue 12 items 4, 6 and 7).  sec_user has USAGE on the
-- wrapper, as a DBA might grant it.  test/fixtures/secretpage.py plays an internal
-- service on 127.0.0.1 that is not DynamoDB and holds a secret.  What landed
-- is read back by test/helpers/ddb, outside PostgreSQL.
\getenv dynalite DDB_DYNALITE_URL
\getenv secret_url DDB_SECRET_URL
\set secret_json :secret_url '/json'
\set secret_typed :secret_url '/typed'
\set secret_xml :secret_url '/xml'
\set secret_doc :secret_url '/doc'
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
:ddb create-table sec_t id:N > /dev/null
:ddb create-table sec_orders id:N > /dev/null
:ddb create-table sec_stolen id:N > /dev/null

CREATE ROLE sec_user;
GRANT USAGE ON FOREIGN DATA WRAPPER ddb_fdw TO sec_user;

-- 4. Endpoints.  A non-superuser's own server may point only at AWS's own
-- DynamoDB and STS names for its region: not at the internal service, a
-- closed port, the metadata address, tricks with user info, or another region
SET ROLE sec_user;
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'secret_url');
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'http://127.0.0.1:1');
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.sts.endpoint" :'secret_url');
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'https://169.254.169.254');
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'https://dynamodb.us-east-1.amazonaws.com@127.0.0.1:28005');
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'https://dynamodb.us-east-1.amazonaws.com:28005');
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'http://dynamodb.us-east-1.amazonaws.com');
CREATE SERVER s_probe FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'https://dynamodb.us-west-2.amazonaws.com');
-- AWS's own names are fine, and the same rule holds on ALTER
CREATE SERVER s_aws FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" 'https://dynamodb.us-east-1.amazonaws.com',
           "aws.sts.endpoint" 'https://sts.amazonaws.com');
ALTER SERVER s_aws OPTIONS (SET "aws.endpoint" 'https://vpce-0a1b2c3d-4e5f.dynamodb.us-east-1.vpce.amazonaws.com/');
ALTER SERVER s_aws OPTIONS (SET "aws.endpoint" :'secret_url');
ALTER SERVER s_aws OPTIONS (SET "aws.region" 'eu-west-1');
DROP SERVER s_aws;
RESET ROLE;

-- a superuser may set any endpoint; other roles use it while a superuser
-- owns the server, and not once its owner is no longer one
CREATE ROLE sec_admin SUPERUSER;
SET ROLE sec_admin;
CREATE SERVER s_granted FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite');
CREATE USER MAPPING FOR PUBLIC SERVER s_granted OPTIONS (
  "aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');
CREATE FOREIGN TABLE granted_ft (id int, v text) SERVER s_granted OPTIONS ("table-name" 'sec_t');
GRANT USAGE ON FOREIGN SERVER s_granted TO sec_user;
GRANT INSERT ON granted_ft TO sec_user;
RESET ROLE;
SET ROLE sec_user;
INSERT INTO granted_ft VALUES (1, 'granted endpoint');
RESET ROLE;
ALTER ROLE sec_admin NOSUPERUSER;
SET ROLE sec_user;
INSERT INTO granted_ft VALUES (2, 'owner demoted');
RESET ROLE;
-- the same for the STS endpoint
CREATE SERVER s_granted_sts FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.sts.endpoint" :'secret_url');
ALTER SERVER s_granted_sts OWNER TO sec_admin;
CREATE USER MAPPING FOR PUBLIC SERVER s_granted_sts OPTIONS (
  "aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');
CREATE FOREIGN TABLE granted_sts_ft (id int) SERVER s_granted_sts OPTIONS ("table-name" 'sec_t');
GRANT USAGE ON FOREIGN SERVER s_granted_sts TO sec_user;
GRANT INSERT ON granted_sts_ft TO sec_user;
SET ROLE sec_user;
INSERT INTO granted_sts_ft VALUES (2);
RESET ROLE;
SET client_min_messages = warning;
DROP SERVER s_granted_sts CASCADE;
RESET client_min_messages;
-- superusers are not bound by it
INSERT INTO granted_ft VALUES (3, 'superuser, owner demoted');
ALTER ROLE sec_admin SUPERUSER;
:ddb dump sec_t

-- Answers.  Behind a superuser's endpoint the internal service answers:
-- a non-superuser sees its HTTP status only, never the body or a message
-- field in it; a real DynamoDB error document keeps its type and message
CREATE SERVER s_text FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'secret_url');
CREATE SERVER s_json FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'secret_json');
CREATE SERVER s_typed FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'secret_typed');
CREATE SERVER s_xml FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'secret_xml');
CREATE SERVER s_doc FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'secret_doc');
CREATE SERVER s_sts FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite', "aws.sts.endpoint" :'secret_url');
DO $$
DECLARE s text;
BEGIN
  FOREACH s IN ARRAY ARRAY['text', 'json', 'typed', 'xml', 'doc', 'sts'] LOOP
    EXECUTE format('CREATE FOREIGN TABLE %I (id int) SERVER %I OPTIONS ("table-name" %L)',
                   'page_' || s, 's_' || s, 'sec_t');
    EXECUTE format('GRANT USAGE ON FOREIGN SERVER %I TO sec_user', 's_' || s);
    EXECUTE format('GRANT INSERT ON %I TO sec_user', 'page_' || s);
    IF s <> 'sts' THEN
      EXECUTE format('CREATE USER MAPPING FOR PUBLIC SERVER %I OPTIONS ('
                     '"aws.credentials.basic.accesskeyid" %L, "aws.credentials.basic.secretkey" %L)',
                     's_' || s, 'test', 'test');
    END IF;
  END LOOP;
END $$;
-- STS: an ordinary role's own ASSUME_ROLE chain
CREATE USER MAPPING FOR PUBLIC SERVER s_sts OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE',
  "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/writer',
  "aws.credentials.role.provider" 'BASIC',
  "aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');
SET ROLE sec_user;
INSERT INTO page_text VALUES (1);
INSERT INTO page_json VALUES (1);
INSERT INTO page_typed VALUES (1);
INSERT INTO page_xml VALUES (1);
INSERT INTO page_doc VALUES (1);
INSERT INTO page_sts VALUES (1);
RESET ROLE;
-- a superuser keeps every detail
INSERT INTO page_text VALUES (1);
INSERT INTO page_json VALUES (1);
INSERT INTO page_sts VALUES (1);
-- the same at COMMIT, when BatchWriteItem itself is answered so
-- (test/fixtures/faultproxy.py in front of dynalite)
\getenv proxy DDB_PROXY_URL
\set faults '\\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/script -d'
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset
CREATE SERVER s_proxy FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'proxy');
CREATE USER MAPPING FOR PUBLIC SERVER s_proxy OPTIONS (
  "aws.credentials.basic.accesskeyid" 'test', "aws.credentials.basic.secretkey" 'test');
CREATE FOREIGN TABLE proxy_ft (id int, v text) SERVER s_proxy OPTIONS ("table-name" 'sec_t');
GRANT USAGE ON FOREIGN SERVER s_proxy TO sec_user;
GRANT INSERT ON proxy_ft TO sec_user;
:faults '["page400"]'
SET ROLE sec_user;
INSERT INTO proxy_ft VALUES (6, 'answered by a page');
RESET ROLE;
:faults '["page400"]'
INSERT INTO proxy_ft VALUES (6, 'answered by a page');
\! curl -s -X POST "$DDB_PROXY_URL"/__proxy/reset
SET client_min_messages = warning;
DROP SERVER s_proxy CASCADE;
RESET client_min_messages;

-- 7. ASSUME_ROLE's source defaults to AUTO, the server's identity unless the
-- user mapping has keys: a non-superuser must name the source
SET ROLE sec_user;
CREATE SERVER s_role FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.credentials.provider" 'ASSUME_ROLE',
           "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/writer');
CREATE SERVER s_role FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.credentials.provider" 'ASSUME_ROLE',
           "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/writer',
           "aws.credentials.role.provider" 'BASIC');
CREATE USER MAPPING FOR sec_user SERVER s_role OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE', "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/writer');
-- nested: the inner role's source is the one left to AUTO
CREATE USER MAPPING FOR sec_user SERVER s_role OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE', "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/writer',
  "aws.credentials.role.provider" 'ASSUME_ROLE',
  "aws.credentials.role.provider.role.arn" 'arn:aws:iam::123456789012:role/hop');
-- with the keys in the same mapping the source is BASIC: accepted, but not
-- once the keys are dropped
CREATE USER MAPPING FOR sec_user SERVER s_role OPTIONS (
  "aws.credentials.provider" 'ASSUME_ROLE', "aws.credentials.role.arn" 'arn:aws:iam::123456789012:role/writer',
  "aws.credentials.basic.accesskeyid" 'k', "aws.credentials.basic.secretkey" 's');
ALTER USER MAPPING FOR sec_user SERVER s_role OPTIONS (
  DROP "aws.credentials.basic.accesskeyid", DROP "aws.credentials.basic.secretkey");
DROP USER MAPPING FOR sec_user SERVER s_role;
DROP SERVER s_role;
RESET ROLE;

-- 6. search_path.  app.orders forwards to ddb.orders_ddb; a role allowed to
-- insert into app.orders puts a foreign table of its own first in its
-- search_path, on a server it may use, writing to another DynamoDB table
CREATE SCHEMA app;
CREATE SCHEMA ddb;
CREATE SCHEMA mine AUTHORIZATION sec_user;
CREATE FOREIGN TABLE ddb.orders_ddb (id int, v text) SERVER s_granted OPTIONS ("table-name" 'sec_orders');
CREATE TABLE app.orders (id int PRIMARY KEY, v text);
CREATE TABLE app.orders_q (id int PRIMARY KEY, v text);
CREATE TRIGGER fwd AFTER INSERT OR UPDATE OR DELETE ON app.orders
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('orders_ddb');
CREATE TRIGGER fwd AFTER INSERT OR UPDATE OR DELETE ON app.orders_q
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('ddb.orders_ddb');
GRANT USAGE ON SCHEMA app, ddb TO sec_user;
GRANT INSERT ON app.orders, app.orders_q, ddb.orders_ddb TO sec_user;
SET ROLE sec_user;
SET search_path = mine, ddb;
CREATE FOREIGN TABLE mine.orders_ddb (id int, v text) SERVER s_granted OPTIONS ("table-name" 'sec_stolen');
-- an unqualified name means app's table only: there is none, so it fails
INSERT INTO app.orders VALUES (1, 'unqualified target');
-- a qualified one goes where it says
INSERT INTO app.orders_q VALUES (2, 'qualified target');
RESET search_path;
RESET ROLE;
:ddb dump sec_orders
:ddb count sec_stolen

-- the CUSTOM function: looked up in pg_catalog and the foreign table's
-- schema, never first in the search_path of whoever writes (here a
-- superuser, whose rights the function would run with)
CREATE FUNCTION public.sec_creds(regclass) RETURNS json LANGUAGE sql
  AS $$ SELECT '{"AccessKeyId": "test", "SecretAccessKey": "test"}'::json $$;
SET ROLE sec_user;
CREATE FUNCTION mine.sec_creds(regclass) RETURNS json LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'mine.sec_creds runs as %', current_user;
  RETURN '{"AccessKeyId": "stolen", "SecretAccessKey": "stolen"}'::json;
END $$;
RESET ROLE;
CREATE SERVER s_custom FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'dynalite',
           "aws.credentials.provider" 'CUSTOM', "aws.credentials.custom.function" 'sec_creds');
CREATE FOREIGN TABLE public.custom_ft (id int, v text) SERVER s_custom OPTIONS ("table-name" 'sec_t');
SET search_path = mine, public;
INSERT INTO custom_ft VALUES (4, 'custom function of the table''s schema');
RESET search_path;
-- an unqualified name found in neither place fails, with a hint to qualify
ALTER SERVER s_custom OPTIONS (SET "aws.credentials.custom.function" 'no_such_creds');
INSERT INTO custom_ft VALUES (5, 'no such function');
-- a qualified name is taken as written
ALTER SERVER s_custom OPTIONS (SET "aws.credentials.custom.function" 'public.sec_creds');
INSERT INTO custom_ft VALUES (5, 'qualified custom function');
:ddb dump sec_t

SET client_min_messages = warning;
DROP SERVER s_custom CASCADE;
DROP FUNCTION public.sec_creds(regclass);
DROP SCHEMA app CASCADE;
DROP SCHEMA ddb CASCADE;
DROP SCHEMA mine CASCADE;
DROP SERVER s_text, s_json, s_typed, s_xml, s_doc, s_sts, s_granted CASCADE;
REVOKE ALL ON FOREIGN DATA WRAPPER ddb_fdw FROM sec_user;
DROP ROLE sec_user;
DROP ROLE sec_admin;
RESET client_min_messages;
