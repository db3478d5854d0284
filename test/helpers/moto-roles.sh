#!/usr/bin/env bash
# IAM roles on the signature-checking moto_server for the credentials tests,
# created with an administrator identity (made by test/helpers/moto-iam.sh):
#   ddb-assumer       a user allowed nothing but sts:AssumeRole: writing with its
#                     own keys fails, so a write that lands went through a role
#   ddb-hop           a role allowed only sts:AssumeRole (the middle of a chain)
#   ddb-roles-writer  a role allowed BatchWriteItem and DescribeTable only
# Prints `export` lines: DDB_ASSUMER_KEY_ID, DDB_ASSUMER_SECRET,
# DDB_ROLE_HOP_ARN, DDB_ROLE_WRITER_ARN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
admin_policy=$(mktemp)
trap 'rm -f "$admin_policy"' EXIT
echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' >"$admin_policy"
eval "$("$here/moto-iam.sh" ddb-admin "$admin_policy")"

iam() { moto_iam "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$@"; }  # as the administrator

trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
assume_only='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
# moto matches DynamoDB actions but not table ARNs: the policy names actions only
write_roles='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:BatchWriteItem","dynamodb:DescribeTable"],"Resource":"*"}]}'

iam Action=CreateUser UserName=ddb-assumer >/dev/null
keys=$(iam Action=CreateAccessKey UserName=ddb-assumer)
iam Action=PutUserPolicy UserName=ddb-assumer PolicyName=assume "PolicyDocument=$assume_only" >/dev/null
hop=$(iam Action=CreateRole RoleName=ddb-hop "AssumeRolePolicyDocument=$trust" | xml_text Arn)
iam Action=PutRolePolicy RoleName=ddb-hop PolicyName=assume "PolicyDocument=$assume_only" >/dev/null
writer=$(iam Action=CreateRole RoleName=ddb-roles-writer "AssumeRolePolicyDocument=$trust" | xml_text Arn)
iam Action=PutRolePolicy RoleName=ddb-roles-writer PolicyName=write "PolicyDocument=$write_roles" >/dev/null
id=$(xml_text AccessKeyId <<<"$keys")
secret=$(xml_text SecretAccessKey <<<"$keys")
[ -n "$id" ] && [ -n "$secret" ] && [ -n "$hop" ] && [ -n "$writer" ] || { echo "moto-roles: set-up incomplete" >&2; exit 1; }
printf 'export DDB_ASSUMER_KEY_ID=%q DDB_ASSUMER_SECRET=%q DDB_ROLE_HOP_ARN=%q DDB_ROLE_WRITER_ARN=%q\n' \
  "$id" "$secret" "$hop" "$writer"
