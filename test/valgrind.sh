#!/usr/bin/env bash
# make valgrindcheck: the pg_regress suite with every PostgreSQL backend under
# valgrind memcheck; fails on any memcheck error (invalid read or write, use of
# an uninitialised value, invalid free, overlapping copy, bad syscall
# argument) and on a definite leak whose allocation stack passes through
# ddb_fdw.so.  PostgreSQL itself does not free its memory at exit, by design,
# so leaks outside our library are listed, not counted.
#
#   bash test/valgrind.sh            the whole run: test/run.sh with DDB_VALGRIND=1
#                                    and the regress tests below
#   test/valgrind.sh bindir DIR      (test/run.sh) make DIR/bin, a --bindir for
#                                    pg_regress whose postgres runs under valgrind
#   test/valgrind.sh report DIR      (test/run.sh) sum up DIR/logs; non-zero on errors
#
# The postmaster is started under valgrind; every backend and auxiliary
# process is a fork of it (no exec on Linux), so valgrind follows each one and
# writes its log to DIR/logs/<pid>.log.  initdb (bootstrap and single-user
# mode) runs the real binaries, unchecked: it is PostgreSQL's code, not ours,
# and takes minutes under valgrind.
#
# Environment: DDB_REGRESS overrides the test list; DDB_VALGRIND_OPTS adds
# valgrind options (e.g. --track-origins=yes to find where an uninitialised
# value came from).  The rest (DDB_SKIP_BUILD, DDB_OUT_DIR, ports) is
# test/run.sh's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# Left out of the valgrind run (they still run in test/run.sh):
#   soak  10,000 commits: under valgrind each one takes about 0.1 s (more
#         than 15 minutes in all), and its RSS check would measure valgrind's
#         own shadow memory.  Its one-row commit loop runs in xact and forward.
valgrind_excluded="soak"

make_bindir() {  # DIR
  local dir=$1 real vg_opts
  real=$(pg_config --bindir)
  mkdir -p "$dir/bin" "$dir/logs"
  # pg_regress runs DIR/bin/{initdb,psql,pg_ctl} and starts DIR/bin/postgres
  # itself.  Symbolic links: PostgreSQL programs resolve them to find their
  # siblings, so initdb runs the real postgres for bootstrap.
  for prog in initdb psql pg_ctl; do ln -sfn "$real/$prog" "$dir/bin/$prog"; done
  vg_opts="--tool=memcheck --error-limit=no --num-callers=40 \
--leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=none \
--suppressions=$here/valgrind.supp --gen-suppressions=all \
--log-file=$dir/logs/%p.log ${DDB_VALGRIND_OPTS:-}"
  cat >"$dir/bin/postgres" <<EOF
#!/bin/sh
# written by test/valgrind.sh: postgres under valgrind memcheck; the real
# binary by its absolute path, so it finds its share and lib directories.
case " \$* " in
  *" --boot "*|*" --single "*|*" -V "*|*" --version "*|*" -C "*|*" --describe-config "*)
    exec "$real/postgres" "\$@" ;;
esac
exec valgrind $vg_opts "$real/postgres" "\$@"
EOF
  chmod 755 "$dir/bin/postgres"
  chown -R postgres: "$dir" 2>/dev/null || true
  echo "$dir/bin"
}

report() {  # DIR
  local dir=$1 logs f pid i n=0 errors=0 unfinished=0 e ours other
  logs=$dir/logs
  shopt -s nullglob
  # pg_ctl stop returns before the last processes have written their leak
  # summaries: wait for every process that has a log to be gone
  for f in "$logs"/*.log; do
    pid=$(basename "$f" .log)
    for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  done
  # the postmaster: the one process whose parent is not checked
  local postmaster="" parent execd=0
  for f in "$logs"/*.log; do
    parent=$(sed -n 's/^==[0-9]*== Parent PID: \([0-9]*\)$/\1/p' "$f" | head -1)
    [ -f "$logs/$parent.log" ] || postmaster=$(basename "$f" .log)
  done
  for f in "$logs"/*.log; do
    if ! grep -q 'ERROR SUMMARY:' "$f"; then
      parent=$(sed -n 's/^==[0-9]*== Parent PID: \([0-9]*\)$/\1/p' "$f" | head -1)
      if [ -f "$logs/$parent.log" ] && [ "$parent" != "$postmaster" ]; then
        # forked by a backend, then exec'd a program (popen of the
        # credential_process command): valgrind does not follow the exec
        execd=$((execd + 1))
        continue
      fi
      # a postmaster child without a summary: killed by SIGKILL, or hung
      n=$((n + 1)); unfinished=$((unfinished + 1))
      echo "valgrind: $f: no ERROR SUMMARY (the process was killed or is still running)"
      continue
    fi
    n=$((n + 1))
    e=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' "$f" | tail -1)
    errors=$((errors + ${e:-0}))
  done
  # every error once, with the processes it was seen in (the logs have the
  # full reports and a suppression skeleton for each)
  awk 'FNR == 1 {pid = FILENAME; sub(/.*\//, "", pid); sub(/\.log$/, "", pid)}
       /^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination|Argument|Jump to|Process terminating)/ {p = 1; b = ""}
       p && /^==[0-9]+== $/ {p = 0; if (!(b in seen)) order[++k] = b; seen[b] = seen[b] " " pid; next}
       p {l = $0; sub(/^==[0-9]+== /, "", l); gsub(/0x[0-9A-Fa-f]+/, "0x.", l); b = b "    " l "\n"}
       END {for (i = 1; i <= k; i++) printf "valgrind: error in process(es)%s:\n%s", seen[order[i]], order[i]}' \
      "$logs"/*.log
  # definite leaks allocated through our library count as errors; others
  # (PostgreSQL's and the libraries' own) are only counted
  ours=$(awk '/definitely lost in loss record/ {p = 1; ours = 0; b = $0 "\n"; next}
              p && /^==[0-9]+== $/ {p = 0; if (ours) {printf "%s", b; n++}; next}
              p {b = b $0 "\n"; if ($0 ~ /ddb_fdw\.so|\((ddb|aws)_[a-z_]+\.c:/) ours = 1}
              END {exit n > 0 ? 0 : 1}' "$logs"/*.log || true)
  other=$(cat "$logs"/*.log 2>/dev/null | grep -c 'definitely lost in loss record' || true)
  if [ -n "$ours" ]; then
    echo "valgrind: definite leaks through ddb_fdw.so:"
    echo "$ours" | sed 's/^==[0-9]*== /    /'
  fi
  local n_ours
  n_ours=$(printf '%s' "$ours" | grep -c 'definitely lost' || true)
  echo "valgrind: $n processes checked (logs in $logs): $errors error(s)," \
       "$n_ours definite leak(s) through ddb_fdw.so ($other unsuppressed definite leak(s) in all)," \
       "$unfinished without a summary;" \
       "$execd program(s) run by backends (popen) not followed"
  [ "$n" -gt 0 ] && [ "$errors" -eq 0 ] && [ "$n_ours" -eq 0 ] && [ "$unfinished" -eq 0 ]
}

case "${1:-}" in
  bindir) make_bindir "$2" ;;
  report) report "$2" ;;
  "")
    if ! command -v valgrind >/dev/null 2>&1; then
      echo "valgrind.sh: installing valgrind"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
    fi
    if [ -z "${DDB_REGRESS:-}" ]; then
      DDB_REGRESS=$(for t in $(make -s -C "$root" print-regress); do
                      case " $valgrind_excluded " in *" $t "*) ;; *) echo "$t" ;; esac
                    done | xargs)
    fi
    # pg_regress only: the shell tests (logical, concurrency, ...) start
    # instances of their own, outside valgrind
    export DDB_VALGRIND=1 DDB_REGRESS DDB_SHELL_TESTS=""
    exec bash "$here/run.sh" ;;
  *) echo "usage: $0 [bindir DIR | report DIR]" >&2; exit 2 ;;
esac
