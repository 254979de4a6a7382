#!/usr/bin/env bash
# Several rampart instances on one PostgreSQL database behind nginx, on this machine:
#
#   scripts/cluster.sh [--instances 2] [--port 8080] [--binary PATH] [--members 2000]
#                      [--database-url URL] [-- serve options...]
#
# Starts a throwaway PostgreSQL cluster (unless --database-url), instances a1..aN on
# ports PORT+1..PORT+N (`rampart serve --instance aK --trusted-proxy 127.0.0.1`, one data
# directory for their keys), the first alone first (it migrates and seeds the demo world),
# and nginx on PORT routing each account to one instance by its credential (consistent
# hash). Prints each instance's role (/healthz) and waits; Ctrl-C stops everything and
# deletes the state (logs are kept when it fails). Needs nginx (apt-get install nginx).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/cluster.sh
source scripts/lib/cluster.sh
instances=2 port=8080 binary="" members=2000
while (($#)); do
    case $1 in
        --instances) instances=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --members) members=$2; shift 2 ;;
        --database-url) CLUSTER_PG_URL=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
cluster_setup cluster "$binary"
state=$CLUSTER_STATE binary=$CLUSTER_BINARY
cluster_postgres "$state"
cluster_start "$state" "$binary" "$instances" "$port" --demo-members "$members" "$@"
echo "nginx: http://127.0.0.1:$port/  (PostgreSQL: $CLUSTER_PG_URL; state: $state)"
for number in $(seq 1 "$instances"); do
    echo "  a$number: http://127.0.0.1:$((port + number))/  pid ${CLUSTER_PIDS[number]}  $(curl -s "http://127.0.0.1:$((port + number))/healthz")"
done
echo "Ctrl-C stops everything."
wait "$CLUSTER_NGINX_PID"
