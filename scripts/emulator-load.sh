#!/usr/bin/env bash
# Requests per second of the local Graph emulator for GET /beta/identity/apiConnectors/{id}, measured
# with wrk from a second process against the release build of examples/emulator.rs.
#
#   scripts/emulator-load.sh [DURATION] [CONNECTIONS] [THREADS]      (defaults: 10s 32 2)
#
# Needs wrk (`apt-get install -y wrk`) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-32}
threads=${3:-2}
addr=127.0.0.1:${EMULATOR_PORT:-18080}
token=load-test-token

cargo build --release --example emulator --features emulator
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
"$target_dir/release/examples/emulator" --listen "$addr" --tenant b2c --token "$token" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://$addr/" && break; sleep 0.1; done

id=$(curl -sf -X POST "http://$addr/beta/identity/apiConnectors" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"displayName":"load","targetUrl":"https://load.example/api","authenticationConfiguration":{"@odata.type":"#microsoft.graph.basicAuthentication","username":"u","password":"p"}}' |
  sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
echo "connector $id"
wrk -t"$threads" -c"$connections" -d"$duration" --latency \
  -H "Authorization: Bearer $token" "http://$addr/beta/identity/apiConnectors/$id"
