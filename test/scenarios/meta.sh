#!/usr/bin/env bash
# The distribution's metadata: META.json valid by the PGXN Meta Spec v1
# (test/helpers/pgxn_meta.py over the spec's JSON Schema in test/helpers/pgxn-meta-v1), the
# validator able to refuse broken copies of it, and one version everywhere:
# ddb_fdw.control, META.json, CHANGELOG.md, debian/changelog, the Makefile's
# DATA and the install scripts.  Needs python3 only; no server.
set -euo pipefail
. "$(dirname "$0")/../helpers/lib.sh"
cd "$root"
validator=test/helpers/pgxn_meta.py

if out=$(python3 $validator --examples 2>&1); then ok "every example of the spec's schema validates"
else fail "the spec's own examples: $out"; fi
if out=$(python3 $validator META.json 2>&1); then ok "META.json is valid PGXN Meta Spec 1.0"
else fail "META.json: $out"; fi

# broken copies the validator must refuse, each with the reason it gives
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
refuse() {  # description python-statement-on-m expected-message-part
  python3 -c 'import json, sys
m = json.load(open("META.json"))
exec(sys.argv[1])
json.dump(m, open(sys.argv[2], "w"))' "$2" "$tmp/bad.json"
  local out
  if out=$(python3 $validator "$tmp/bad.json" 2>&1); then fail "accepted: $1"
  elif grep -qF -- "$3" <<<"$out"; then ok "refused: $1"
  else fail "refused $1, but not for \"$3\": $out"; fi
}
refuse "no license" 'del m["license"]' 'required member "license" is missing'
refuse "no provides" 'del m["provides"]' 'required member "provides" is missing'
refuse "a version that is not SemVer" 'm["version"] = "1.1"' '/version: "1.1" does not match'
refuse "an extension version that is not SemVer" 'm["provides"]["ddb_fdw"]["version"] = "1.1"' '/provides/ddb_fdw/version'
refuse "a licence name outside the list" 'm["license"] = "PostgreSQL"' '/license: must match exactly one'
refuse "a key the spec does not have" 'm["homepage"] = "https://example.org"' '/homepage: member not allowed'
refuse "meta-spec 2.0.0" 'm["meta-spec"]["version"] = "2.0.0"' '/meta-spec/version'
refuse "a file outside the distribution" 'm["provides"]["ddb_fdw"]["file"] = "../ddb_fdw.sql"' 'is not a valid path'
refuse "a tag with a slash" 'm["tags"].append("a/b")' '/tags[6]'
refuse "an unknown release status" 'm["release_status"] = "final"' '/release_status'
refuse "an empty abstract" 'm["abstract"] = ""' '/abstract: shorter than 1'
refuse "a prerequisite with a bad version range" 'm["prereqs"]["runtime"]["requires"]["PostgreSQL"] = "15"' '/prereqs/runtime/requires/PostgreSQL'

# one version everywhere
control=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" ddb_fdw.control)
meta() { python3 -c 'import json, sys; m = json.load(open("META.json")); print(eval(sys.argv[1]))' "$1"; }
semver=$control; [[ $semver =~ ^[0-9]+\.[0-9]+$ ]] && semver=$control.0
if [ "$(meta 'm["version"]')" = "$semver" ] && [ "$(meta 'm["provides"]["ddb_fdw"]["version"]')" = "$semver" ]; then
  ok "META.json's versions are the control file's $control ($semver)"
else fail "META.json's versions $(meta 'm["version"], m["provides"]["ddb_fdw"]["version"]') differ from ddb_fdw.control's $control"; fi
file=$(meta 'm["provides"]["ddb_fdw"]["file"]')
if [ "$file" = "ddb_fdw--$control.sql" ] && [ -f "$file" ] && [ -f "$(meta 'm["provides"]["ddb_fdw"]["docfile"]')" ]; then
  ok "META.json names the install script of $control and a docfile that exist"
else fail "META.json's provides file $file (want ddb_fdw--$control.sql, existing) or docfile"; fi
data=" $(make -s -f Makefile -f - print-data <<<'print-data: ; @echo $(DATA)' 2>/dev/null) "
missing=
for f in ddb_fdw--*.sql; do [[ $data == *" $f "* ]] || missing+=" $f"; done
if [ -z "$missing" ] && [[ $data == *" ddb_fdw--$control.sql "* ]]; then ok "the Makefile installs every extension script"
else fail "scripts missing from the Makefile's DATA:$missing (DATA:$data)"; fi
if grep -q "^## $control\b" CHANGELOG.md; then ok "CHANGELOG.md has an entry for $control"
else fail "CHANGELOG.md has no \"## $control\" entry"; fi
deb=$(sed -n '1s/^ddb-fdw (\([^)-]*\).*/\1/p' debian/changelog 2>/dev/null || true)
if [ "$deb" = "$control" ] || [ "$deb" = "$semver" ]; then ok "debian/changelog's newest version is $deb"
else fail "debian/changelog's newest version \"$deb\" is not $control"; fi
if grep -q "PostgreSQL Licence" LICENSE && [ "$(meta 'm["license"]')" = postgresql ] &&
   grep -q "^License: PostgreSQL" debian/copyright 2>/dev/null; then
  ok "LICENSE, META.json and debian/copyright name the PostgreSQL Licence"
else fail "LICENSE, META.json's license and debian/copyright disagree"; fi

summary
