#!/bin/sh
# A credential_process program for the credentials tests: prints the
# credential_process JSON document for the keys in DDB_MOTO_KEY_ID and
# DDB_MOTO_SECRET (the regress instance's environment).
#   credential-process.sh            valid, expiring in 2099
#   credential-process.sh fail       exits 3 with a message on stderr
#   credential-process.sh garbage    prints something that is not JSON
case "${1:-}" in
  fail) echo "credential-process: refusing on purpose" >&2; exit 3 ;;
  garbage) echo "not json"; exit 0 ;;
esac
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "2099-01-01T00:00:00Z"}\n' \
  "$DDB_MOTO_KEY_ID" "$DDB_MOTO_SECRET"
