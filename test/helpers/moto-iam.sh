#!/usr/bin/env bash
# Creates a real signing identity on the signature-checking moto_server
# (test/fixtures/servers.sh's moto_auth) and prints `export` lines for its keys:
#   test/helpers/moto-iam.sh USERNAME POLICY_FILE|-      (- = allow dynamodb:* on *)
# It opens exactly the three unauthenticated actions it spends (moto's
# /moto-api/reset-auth), so signature checking stays on for everything else.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
endpoint="http://127.0.0.1:${DDB_MOTO_AUTH_PORT:-28002}"
[ $# -eq 2 ] || { echo "usage: $0 USERNAME POLICY_FILE|-" >&2; exit 2; }
user=$1
if [ "$2" = - ]; then
  policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}'
else
  policy=$(cat "$2")
fi

iam() { moto_iam setup:setup "$@"; }  # unauthenticated: the signature is not checked

# open exactly the three unauthenticated actions the set-up needs
curl --silent --show-error --max-time 10 -X POST -H "Content-Type: text/plain" \
  --data 3 "$endpoint/moto-api/reset-auth" >/dev/null
iam Action=CreateUser "UserName=$user" >/dev/null
keys=$(iam Action=CreateAccessKey "UserName=$user")
iam Action=PutUserPolicy "UserName=$user" PolicyName=ddb-test "PolicyDocument=$policy" >/dev/null
id=$(xml_text AccessKeyId <<<"$keys")
secret=$(xml_text SecretAccessKey <<<"$keys")
[ -n "$id" ] && [ -n "$secret" ] || { echo "moto-iam: no access key in: $keys" >&2; exit 1; }
printf 'export AWS_ACCESS_KEY_ID=%q AWS_SECRET_ACCESS_KEY=%q\n' "$id" "$secret"
