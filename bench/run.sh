#!/usr/bin/env bash
# The ddb_fdw benchmark, one command:  bash bench/run.sh [--quick]
# Installs what it needs (nginx with the echo module, besides the test
# dependencies), builds ddb_fdw, starts a throwaway PostgreSQL, dynalite and
# the nginx sinks of bench/nginx.conf.in on 127.0.0.1, runs bench/bench.py
# and prints its tables, then bench/callgrind.sh's instructions per row:
# every figure of README's performance section, in one run.  Stops
# everything it started on exit.  --quick: 5-10x fewer rows, for a smoke run;
# --capacity: only the provisioned-capacity comparison (test/fixtures/capacity.py);
# --guard: only version-guarded writes against batches.
# Run it inside test/isolated.sh to keep its installation of ddb_fdw private.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pgport=${BENCH_PGPORT:-54331}
null_port=${BENCH_NULL_PORT:-28010}
latency_port=${BENCH_LATENCY_PORT:-28011}
capacity_port=${BENCH_CAPACITY_PORT:-28012}
tail_port=${BENCH_TAIL_PORT:-28013}

tools/install-deps.sh
if ! dpkg-query -W -f='${Status}' nginx libnginx-mod-http-echo 2>/dev/null | grep -qv "install ok installed" &&
   [ -x /usr/sbin/nginx ] && [ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]; then :; else
  echo "bench: installing nginx and its echo module"
  # keep the package from starting a system nginx on port 80
  policy=/usr/sbin/policy-rc.d
  [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-echo >/dev/null
  [ -n "${made_policy:-}" ] && rm -f "$policy"
fi
make -s
make -s install >/dev/null

work=$(mktemp -d /tmp/ddb_fdw_bench.XXXXXX)
chmod 755 "$work"
chown postgres: "$work"
cleanup() {
  runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "${nginx_pid:-}" ] && { kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; } || true
  [ -n "${capacity_pid:-}" ] && { kill "$capacity_pid" 2>/dev/null; wait "$capacity_pid" 2>/dev/null; } || true
  test/fixtures/servers.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

for port in "$null_port" "$latency_port" "$capacity_port" "$tail_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "bench: port $port is already taken (BENCH_NULL_PORT, BENCH_LATENCY_PORT, BENCH_CAPACITY_PORT, BENCH_TAIL_PORT pick others)" >&2
    exit 1
  fi
done
# instructions per row first, while no other process competes for the
# null sink's port (callgrind.sh starts its own nginx and PostgreSQL)
case " $* " in
  *" --capacity "*|*" --guard "*) ;;
  *) BENCH_NULL_PORT=$null_port BENCH_LATENCY_PORT=$latency_port BENCH_TAIL_PORT=$tail_port \
       bash bench/callgrind.sh >"$work/callgrind.txt" ;;
esac
test/fixtures/servers.sh start >/dev/null
mkdir -p "$work/body"
sed -e "s|@RUN@|$work|g" -e "s|@NULL_PORT@|$null_port|g" -e "s|@LATENCY_PORT@|$latency_port|g" \
  -e "s|@TAIL_PORT@|$tail_port|g" bench/nginx.conf.in >"$work/nginx.conf"
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$latency_port/" && break; sleep 0.1; done
kill -0 "$nginx_pid" 2>/dev/null || { echo "bench: nginx did not start" >&2; exit 1; }
# a table provisioned at 300 WCU (1 s of burst) in front of dynalite
python3 test/fixtures/capacity.py --port "$capacity_port" --upstream-port "${DDB_DYNALITE_PORT:-28000}" \
  --wcu 300 --burst-s 1 >"$work/capacity.log" 2>&1 &
capacity_pid=$!
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$capacity_port/" && break; sleep 0.1; done

runuser -u postgres -- "$(pg_config --bindir)/initdb" -D "$work/pg" -A trust >/dev/null
runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-p $pgport -k $work -c listen_addresses='' -c shared_buffers=256MB -c jit=off \
      -c shared_preload_libraries=ddb_fdw -c ddb_fdw.pacer_slots=${BENCH_PACER_SLOTS:-64}" start >/dev/null
# jit=off: past ~5M rows the planner JIT-compiles the INSERT ... SELECT, and
# LLVM's ~50 MB of mapped library would count as the backend's RSS growth.
# Preloaded, as README recommends: backends share one pacer per table
# (BENCH_PACER_SLOTS=0: each backend paces alone, for the comparison).

echo "bench: $(nproc) cores, $(pg_config --version), $(curl --version | head -1 | cut -d' ' -f1-2)," \
  "boto3 $(python3 -c 'import boto3; print(boto3.__version__)')" >&2
BENCH_PSQL="runuser -u postgres -- psql -h $work -p $pgport -d postgres" \
BENCH_DYNALITE_URL="http://127.0.0.1:${DDB_DYNALITE_PORT:-28000}" \
BENCH_NULL_URL="http://127.0.0.1:$null_port" \
BENCH_LATENCY_URL="http://127.0.0.1:$latency_port" \
BENCH_TAIL_URL="http://127.0.0.1:$tail_port" \
BENCH_CAPACITY_URL="http://127.0.0.1:$capacity_port" \
BENCH_CSV_DIR="$work" \
  python3 bench/bench.py "$@"
if [ -f "$work/callgrind.txt" ]; then
  echo
  cat "$work/callgrind.txt"
fi
