#!/usr/bin/env bash
# make demo: bring the lab up, start Aether, bring the subscribers online and say where to look.
set -euo pipefail
LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$LAB_ROOT/lab.env"
source "$LAB_ROOT/topology.sh"

step() { printf '\n==> %s\n' "$*"; }

step "Starting the lab's services (PostgreSQL, NATS JetStream, Kea, FreeRADIUS) and topology"
"$LAB_ROOT/lab.sh" up
step "Starting Aether (controller, ingestor, ${#RELAYS[@]} access relays, BNG agents ${BNGS[*]}); the first time, Bogus customers are provisioned through the GraphQL API (aether-sim provision; log in $LAB_DIR/log/provision.log)"
"$LAB_ROOT/lab.sh" start
step "Bringing $(all_hosts | wc -l) subscriber hosts online with dhclient (${UNPROVISIONED[*]} has no subscription: FreeRADIUS rejects it)"
"$LAB_ROOT/lab.sh" online || true
step "Starting weighted random traffic from the hosts for 30 minutes (aether-sim traffic, lab/sim/traffic.json)"
"$LAB_ROOT/lab.sh" traffic 30m
ip netns exec ae-h01-1 curl -s -m 5 "http://$UPSTREAM_WEB_IP/" >/dev/null && echo "ae-h01-1 reached http://$UPSTREAM_WEB_IP/ through the BNG" || true

cat <<INFO

Aether lab is running. Data and logs: $LAB_DIR (logs in $LAB_DIR/log/).

  Dashboard   http://127.0.0.1:$CONTROLLER_HTTP_PORT/
              sign in with the operator key: $(awk '$1 == "lab-operator" {print $3}' "$LAB_DIR/api-keys")
              (keys in $LAB_DIR/api-keys; reads need no key in the lab)
              also over TLS: https://127.0.0.1:$CONTROLLER_HTTPS_PORT/ (lab CA: $LAB_DIR/pki/ca.crt)
  GraphiQL    http://127.0.0.1:$CONTROLLER_HTTP_PORT/graphiql
  GraphQL     http://127.0.0.1:$CONTROLLER_HTTP_PORT/graphql
              curl -s http://127.0.0.1:$CONTROLLER_HTTP_PORT/graphql -H 'content-type: application/json' \\
                -d '{"query":"{ sessions(first: 20) { totalCount nodes { id bngId mac ip circuitId remoteId downloadKbps uploadKbps bytesUp bytesDown } } }"}'
  gRPC        127.0.0.1:$CONTROLLER_GRPC_PORT (server reflection on)
              npx buf curl --protocol grpc --http2-prior-knowledge http://127.0.0.1:$CONTROLLER_GRPC_PORT/aether.ops.v1.OperationsService/ListSessions
              grpcurl -plaintext 127.0.0.1:$CONTROLLER_GRPC_PORT aether.ops.v1.OperationsService/ListSessions
  Data plane  ip netns exec ae-bng1 nft list table inet aether
              ip netns exec ae-bng1 tc class show dev eth1-d00   (download; upload: dev eth1-u00)
  A host      ip netns exec ae-h01-1 curl http://$UPSTREAM_WEB_IP/
  Customers   $(PGPASSWORD=aether psql -X -tA -h 127.0.0.1 -p "$PG_PORT" -U aether -d aether -c 'SELECT count(*) FROM customers' 2>/dev/null || echo '?') provisioned through the API; see the console's Customers page
  PostgreSQL  psql -h 127.0.0.1 -p $PG_PORT -U aether aether   (password aether; Kea: kea/kea, RADIUS: radius/radius)

make status shows what runs; make down removes everything.
INFO
