#!/usr/bin/env bash
# Installs what building and testing ddb_fdw needs on a fresh Debian 12
# machine (run as root): PostgreSQL 15 server + headers, libcurl, json-c,
# OpenSSL, jq and curl from Debian; dynalite from npm (into test/.dynalite).
# Does nothing that is already done, so it is cheap to call every time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# python3-boto3: the types test compares items with boto3's TypeSerializer
# (as the postgres OS user, which cannot see the image's own Python)
# nginx: the TLS endpoint of the tests (and the benchmark's sinks); openssl makes its certificate
packages=(postgresql-15 postgresql-server-dev-15 libcurl4-openssl-dev libjson-c-dev
          libssl-dev jq curl make gcc python3-boto3 nginx openssl
          clang libclang-rt-14-dev)   # libFuzzer for test/fuzz
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# the machine image ships Node.js and npm (not Debian's, which would conflict)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages ${missing[*]}; run as root" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # keep packages (nginx) from starting system services on this machine
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1; fi
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  if [ -n "$made_policy" ]; then rm -f "$policy"; fi
fi

if [ ! -x "$here/.dynalite/node_modules/.bin/dynalite" ]; then
  echo "install-deps: installing dynalite from npm"
  npm install --silent --no-audit --no-fund --prefix "$here/.dynalite" dynalite@4 >/dev/null
fi

command -v moto_server >/dev/null 2>&1 || [ -x /root/.pyenv/shims/moto_server ] || {
  echo "install-deps: moto_server not found (it ships with this machine image's Python)" >&2
  exit 1
}
