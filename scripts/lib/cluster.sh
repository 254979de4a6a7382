# Sourced by the scripts that run several rampart instances on one PostgreSQL database
# behind nginx (scripts/cluster.sh, cluster-failover.sh, cluster-bench.sh).
#
#   cluster_setup NAME BINARY       checks the tools, builds the debug binary unless BINARY
#                                   names one (sets CLUSTER_BINARY), makes a state directory
#                                   (sets CLUSTER_STATE) that is stopped and deleted on exit
#                                   (kept when CLUSTER_KEEP=true).
#   cluster_postgres STATE          a throwaway PostgreSQL cluster on 127.0.0.1:$CLUSTER_PG_PORT
#                                   (default 54331); sets CLUSTER_PG_URL. Skipped when
#                                   CLUSTER_PG_URL is set already.
#   cluster_start STATE BINARY N PORT [serve options...]
#                                   N instances (a1..aN on PORT+1..PORT+N, one data directory
#                                   for their keys), the first alone first (it migrates and
#                                   seeds an empty database), then nginx on PORT; sets
#                                   CLUSTER_PIDS (instance PIDs) and CLUSTER_NGINX_PID.
#   cluster_sessions STATE PORT COUNT LINES
#                                   logs in COUNT demo members through nginx and signs LINES
#                                   profile views for each (STATE/sK/session-profiles.txt,
#                                   for bench/wrk/signed-requests.lua); sets CLUSTER_VIEWERS.
#   cluster_stop STATE              stops nginx, the instances and the throwaway PostgreSQL.
#
# nginx routes each request by its credential (the API's Authorization header, else the
# web session cookie; the client address for visitors) with a consistent hash, so one
# account's requests go to one instance, which owns its detection state; when an instance
# dies its accounts move to the next one and the others keep theirs.
# shellcheck source=scripts/lib/stop-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/stop-server.sh"

CLUSTER_PIDS=()
CLUSTER_KEEP=false

cluster_setup() {
    local name=$1 binary=$2 tool
    for tool in nginx psql python3 curl; do command -v $tool >/dev/null || { echo "$tool is not installed (apt-get install $tool)" >&2; exit 1; }; done
    if [[ -z "$binary" ]]; then
        swift build --product rampart >/dev/null
        binary=.build/debug/rampart
    fi
    CLUSTER_BINARY=$binary
    CLUSTER_STATE=$(mktemp -d -t "rampart-$name.XXXXXX")
    chmod 755 "$CLUSTER_STATE"
    trap 'cluster_stop "$CLUSTER_STATE"; $CLUSTER_KEEP || rm -rf "$CLUSTER_STATE"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
CLUSTER_NGINX_PID=
CLUSTER_PG_OWNED=false

cluster_postgres() {
    local state=$1
    [[ -n "${CLUSTER_PG_URL:-}" ]] && return 0
    local port=${CLUSTER_PG_PORT:-54331}
    local pg_bin
    pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$pg_bin" && -x "$pg_bin/initdb" ]] || { echo "no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)" >&2; return 1; }
    mkdir -p "$state/pg"
    local run=()
    if [[ $(id -u) == 0 ]]; then
        chown postgres:postgres "$state/pg"
        run=(runuser -u postgres --)
    fi
    chmod 700 "$state/pg"
    (cd "$state/pg" && "${run[@]}" "$pg_bin/initdb" -A trust -U postgres -D "$state/pg/data" >/dev/null)
    (cd "$state/pg" && "${run[@]}" "$pg_bin/pg_ctl" -D "$state/pg/data" -l "$state/pg/server.log" \
        -o "-p $port -k $state/pg -c listen_addresses=127.0.0.1 -c max_connections=300 -c synchronous_commit=on" start -w >/dev/null)
    (cd "$state/pg" && "${run[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres rampart)
    CLUSTER_PG_URL="postgres://postgres@127.0.0.1:$port/rampart"
    CLUSTER_PG_OWNED=true
    CLUSTER_PG_BIN=$pg_bin
}

cluster_wait_ready() {
    local port=$1 pid=$2 log=$3
    for _ in $(seq 1 2400); do
        curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    echo "instance on port $port did not get ready; its log:" >&2
    tail -20 "$log" >&2
    return 1
}

# Starts instance NUMBER (a1, a2, ...) on PORT+NUMBER.
cluster_start_instance() {
    local state=$1 binary=$2 number=$3 port=$4
    shift 4
    # CLUSTER_UNREACHABLE=true: every instance tells the others an address where nothing
    # answers, so every request is served where it lands (the control of
    # scripts/cluster-scraper.sh --without-forwarding).
    local advertise=()
    [[ "${CLUSTER_UNREACHABLE:-false}" == true ]] && advertise=(--advertise http://127.0.0.1:1)
    "$binary" serve --database-url "$CLUSTER_PG_URL" --data-dir "$state/data" --instance "a$number" --host 127.0.0.1 \
        --port $((port + number)) --trusted-proxy 127.0.0.1 "${advertise[@]}" "$@" >>"$state/a$number.log" 2>&1 &
    CLUSTER_PIDS[number]=$!
    cluster_wait_ready $((port + number)) "${CLUSTER_PIDS[number]}" "$state/a$number.log"
}

cluster_start() {
    local state=$1 binary=$2 count=$3 port=$4
    shift 4
    mkdir -p "$state/data" "$state/nginx"
    for number in $(seq 1 "$count"); do cluster_start_instance "$state" "$binary" "$number" "$port" "$@"; done
    cluster_nginx "$state" "$count" "$port"
}

cluster_nginx() {
    local state=$1 count=$2 port=$3
    local servers=""
    for number in $(seq 1 "$count"); do servers+="        server 127.0.0.1:$((port + number)) max_fails=1 fail_timeout=3s;"$'\n'; done
    cat >"$state/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $state/nginx/nginx.pid;
error_log $state/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $state/nginx/body;
    proxy_temp_path $state/nginx/proxy;
    fastcgi_temp_path $state/nginx/fastcgi;
    uwsgi_temp_path $state/nginx/uwsgi;
    scgi_temp_path $state/nginx/scgi;
    # One account, one instance: its credential, else the client address (visitors).
    map "\$http_authorization|\$cookie_rampart_session" \$rampart_owner {
        "|" \$remote_addr;
        default "\$http_authorization|\$cookie_rampart_session";
    }
    upstream rampart {
        hash \$rampart_owner consistent;
$servers        keepalive 64;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://rampart;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            # An instance that dies mid-request: the request goes to the next one.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 1s;
        }
    }
}
CONF
    nginx -c "$state/nginx/nginx.conf" -g "daemon off;" &
    CLUSTER_NGINX_PID=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
    echo "nginx did not start:" >&2
    cat "$state/nginx/error.log" >&2
    return 1
}

cluster_sql() { psql "$CLUSTER_PG_URL" -Atq -c "$1"; }

cluster_sessions() {
    local state=$1 port=$2 count=$3 lines=$4
    local phones
    mapfile -t phones < <(cluster_sql "SELECT phone FROM accounts ORDER BY id LIMIT $count")
    CLUSTER_VIEWERS=()
    for k in "${!phones[@]}"; do
        mkdir -p "$state/s$k"
        RAMPART_WRK_PHONE=${phones[k]} RAMPART_WRK_DATA="$state/data" python3 bench/wrk/prepare_session.py "$port" "$state/s$k" >/dev/null
        RAMPART_WRK_DATA="$state/data" python3 bench/wrk/prepare_session.py "$port" "$state/s$k" --sign profiles "$lines"
        CLUSTER_VIEWERS+=("$(cluster_sql "SELECT id FROM accounts WHERE phone = '${phones[k]}'")")
    done
}

cluster_stop() {
    local state=$1
    [[ -n "$CLUSTER_NGINX_PID" ]] && { kill "$CLUSTER_NGINX_PID" 2>/dev/null || true; wait "$CLUSTER_NGINX_PID" 2>/dev/null || true; }
    for pid in "${CLUSTER_PIDS[@]}"; do stop_server "$pid"; done
    if $CLUSTER_PG_OWNED; then
        local run=()
        [[ $(id -u) == 0 ]] && run=(runuser -u postgres --)
        (cd "$state/pg" && "${run[@]}" "$CLUSTER_PG_BIN/pg_ctl" -D "$state/pg/data" -m fast stop -w >/dev/null 2>&1) || true
    fi
}
