#!/usr/bin/env bash
# Copies a ddb_fdw checkout to another directory without its build products
# and test output (what .gitignore names), e.g. where the postgres OS user
# can read it (test/run.sh) or into a Debian root (test/matrix.sh).
# Uncommitted changes are copied too.  Usage: test/helpers/copy-tree.sh SRC DST
set -euo pipefail
src=$1 dst=$2
mkdir -p "$dst"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # tracked and untracked files that are not ignored; a deleted file is skipped
  (cd "$src" && git ls-files -z --cached --others --exclude-standard) |
    tar -C "$src" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$dst" -xf -
else
  tar -C "$src" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
    --exclude=./test/.out --exclude=./test/.run --exclude=./test/.dynalite --exclude=./test/.matrix \
    --exclude=./test/fuzz/.corpus --exclude=./test/fuzz/fuzz_client -cf - . | tar -C "$dst" -xf -
fi
