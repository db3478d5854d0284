-- 10,000 transactions in one backend (a procedure that commits after every
-- row): every row lands, one request per commit over the same pooled
-- connection, and the backend neither grows nor leaks sockets.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table soak_t id:N > /dev/null
CREATE FOREIGN TABLE soak_ft (id int, v text) SERVER ddb OPTIONS ("table-name" 'soak_t');
CREATE PROCEDURE soak(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    INSERT INTO soak_ft VALUES (i, 'transaction ' || i);
    COMMIT;
  END LOOP;
END $$;
CREATE TEMP TABLE probe (at text, rss_kb bigint);
CREATE FUNCTION probe(label text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO probe SELECT label,
    (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1]::bigint $$;

-- warm up (connections, key schema, caches), then 10,000 commits
CALL soak(100);
SELECT pg_backend_pid() AS pid \gset
\setenv PID :pid
\! ls -l /proc/$PID/fd | grep -c 'socket:' > "$DDB_OUT_DIR"/soak_sockets
SELECT probe('before');
CALL soak(10000);
SELECT probe('after');
-- the backend's sockets (client connection, pooled DynamoDB connections) are the same ones
\! echo "new sockets: $(( $(ls -l /proc/$PID/fd | grep -c 'socket:') - $(cat "$DDB_OUT_DIR"/soak_sockets) ))"
SELECT a.rss_kb - b.rss_kb < 8192 AS rss_growth_under_8mb
FROM probe b, probe a WHERE b.at = 'before' AND a.at = 'after';
SELECT requests >= 10000 AS one_request_per_commit, retries FROM ddb_fdw_stats();
:ddb count soak_t

DROP PROCEDURE soak(int);
DROP FUNCTION probe(text);
DROP SERVER ddb CASCADE;
