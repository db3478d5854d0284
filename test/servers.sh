#!/usr/bin/env bash
# Starts and stops the DynamoDB-compatible servers the tests talk to, on
# 127.0.0.1 only, each tracked by PID in test/.run/:
#   dynalite   in memory                          ${DDB_DYNALITE_PORT:-28000}
#   moto       no authentication                  ${DDB_MOTO_PORT:-28001}
#   moto_auth  checks SigV4 and IAM policies      ${DDB_MOTO_AUTH_PORT:-28002}
#              from the first request (test/moto-iam.sh opens set-up actions)
#   faultproxy in front of dynalite, injects faults  ${DDB_PROXY_PORT:-28003}
#              on request (test/faultproxy.py)
#   tlsproxy   nginx: HTTPS with a self-signed        ${DDB_TLS_PORT:-28004}
#              certificate, in front of dynalite
#   secretpage an internal service that is not         ${DDB_SECRET_PORT:-28005}
#              DynamoDB (test/secretpage.py)
#   motoproxy  faultproxy in front of moto            ${DDB_MOTO_PROXY_PORT:-28006}
#              (TransactWriteItems: dynalite has none)
# DDB_RUN_DIR and the DDB_*_PORT variables let a second set run beside the first.
# Usage: test/servers.sh start [NAME...]|stop|status
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run=${DDB_RUN_DIR:-$here/.run}
dynalite_port=${DDB_DYNALITE_PORT:-28000}
moto_port=${DDB_MOTO_PORT:-28001}
moto_auth_port=${DDB_MOTO_AUTH_PORT:-28002}
proxy_port=${DDB_PROXY_PORT:-28003}
tls_port=${DDB_TLS_PORT:-28004}
secret_port=${DDB_SECRET_PORT:-28005}
moto_proxy_port=${DDB_MOTO_PROXY_PORT:-28006}

moto_bin() {
  [ -z "${DDB_MOTO_SERVER:-}" ] || { echo "$DDB_MOTO_SERVER"; return 0; }
  command -v moto_server 2>/dev/null || { [ -x /root/.pyenv/shims/moto_server ] && echo /root/.pyenv/shims/moto_server; } || {
    echo "servers.sh: moto_server not found" >&2; return 1; }
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_up() {  # name port
  local i
  for i in $(seq 1 150); do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$2/"; then return 0; fi
    if ! kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "servers.sh: $1 did not come up on port $2; its log:" >&2
  tail -20 "$run/$1.log" >&2
  return 1
}

start_one() {  # name port command...
  local name=$1 port=$2; shift 2
  if [ -f "$run/$name.pid" ] && kill -0 "$(cat "$run/$name.pid")" 2>/dev/null; then
    echo "servers.sh: $name already running (pid $(cat "$run/$name.pid"))"; return 0
  fi
  if port_taken "$port"; then
    echo "servers.sh: port $port (for $name) is already taken" >&2; return 1
  fi
  "$@" >"$run/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
  wait_up "$name" "$port"
  echo "servers.sh: $name on 127.0.0.1:$port (pid $(cat "$run/$name.pid"))"
}

stop_one() {
  local name=$1 pid i
  [ -f "$run/$name.pid" ] || return 0
  pid=$(cat "$run/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$run/$name.pid"
}

# nginx terminating TLS with a fresh self-signed certificate for 127.0.0.1
start_tls() {
  local dir="$run/tls"
  mkdir -p "$dir/body"
  if [ ! -f "$dir/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 \
      -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
  fi
  cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
error_log $dir/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  client_max_body_size 32m;
  server {
    listen 127.0.0.1:$tls_port ssl;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    location / {
      proxy_pass http://127.0.0.1:$dynalite_port;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  start_one tlsproxy "$tls_port" /usr/sbin/nginx -c "$dir/nginx.conf" -p "$dir"
}

case "${1:-}" in
  start)  # start [NAME...]: all of them, or those named (the demo needs dynalite only)
    shift
    want=" ${*:-dynalite moto moto_auth faultproxy tlsproxy secretpage motoproxy} "
    wanted() { [[ $want == *" $1 "* ]]; }
    mkdir -p "$run"
    dynalite="$here/.dynalite/node_modules/.bin/dynalite"
    [ -x "$dynalite" ] || "$here/install-deps.sh"
    if wanted moto || wanted moto_auth; then moto=$(moto_bin); fi
    if wanted dynalite; then
      start_one dynalite "$dynalite_port" "$dynalite" --host 127.0.0.1 --port "$dynalite_port" \
        --createTableMs 0 --deleteTableMs 0 --updateTableMs 0
    fi
    if wanted moto; then start_one moto "$moto_port" "$moto" -H 127.0.0.1 -p "$moto_port"; fi
    if wanted moto_auth; then
      INITIAL_NO_AUTH_ACTION_COUNT=0 \
        start_one moto_auth "$moto_auth_port" "$moto" -H 127.0.0.1 -p "$moto_auth_port"
    fi
    if wanted faultproxy; then
      start_one faultproxy "$proxy_port" /usr/bin/python3 "$here/faultproxy.py" \
        --port "$proxy_port" --upstream-port "$dynalite_port" --slow-ms 3000
    fi
    if wanted tlsproxy; then start_tls; fi
    if wanted secretpage; then
      start_one secretpage "$secret_port" /usr/bin/python3 "$here/secretpage.py" --port "$secret_port"
    fi
    if wanted motoproxy; then
      start_one motoproxy "$moto_proxy_port" /usr/bin/python3 "$here/faultproxy.py" \
        --port "$moto_proxy_port" --upstream-port "$moto_port" --slow-ms 3000
    fi
    ;;
  stop)
    for n in motoproxy secretpage tlsproxy faultproxy dynalite moto moto_auth; do stop_one "$n"; done
    ;;
  status)
    for n in dynalite moto moto_auth faultproxy tlsproxy secretpage motoproxy; do
      if [ -f "$run/$n.pid" ] && kill -0 "$(cat "$run/$n.pid")" 2>/dev/null; then
        echo "$n: running (pid $(cat "$run/$n.pid"))"
      else
        echo "$n: stopped"
      fi
    done
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
