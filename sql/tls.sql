-- TLS: test/fixtures/servers.sh runs nginx with a self-signed certificate in front
-- of dynalite.  By default certificates are verified against the system CA
-- store; a superuser may turn that off for tests, and is warned.
\getenv tls DDB_TLS_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
:ddb create-table tls_t id:N > /dev/null
CREATE SERVER tls FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-1', "aws.endpoint" :'tls');
CREATE FOREIGN TABLE tls_ft (id int, v text) SERVER tls OPTIONS ("table-name" 'tls_t');

-- the self-signed certificate is refused at once, not retried, nothing sent
-- (libcurl's reason in libcurl 7's words: libcurl 8 says "SSL certificate
-- OpenSSL verify result: self-signed certificate (18)")
SELECT ddb_fdw_stats_reset();
DO $$
DECLARE
  msg text; detail text; hint text; state text;
BEGIN
  INSERT INTO tls_ft VALUES (1, 'unverified');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
    hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RAISE NOTICE E'ERROR %: %\nDETAIL: %\nHINT: %', state,
    regexp_replace(msg, 'SSL certificate OpenSSL verify result: (.*) \(\d+\)$',
                   'SSL certificate problem: \1'), detail, hint;
END $$;
SELECT requests, retries FROM ddb_fdw_stats();

-- with verification off the same endpoint works, with a WARNING once per server
ALTER SERVER tls OPTIONS (ADD "aws.trust.all.certificates" 'true');
INSERT INTO tls_ft VALUES (2, 'over TLS, not verified');
INSERT INTO tls_ft VALUES (3, 'no second warning');
:ddb dump tls_t

DROP SERVER tls CASCADE;
