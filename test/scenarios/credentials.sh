#!/usr/bin/env bash
# The AUTO credentials chain in a PostgreSQL server's own environment: a
# PostgreSQL instance is started with exactly the variables a scenario needs
# (env -i), test/fixtures/credserver.py plays the ECS container endpoint and EC2
# instance metadata (IMDSv2), and the credentials it hands out are real
# temporary credentials from moto's STS, so moto's signature check proves
# they were used.  Covers: container credentials, instance metadata,
# the environment first (ENV_VAR with a session token), refresh before
# expiry, web identity from AWS_WEB_IDENTITY_TOKEN_FILE /
# AWS_ROLE_ARN, the error when nothing is configured, the superuser rule,
# and that no secret reaches the server log even at log level DEBUG5.
# Needs test/fixtures/servers.sh running and test/run.sh's environment (moto roles).
# Prints ok/FAIL lines and "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
work="${DDB_OUT_DIR:-$root/test/.out}/credentials"
port=${DDB_CREDS_PORT:-54357}
cred_port=${DDB_CREDSERVER_PORT:-28015}
moto=$DDB_MOTO_AUTH_URL
psql_() { psql_on "$port" "$@"; }
moto_ddb() { AWS_ACCESS_KEY_ID=$DDB_MOTO_KEY_ID AWS_SECRET_ACCESS_KEY=$DDB_MOTO_SECRET "$DDB_TEST/ddb" --endpoint "$moto" "$@"; }
hits() { curl -s "http://127.0.0.1:$cred_port/__stats" | jq -r ".$1 // 0"; }

stop_pg() { [ -f "$work/pg/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1; }
cleanup() {
  stop_pg
  [ -n "${cred_pid:-}" ] && kill "$cred_pid" 2>/dev/null
  rm -f /tmp/ddb_fdw_creds_token
}
trap cleanup EXIT
# start_pg VAR=value...: the server's whole environment
start_pg() {
  stop_pg
  as_pg env -i PATH=/usr/bin:/bin HOME=/var/lib/postgresql LANG=C.UTF-8 "$@" \
    "$bindir/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-p $port -k $work -c listen_addresses='' -c log_min_messages=debug5" start >/dev/null
}
check() {  # name command...
  local name=$1; shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}

rm -rf "$work"
mkdir -p "$work"
chown postgres: "$work"
as_pg "$bindir/initdb" -D "$work/pg" -A trust >/dev/null || { fail "initdb"; summary; exit 1; }

# temporary credentials of the writer role, from moto's STS
answer=$(curl -s --aws-sigv4 "aws:amz:us-east-1:sts" --user "$DDB_ASSUMER_KEY_ID:$DDB_ASSUMER_SECRET" \
  --data-urlencode Action=AssumeRole --data-urlencode "RoleArn=$DDB_ROLE_WRITER_ARN" \
  --data-urlencode RoleSessionName=machine -d Version=2011-06-15 "$moto/")
secret=$(xml_text SecretAccessKey <<<"$answer")
token=$(xml_text SessionToken <<<"$answer")
jq -n --arg id "$(xml_text AccessKeyId <<<"$answer")" --arg secret "$secret" --arg token "$token" \
  '{id: $id, secret: $secret, token: $token}' >"$work/creds.json"
[ -n "$secret" ] && [ -n "$token" ] || { fail "temporary credentials from moto's STS"; summary; exit 1; }
/usr/bin/python3 "$root/test/fixtures/credserver.py" --port "$cred_port" --creds "$work/creds.json" \
  --ecs-token ecs-secret-token >"$work/credserver.log" 2>&1 &
cred_pid=$!
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$cred_port/__stats" && break; sleep 0.1; done
moto_ddb delete-table --if-exists machine >/dev/null
moto_ddb create-table machine id:N >/dev/null

setup_sql="
CREATE EXTENSION ddb_fdw;
CREATE SERVER moto FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS (\"aws.region\" 'us-east-1', \"aws.endpoint\" '$moto', \"aws.sts.endpoint\" '$moto');
CREATE USER MAPPING FOR postgres SERVER moto;
CREATE FOREIGN TABLE machine (id int, v text) SERVER moto OPTIONS (\"table-name\" 'machine');"
landed() { moto_ddb dump machine | grep -c "\"$1\"" ; }

# 0. the environment comes first in AUTO (here with a session token), and is ENV_VAR
start_pg AWS_ACCESS_KEY_ID="$(jq -r .id "$work/creds.json")" AWS_SECRET_ACCESS_KEY="$secret" \
  AWS_SESSION_TOKEN="$token" AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cred_port/ecs" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-secret-token AWS_EC2_METADATA_DISABLED=true
psql_ -c "$setup_sql" >/dev/null
psql_ -c "INSERT INTO machine VALUES (100, 'environment first')" >"$work/out0" 2>&1
psql_ -c "ALTER SERVER moto OPTIONS (ADD \"aws.credentials.provider\" 'ENV_VAR')" \
  -c "INSERT INTO machine VALUES (101, 'ENV_VAR with a session token')" \
  -c "ALTER SERVER moto OPTIONS (DROP \"aws.credentials.provider\")" >>"$work/out0" 2>&1
check "AUTO takes the environment before the container endpoint; ENV_VAR with AWS_SESSION_TOKEN" \
  [ "$(landed 'environment first')" = 1 -a "$(landed 'ENV_VAR with a session token')" = 1 -a "$(hits ecs)" = 0 ]

# 1. container credentials (ECS/EKS): fetched once, then cached
start_pg AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cred_port/ecs" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-secret-token AWS_EC2_METADATA_DISABLED=true
psql_ -c "INSERT INTO machine VALUES (1, 'container')" -c "INSERT INTO machine VALUES (2, 'container again')" \
  -c "SELECT credential_fetches FROM ddb_fdw_stats()" >"$work/out1" 2>&1
check "AUTO: container credentials sign the writes (moto checked them)" \
  [ "$(landed container)" = 1 -a "$(landed 'container again')" = 1 ]
check "container credentials fetched once for two transactions" \
  [ "$(hits ecs)" = 1 -a "$(tail -1 "$work/out1")" = 1 ]

# 2. credentials about to expire are fetched again before each use
curl -s -X POST "http://127.0.0.1:$cred_port/__config" -d '{"expires_in": 120}' >/dev/null
psql_ -c "INSERT INTO machine VALUES (3, 'expiring 1')" -c "INSERT INTO machine VALUES (4, 'expiring 2')" \
  -c "INSERT INTO machine VALUES (5, 'expiring 3')" >/dev/null 2>&1
check "credentials within 5 minutes of expiry are refreshed (3 transactions, 3 fetches)" \
  [ "$(hits ecs)" = 4 -a "$(landed 'expiring 3')" = 1 ]
curl -s -X POST "http://127.0.0.1:$cred_port/__config" -d '{"expires_in": 3600}' >/dev/null

# 3. the superuser rule: another role may not use the server's identity ...
psql_ -c "CREATE ROLE machine_user; GRANT INSERT ON machine TO machine_user;
          CREATE USER MAPPING FOR machine_user SERVER moto;" >/dev/null
out=$(psql_ -c "SET ROLE machine_user" -c "INSERT INTO machine VALUES (6, 'other role')" 2>&1)
check "another role may not use the server's identity by default" \
  grep -q "permission denied to use the database server's AWS credentials" <<<"$out"
# ... unless a superuser names the provider on the server
psql_ -c "ALTER SERVER moto OPTIONS (ADD \"aws.credentials.provider\" 'AUTO')" >/dev/null
out=$(psql_ -c "SET ROLE machine_user" -c "INSERT INTO machine VALUES (6, 'granted by superuser')" 2>&1)
check "another role may when a superuser named AUTO on the server" [ "$(landed 'granted by superuser')" = 1 ]
psql_ -c "ALTER SERVER moto OPTIONS (DROP \"aws.credentials.provider\")" >/dev/null

# 4. EC2 instance metadata with the IMDSv2 session token
start_pg AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$cred_port"
psql_ -c "INSERT INTO machine VALUES (7, 'instance')" >"$work/out4" 2>&1
check "AUTO: instance metadata (token, role, credentials) signs the write" \
  [ "$(landed instance)" = 1 -a "$(hits imds_token)" = 1 -a "$(hits imds_creds)" = 1 -a "$(hits imds_denied)" = 0 ]

# 5. web identity from the SDK variables, before the profile and the machine
echo "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWNoaW5lIn0." >/tmp/ddb_fdw_creds_token
chmod 644 /tmp/ddb_fdw_creds_token
start_pg AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/ddb_fdw_creds_token AWS_ROLE_ARN="$DDB_ROLE_WRITER_ARN" \
  AWS_ROLE_SESSION_NAME=machine AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$cred_port"
# moto's signature-checking mode cannot route the unsigned STS call: one unauthenticated action
curl -s -X POST -H "Content-Type: text/plain" --data 1 "$moto/moto-api/reset-auth" >/dev/null
psql_ -c "INSERT INTO machine VALUES (8, 'web identity')" >"$work/out5" 2>&1
check "AUTO: web identity from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN" \
  [ "$(landed 'web identity')" = 1 -a "$(hits imds_creds)" = 1 ]

# 6. nothing anywhere: one error that names every place it looked
start_pg AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
out=$(psql_ -c "INSERT INTO machine VALUES (9, 'nothing')" 2>&1)
check "AUTO with nothing configured: a clear error naming every source" \
  grep -q "environment: .*settings: .*web identity: not configured.*profile: .*container: not configured.*instance metadata: .*disabled" <<<"$out"

# no secret, token or authorization reached the server log, even at DEBUG5
# (leaving out PostgreSQL's own dump of the postmaster's environment, which
# it logs at DEBUG3 and above: README warns about it; up to 17 one line per
# variable, from 18 one multi-line message whose lines after the first carry
# no log prefix)
grep -v -P '^(\S+ \S+ \S+ \[\d+\] DEBUG:  )?\t[A-Za-z_][A-Za-z0-9_]*=' "$work/pg.log" >"$work/pg.log.filtered"
check "the log checked is a DEBUG5 log ($(grep -c DEBUG "$work/pg.log.filtered") debug lines)" \
  [ "$(grep -c DEBUG "$work/pg.log.filtered")" -gt 100 ]
check "the server log (DEBUG5) holds no secret key, session token or signature" \
  bash -c "! grep -F -e '$secret' -e '${token:0:40}' -e 'ecs-secret-token' -e 'Signature=' '$work/pg.log.filtered'"
check "server log has no crash" bash -c "! grep -q 'terminated by signal' '$work/pg.log'"
summary
