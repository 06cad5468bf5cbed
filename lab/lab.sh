#!/usr/bin/env bash
# Aether lab on one Linux machine: network namespaces, veths and bridges for the access network,
# and the core services (PostgreSQL, nats-server with JetStream, Kea DHCPv4 + control agent,
# FreeRADIUS with PostgreSQL) from Debian packages in a private data directory.
#
#   lab/lab.sh up        build the topology and start the services (idempotent)
#   lab/lab.sh start     start the Aether processes (controller, ingestor, access relays, agents) and, the first
#                        time, provision the lab's customers through the GraphQL API (aether-sim provision)
#   lab/lab.sh online    run dhclient in every subscriber host
#   lab/lab.sh traffic [DURATION]  weighted random traffic from the hosts (default 30m)
#   lab/lab.sh kill NAME SIGKILL one lab process (e.g. agent-bng-01, controller, nats); start restarts Aether's
#   lab/lab.sh status    show what is running
#   lab/lab.sh topology  print the topology (nodes, links, addresses) as JSON
#   lab/lab.sh down      stop everything and remove every namespace, link and data directory (idempotent)
#
# Every setting below can be overridden from the environment; docs/operations.md lists them.
set -euo pipefail

LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LAB_ROOT/.." && pwd)"
# A process started on its own later (lab/load.sh restarts the load BNG's agent) runs with the settings the rest got
# from `lab/lab.sh start` (traces, timers), unless the environment says otherwise.
case "${1:-}" in
  start-agent|start-controller|start-ingestor)
    if [ -f "${LAB_DIR:-/var/lib/aether-lab}/run/settings.env" ]; then
      # shellcheck source=/dev/null
      source "${LAB_DIR:-/var/lib/aether-lab}/run/settings.env"
    fi ;;
esac
# shellcheck source=lab/lab.env
source "$LAB_ROOT/lab.env"
# shellcheck source=lab/topology.sh
source "$LAB_ROOT/topology.sh"

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

ns() { ip netns exec "$1" "${@:2}"; }
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

need_root() { [ "$(id -u)" -eq 0 ] || die "the lab needs root (network namespaces, nftables, tc)"; }

pidfile() { echo "$LAB_DIR/run/$1.pid"; }
running() { local p; p=$(pidfile "$1"); [ -f "$p" ] && kill -0 "$(cat "$p")" 2>/dev/null; }

# start NAME [netns|-] COMMAND...: detached, logged to $LAB_DIR/log/NAME.log, pid in $LAB_DIR/run/NAME.pid
start_bg() {
  local name=$1 netns=$2; shift 2
  if running "$name"; then log "$name already running"; return; fi
  local prefix=()
  [ "$netns" != "-" ] && prefix=(ip netns exec "$netns")
  setsid "${prefix[@]}" "$@" >>"$LAB_DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$name")"
}

stop_bg() {
  local name=$1 p
  p=$(pidfile "$name")
  [ -f "$p" ] || return 0
  local pid; pid=$(cat "$p")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$p"
}

wait_for() { # wait_for DESCRIPTION SECONDS COMMAND...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "timed out after ${secs}s waiting for $what (logs in $LAB_DIR/log)"
}

# shellcheck source=lab/lib/network.sh
source "$LAB_ROOT/lib/network.sh"

# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------

# Kea subnets, one per BNG, selected by the relay's giaddr; plus the load harness's two.
kea_subnets() {
  cat <<JSON
      { "id": 90, "subnet": "$LOAD_SUBNET", "relay": { "ip-addresses": [ "$LOAD_GATEWAY" ] },
        "pools": [ { "pool": "$LOAD_POOL" } ], "option-data": [ { "name": "routers", "data": "$LOAD_GATEWAY" } ] },
      { "id": 91, "subnet": "$BASELINE_SUBNET", "relay": { "ip-addresses": [ "$BASELINE_GIADDR" ] },
        "pools": [ { "pool": "$BASELINE_POOL" } ] },
JSON
  local b first=1
  for b in "${BNGS[@]}"; do
    [ $first -eq 1 ] || printf ',\n'
    first=0
    cat <<JSON
      {
        "id": ${BNG_SUBNET_ID[$b]},
        "subnet": "${BNG_SUBNET[$b]}",
        "relay": { "ip-addresses": [ "${BNG_GATEWAY[$b]}" ] },
        "pools": [ { "pool": "${BNG_POOL[$b]}" } ],
        "option-data": [
          { "name": "routers", "data": "${BNG_GATEWAY[$b]}" },
          { "name": "domain-name-servers", "data": "$UPSTREAM_WEB_IP" }
        ]
      }
JSON
  done
}

# RADIUS profiles for the lab's subscribers: plans as groups (radgroupreply), one user per provisioned
# host (radcheck + radusergroup). User-Name is <bng_id>/<remote_id>/<circuit_id>.
# The lab's subscribers are provisioned through the GraphQL API (aether-sim provision, Bogus customers): one
# customer and service per provisioned host, on its access node's plan. The API writes FreeRADIUS's radcheck,
# radreply and radusergroup rows. Done once per lab (marker $LAB_DIR/provisioned).
provision() {
  [ -f "$LAB_DIR/provisioned" ] && return 0
  local sim key r p h plan down up circuits
  sim=$(bin_dll Aether.Simulator aether-sim)
  key=$(awk '$1 == "lab-operator" {print $3}' "$LAB_DIR/api-keys")
  for r in "${RELAYS[@]}"; do
    circuits=()
    for p in $(seq 1 "${RELAY_PORTS[$r]}"); do
      h=$(host_ns "$r" "$p")
      is_unprovisioned "$h" || circuits+=(--circuit "1/0/$p")
    done
    [ ${#circuits[@]} -gt 0 ] || continue
    plan=${RELAY_PLAN[$r]}
    read -r down up <<<"${PLAN_RATE[$plan]}"
    log "provisioning ${#circuits[@]} customers behind $r (${RELAY_BNG[$r]}) on plan $plan through the GraphQL API"
    dotnet "$sim" provision --api "http://127.0.0.1:$CONTROLLER_HTTP_PORT/graphql" --token "$key" \
      --bng-id "${RELAY_BNG[$r]}" --remote-id "$r" "${circuits[@]}" --plan "$plan=$down/$up" --seed "$(relay_num "$r")" \
      >>"$LAB_DIR/log/provision.log" 2>&1 || die "provisioning behind $r failed (see $LAB_DIR/log/provision.log)"
  done
  touch "$LAB_DIR/provisioned"
}

psql_lab() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$LAB_DIR/pg-sock" -p "$PG_PORT" "$@"; }

postgres_up() {
  local data="$LAB_DIR/pg"
  mkdir -p "$LAB_DIR/pg-sock"
  chown postgres:postgres "$LAB_DIR/pg-sock"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL in $data"
    mkdir -p "$data"; chown postgres:postgres "$data"; chmod 700 "$data"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$data" -A trust -U postgres >"$LAB_DIR/log/initdb.log" 2>&1
  fi
  touch "$LAB_DIR/log/postgres.log"; chown postgres:postgres "$LAB_DIR/log/postgres.log"
  if ! runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # After a crash the old backends notice their postmaster is gone and exit; wait for them to let go of the port.
    for _ in $(seq 1 50); do pgrep -u postgres -f "postgres: " >/dev/null || break; sleep 0.1; done
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -l "$LAB_DIR/log/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $LAB_DIR/pg-sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >/dev/null
  fi
  for db in kea radius aether; do
    if ! psql_lab -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$db'" | grep -q 1; then
      psql_lab -d postgres -c "CREATE ROLE $db LOGIN PASSWORD '$db'"
    fi
    if ! psql_lab -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
      psql_lab -d postgres -c "CREATE DATABASE $db OWNER $db"
    fi
  done
  if ! psql_lab -d kea -tAc "SELECT 1 FROM pg_tables WHERE tablename='lease4'" | grep -q 1; then
    log "creating Kea's lease schema"
    kea-admin db-init pgsql -u kea -p kea -n kea -h 127.0.0.1 -P "$PG_PORT" >"$LAB_DIR/log/kea-admin.log" 2>&1 \
      || die "kea-admin db-init failed (see $LAB_DIR/log/kea-admin.log)"
  fi
  if ! psql_lab -d radius -tAc "SELECT 1 FROM pg_tables WHERE tablename='radcheck'" | grep -q 1; then
    log "creating the RADIUS schema"
    PGPASSWORD=radius psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U radius -d radius \
      -f /etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql >/dev/null
  fi
}

nats_up() {
  mkdir -p "$LAB_DIR/nats"
  start_bg nats - nats-server -js -sd "$LAB_DIR/nats" -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -n aether-lab
  wait_for "nats-server" 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT"
}

render() { # render TEMPLATE OUT: substitute ${VAR} from the environment
  local vars
  vars=$(grep -o '\${[A-Z_]*}' "$1" | sort -u | tr -d '\n')
  envsubst "$vars" <"$1" >"$2"
}

kea_up() {
  mkdir -p "$LAB_DIR/kea"
  KEA_SUBNETS=$(kea_subnets)
  SHORT_LEASE_MAC_PREFIX=$(echo "$SHORT_LEASE_MAC_PREFIX" | tr -d :)
  case "$KEA_LEASE_BACKEND" in
    postgresql) KEA_LEASE_DATABASE='{
      "type": "postgresql", "name": "kea", "user": "kea", "password": "kea",
      "host": "127.0.0.1", "port": '"$PG_PORT"',
      "max-reconnect-tries": 600, "reconnect-wait-time": 500, "on-fail": "serve-retry-continue"
    }' ;;
    memfile) KEA_LEASE_DATABASE='{ "type": "memfile", "persist": true, "name": "'"$LAB_DIR"'/kea/leases4.csv", "lfc-interval": 3600 }' ;;
    *) die "KEA_LEASE_BACKEND must be postgresql or memfile (not $KEA_LEASE_BACKEND)" ;;
  esac
  export LAB_DIR PG_PORT MGMT_BRIDGE MGMT_IP KEA_CA_PORT KEA_LEASE_SECONDS KEA_SUBNETS SHORT_LEASE_MAC_PREFIX SHORT_LEASE_SECONDS KEA_LEASE_DATABASE
  render "$LAB_ROOT/kea/kea-dhcp4.json" "$LAB_DIR/kea/kea-dhcp4.json"
  render "$LAB_ROOT/kea/kea-ctrl-agent.json" "$LAB_DIR/kea/kea-ctrl-agent.json"
  kea-dhcp4 -t "$LAB_DIR/kea/kea-dhcp4.json" >"$LAB_DIR/log/kea-check.log" 2>&1 \
    || die "Kea rejected its configuration (see $LAB_DIR/log/kea-check.log)"
  KEA_PIDFILE_DIR="$LAB_DIR/kea" KEA_LOCKFILE_DIR="$LAB_DIR/kea" start_bg kea-dhcp4 - \
    env KEA_PIDFILE_DIR="$LAB_DIR/kea" KEA_LOCKFILE_DIR="$LAB_DIR/kea" kea-dhcp4 -c "$LAB_DIR/kea/kea-dhcp4.json"
  wait_for "kea-dhcp4 control socket" 20 test -S "$LAB_DIR/kea/kea4.sock"
  start_bg kea-ctrl-agent - env KEA_PIDFILE_DIR="$LAB_DIR/kea" KEA_LOCKFILE_DIR="$LAB_DIR/kea" \
    kea-ctrl-agent -c "$LAB_DIR/kea/kea-ctrl-agent.json"
  wait_for "kea-ctrl-agent" 20 curl -sf -u "$KEA_CA_USER:$KEA_CA_PASSWORD" -H 'Content-Type: application/json' \
    -d '{"command":"version-get","service":["dhcp4"]}' "http://127.0.0.1:$KEA_CA_PORT/"
}

radius_up() {
  local raddb="$LAB_DIR/raddb"
  if [ ! -d "$raddb" ]; then
    log "preparing FreeRADIUS configuration in $raddb"
    cp -a /etc/freeradius/3.0 "$raddb"
    # Run as the invoking user (the lab is private); no EAP or inner tunnel.
    sed -i -E '/^\s*(user|group)\s*=\s*freerad/d' "$raddb/radiusd.conf"
    sed -i -E "s|^run_dir = .*|run_dir = $LAB_DIR/radius-run|; s|^logdir = .*|logdir = $LAB_DIR/log/radius|" "$raddb/radiusd.conf"
    rm -f "$raddb"/sites-enabled/* "$raddb/mods-enabled/eap"
    cp "$LAB_ROOT/radius/dictionary.aether" "$raddb/dictionary.aether"
    cp "$LAB_ROOT/radius/load-users" "$raddb/mods-config/files/authorize"
    echo '$INCLUDE dictionary.aether' >>"$raddb/dictionary"
    export PG_PORT RADIUS_SECRET RADIUS_AUTH_PORT RADIUS_ACCT_PORT
    render "$LAB_ROOT/radius/clients.conf" "$raddb/clients.conf"
    render "$LAB_ROOT/radius/site-aether" "$raddb/sites-enabled/aether"
    render "$LAB_ROOT/radius/sql" "$raddb/mods-enabled/sql"
  fi
  mkdir -p "$LAB_DIR/radius-run" "$LAB_DIR/log/radius"
  freeradius -d "$raddb" -C >"$LAB_DIR/log/radius-check.log" 2>&1 \
    || die "FreeRADIUS rejected its configuration (see $LAB_DIR/log/radius-check.log)"
  start_bg freeradius - freeradius -d "$raddb" -f -l stdout
  wait_for "FreeRADIUS" 20 bash -c "echo 'Message-Authenticator = 0x00' | radclient -q -r 1 -t 1 127.0.0.1:$RADIUS_AUTH_PORT status '$RADIUS_SECRET'"
}

upstream_up() {
  mkdir -p "$LAB_DIR/www"
  echo "Aether lab upstream: you reached the internet." >"$LAB_DIR/www/index.html"
  start_bg upstream-http "$NS_UP" python3 -m http.server --bind "$UPSTREAM_WEB_IP" --directory "$LAB_DIR/www" 80
  start_bg upstream-iperf3 "$NS_UP" iperf3 -s -B "$UPSTREAM_WEB_IP" -p 5201
  # DNS for the subscribers: every name under example.net answers with the upstream host.
  start_bg upstream-dns "$NS_UP" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$UPSTREAM_WEB_IP" --bind-interfaces --address=/example.net/"$UPSTREAM_WEB_IP" \
    --pid-file="$LAB_DIR/run/dnsmasq-internal.pid" --user=root
}

services_down() {
  for s in upstream-dns upstream-iperf3 upstream-http freeradius kea-ctrl-agent kea-dhcp4 nats; do stop_bg "$s"; done
  if [ -f "$LAB_DIR/pg/PG_VERSION" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$LAB_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# ---------------------------------------------------------------------------------------------
# Aether processes
# ---------------------------------------------------------------------------------------------

bin_dll() { # bin_dll PROJECT ASSEMBLY
  local dll="$REPO_ROOT/src/$1/bin/$BUILD_CONFIGURATION/net10.0/$2.dll"
  [ -f "$dll" ] || die "$dll is missing: build first (make build)"
  echo "$dll"
}

# controller_start [N]: controller N (default 1). A second one (N=2) serves the same PostgreSQL, NATS, RADIUS and
# Kea on the next ports (gRPC, HTTP, CoA each +1): agents may connect to either, commands reach them over NATS.
controller_start() {
  local n=${1:-1} controller name grpc http coa
  controller=$(bin_dll Aether.Controller aether-controller)
  name=controller; [ "$n" = 1 ] || name="controller-$n"
  grpc=$((CONTROLLER_GRPC_PORT + n - 1)); http=$((CONTROLLER_HTTP_PORT + n - 1)); coa=$((COA_PORT + n - 1))
  # API keys for the lab's GraphQL (the provisioning console and aether-sim provision need the operator key).
  if [ ! -f "$LAB_DIR/api-keys" ]; then
    printf '# name role key\nlab-operator operator %s\nlab-viewer viewer %s\n' \
      "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" >"$LAB_DIR/api-keys"
    chmod 600 "$LAB_DIR/api-keys"
  fi

  pki_up
  local https=$((CONTROLLER_HTTPS_PORT + n - 1)) traces=()
  [ "$LAB_TRACES" = 1 ] && traces=(--Telemetry:TraceFile="$LAB_DIR/log/traces-$name.jsonl" --Telemetry:TraceSampleRatio="$LAB_TRACE_SAMPLE")
  start_bg "$name" - env ASPNETCORE_ENVIRONMENT=Lab DOTNET_ENVIRONMENT=Lab \
    dotnet "$controller" "${traces[@]}" \
    --Ingestor:Enabled=false \
    --Kestrel:Endpoints:Grpc:Url="http://127.0.0.1:$grpc" \
    --Kestrel:Endpoints:Grpc:Protocols=Http2 \
    --Kestrel:Endpoints:GrpcLab:Url="https://$MGMT_IP:$grpc" \
    --Kestrel:Endpoints:GrpcLab:Protocols=Http2 \
    --Kestrel:Endpoints:GrpcLab:Certificate:Path="$LAB_DIR/pki/controller.crt" \
    --Kestrel:Endpoints:GrpcLab:Certificate:KeyPath="$LAB_DIR/pki/controller.key" \
    --Kestrel:Endpoints:GrpcLab:ClientCertificateMode=AllowCertificate \
    --Kestrel:Endpoints:Https:Url="https://127.0.0.1:$https" \
    --Kestrel:Endpoints:Https:Protocols=Http1AndHttp2 \
    --Kestrel:Endpoints:Https:Certificate:Path="$LAB_DIR/pki/controller.crt" \
    --Kestrel:Endpoints:Https:Certificate:KeyPath="$LAB_DIR/pki/controller.key" \
    --Controller:AgentCaFile="$LAB_DIR/pki/ca.crt" \
    --Controller:AgentTokensFile="$LAB_DIR/pki/agent-tokens" \
    --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$http" \
    --Kestrel:Endpoints:Http:Protocols=Http1AndHttp2 \
    --ConnectionStrings:Aether="Host=127.0.0.1;Port=$PG_PORT;Database=aether;Username=aether;Password=aether" \
    --ConnectionStrings:Radius="Host=127.0.0.1;Port=$PG_PORT;Database=radius;Username=radius;Password=radius" \
    --Events:Url="nats://127.0.0.1:$NATS_PORT" \
    --Radius:Servers:0:Host=127.0.0.1 \
    --Radius:Servers:0:AuthPort="$RADIUS_AUTH_PORT" \
    --Radius:Servers:0:AcctPort="$RADIUS_ACCT_PORT" \
    --Radius:Servers:0:Secret="$RADIUS_SECRET" \
    --DynamicAuthorization:Address=127.0.0.1 \
    --DynamicAuthorization:Port="$coa" \
    --DynamicAuthorization:Clients:0:Address=127.0.0.1 \
    --DynamicAuthorization:Clients:0:Secret="$COA_SECRET" \
    --DynamicAuthorization:Clients:0:Name=lab-radclient \
    --Controller:AcctInterimIntervalSeconds="$LAB_ACCT_INTERIM" \
    --Controller:WebRoot="$REPO_ROOT/web/dist" \
    --GraphQL:ApiKeysFile="$LAB_DIR/api-keys" \
    --Reconciler:Enabled=true \
    --Reconciler:KeaControlAgentUrl="http://127.0.0.1:$KEA_CA_PORT/" \
    --Reconciler:KeaUser="$KEA_CA_USER" \
    --Reconciler:KeaPassword="$KEA_CA_PASSWORD" \
    --Reconciler:Interval="$LAB_RECONCILE_INTERVAL" \
    --Reconciler:Grace=00:00:10
  wait_for "$name gRPC on $MGMT_IP:$grpc" 60 bash -c "exec 3<>/dev/tcp/$MGMT_IP/$grpc"
  wait_for "$name HTTP" 30 curl -sf "http://127.0.0.1:$http/healthz"
}

# The ingestor as its own process (the controller runs with Ingestor:Enabled=false): it consumes JetStream and
# writes the event log and read models; metrics on 127.0.0.1:$INGESTOR_METRICS_PORT/metrics.
ingestor_start() {
  local ingestor traces=()
  ingestor=$(bin_dll Aether.IngestorService aether-ingestor)
  [ "$LAB_TRACES" = 1 ] && traces=(--Telemetry:TraceFile="$LAB_DIR/log/traces-ingestor.jsonl" --Telemetry:TraceSampleRatio="$LAB_TRACE_SAMPLE")
  start_bg ingestor - env DOTNET_ENVIRONMENT=Lab dotnet "$ingestor" "${traces[@]}" \
    --ConnectionStrings:Aether="Host=127.0.0.1;Port=$PG_PORT;Database=aether;Username=aether;Password=aether" \
    --Events:Url="nats://127.0.0.1:$NATS_PORT" \
    --Ingestor:MetricsAddress="http://127.0.0.1:$INGESTOR_METRICS_PORT"
  wait_for "ingestor metrics" 60 curl -sf "http://127.0.0.1:$INGESTOR_METRICS_PORT/metrics"
}

# The lab's PKI (lab/pki.sh: a CA, the controller's certificate, a client certificate per agent) and a token per
# agent: agents reach the controller over TLS on $MGMT_IP, presenting both.
pki_up() {
  local b
  "$LAB_ROOT/pki.sh" "$LAB_DIR/pki" "${BNGS[@]}" 2>>"$LAB_DIR/log/pki.log" || die "lab/pki.sh failed (see $LAB_DIR/log/pki.log)"
  if [ ! -f "$LAB_DIR/pki/agent-tokens" ]; then
    ( umask 077
      for b in "${BNGS[@]}"; do
        head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$LAB_DIR/pki/agent-$b.token"
        printf '%s %s\n' "$b" "$(cat "$LAB_DIR/pki/agent-$b.token")"
      done >"$LAB_DIR/pki/agent-tokens" )
  fi
}

# agent_start BNG [CONTROLLER_URL]: the BNG's agent, connected to controller 1 unless told otherwise.
agent_start() {
  local b=$1 url=${2:-https://$MGMT_IP:$CONTROLLER_GRPC_PORT} agent agent_traces=()
  agent=$(bin_dll Aether.Agent aether-agent)
  [ "$LAB_TRACES" = 1 ] && agent_traces=(--Telemetry:TraceFile="$LAB_DIR/log/traces-agent-$b.jsonl" --Telemetry:TraceSampleRatio="$LAB_TRACE_SAMPLE")
  start_bg "agent-$b" "${BNG_NS[$b]}" env DOTNET_ENVIRONMENT=Lab dotnet "$agent" "${agent_traces[@]}" \
    --Agent:BngId="$b" \
    --Agent:Controller="$url" \
    --Agent:TlsCaFile="$LAB_DIR/pki/ca.crt" \
    --Agent:TlsCertificateFile="$LAB_DIR/pki/agent-$b.crt" \
    --Agent:TlsKeyFile="$LAB_DIR/pki/agent-$b.key" \
    --Agent:TokenFile="$LAB_DIR/pki/agent-$b.token" \
    --Agent:DhcpServer="$MGMT_IP" \
    --Agent:SubscriberInterfaces:0:Name=eth1 \
    --Agent:SubscriberInterfaces:0:GatewayIp="${BNG_GATEWAY[$b]}" \
    $( [ "$b" = "$LOAD_BNG" ] && echo "--Agent:SubscriberInterfaces:1:Name=$LOAD_IF --Agent:SubscriberInterfaces:1:GatewayIp=$LOAD_GATEWAY --Agent:SubscriberInterfaces:1:ClassPool=$LAB_CLASS_POOL" ) \
    --Agent:StateDirectory="$LAB_DIR/agent-$b" \
    --Agent:HealthInterval=00:00:05
}

aether_start() {
  local relay b r p v
  relay=$(bin_dll Aether.AccessRelay aether-access-relay)
  for v in LAB_TRACES LAB_TRACE_SAMPLE LAB_RECONCILE_INTERVAL LAB_ACCT_INTERIM; do
    printf ': "${%s:=%s}"\n' "$v" "${!v}"
  done >"$LAB_DIR/run/settings.env"
  controller_start
  ingestor_start
  provision

  for r in "${RELAYS[@]}"; do
    local args=()
    for p in $(seq 1 "${RELAY_PORTS[$r]}"); do
      args+=("--Relay:Ports:$((p - 1)):Interface=acc$p" "--Relay:Ports:$((p - 1)):CircuitId=1/0/$p")
    done
    start_bg "access-$r" "$(relay_ns "$r")" dotnet "$relay" --Relay:RemoteId="$r" --Relay:Uplink=up0 "${args[@]}"
  done

  for b in "${BNGS[@]}"; do agent_start "$b"; done
  for b in "${BNGS[@]}"; do
    wait_for "agent $b to register with the controller" 60 \
      bash -c "curl -sf http://127.0.0.1:$CONTROLLER_HTTP_PORT/healthz/agents | grep -q '\"$b\"'"
  done
  for r in "${RELAYS[@]}"; do
    wait_for "access relay $r to capture" 60 grep -q "Capturing" "$LAB_DIR/log/access-$r.log"
  done
}

aether_stop() {
  local b r
  stop_bg sim-traffic
  for b in "${BNGS[@]}"; do stop_bg "agent-$b"; done
  for r in "${RELAYS[@]}"; do stop_bg "access-$r"; done
  stop_bg controller
  stop_bg controller-2
  stop_bg ingestor
  # The agent keeps its kernel state across its own restarts (subscribers keep forwarding); stopping
  # Aether in the lab removes it: the nftables table, the clsact hooks and the IFB shard devices.
  for b in "${BNGS[@]}"; do
    if ns_exists "${BNG_NS[$b]}"; then
      local dev
      ns "${BNG_NS[$b]}" nft delete table inet aether 2>/dev/null || true
      for dev in eth1 "$LOAD_IF"; do
        ns "${BNG_NS[$b]}" tc qdisc del dev "$dev" clsact 2>/dev/null || true
      done
      for dev in $(ns "${BNG_NS[$b]}" ip -o link show | grep -o -E "(eth1|$LOAD_IF)-[du][0-9a-f]{2}" | sort -u); do
        ns "${BNG_NS[$b]}" ip link del "$dev" 2>/dev/null || true
      done
      rm -rf "$LAB_DIR/agent-$b"
    fi
  done
}

# Weighted random traffic from the subscriber hosts (aether-sim traffic, lab/sim/traffic.json), bounded.
traffic_start() {
  local duration=${1:-30m} sim
  sim=$(bin_dll Aether.Simulator aether-sim)
  start_bg sim-traffic - dotnet "$sim" traffic --config "$LAB_ROOT/sim/traffic.json" --duration "$duration"
}

dhclient_one() { # dhclient_one HOST: one DORA with a bounded time, then dhclient keeps renewing
  local h=$1
  mkdir -p "$LAB_DIR/dhclient"
  if ns "$h" timeout "$DHCLIENT_TIMEOUT" dhclient -1 -v -pf "$LAB_DIR/dhclient/$h.pid" \
      -lf "$LAB_DIR/dhclient/$h.leases" eth0 >>"$LAB_DIR/log/dhclient-$h.log" 2>&1; then
    log "$h online: $(ns "$h" ip -4 -o addr show dev eth0 | awk '{print $4}')"
  else
    log "$h got no lease$(is_unprovisioned "$h" && echo ' (no subscription: expected)')"
  fi
}

online() { # dhclient in each subscriber host (or the hosts given), several at a time
  local hosts=("$@") h
  [ ${#hosts[@]} -gt 0 ] || mapfile -t hosts < <(all_hosts)
  for h in "${hosts[@]}"; do dhclient_one "$h" & done
  wait
}

status() {
  local s b r h
  echo "Lab directory: $LAB_DIR"
  if runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$LAB_DIR/pg" status >/dev/null 2>&1; then
    printf '  %-18s running (127.0.0.1:%s)\n' postgres "$PG_PORT"
  else
    printf '  %-18s stopped\n' postgres
  fi
  local names=(nats kea-dhcp4 kea-ctrl-agent freeradius upstream-http upstream-iperf3 upstream-dns controller controller-2 ingestor sim-traffic)
  for r in "${RELAYS[@]}"; do names+=("access-$r"); done
  for b in "${BNGS[@]}"; do names+=("agent-$b"); done
  for s in "${names[@]}"; do
    if running "$s"; then printf '  %-18s running (pid %s)\n' "$s" "$(cat "$(pidfile "$s")")"
    else printf '  %-18s stopped\n' "$s"; fi
  done
  for h in $(all_hosts); do
    ns_exists "$h" && printf '  %-18s %s\n' "$h" "$(ns "$h" ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}')"
  done
  return 0
}

# Refuse to start on top of something else that holds one of the lab's ports.
check_ports() {
  local busy=()
  for port in "$PG_PORT" "$NATS_PORT" "$NATS_MONITOR_PORT" "$KEA_CA_PORT" "$CONTROLLER_GRPC_PORT" "$CONTROLLER_HTTP_PORT" "$CONTROLLER_HTTPS_PORT" "$INGESTOR_METRICS_PORT"; do
    if ss -Htln "sport = :$port" | grep -q .; then busy+=("tcp/$port ($(ss -Htlnp "sport = :$port" | grep -o 'users:(("[^"]*"' | head -1 | cut -d'"' -f2))"); fi
  done
  for port in "$RADIUS_AUTH_PORT" "$RADIUS_ACCT_PORT" "$COA_PORT"; do
    if ss -Huln "sport = :$port" | grep -q .; then busy+=("udp/$port"); fi
  done
  [ ${#busy[@]} -eq 0 ] || die "ports the lab needs are in use: ${busy[*]} (make down, or override them: see lab/lab.env)"
}

up() {
  need_root
  if ! ns_exists "${BNG_NS[bng-01]}"; then check_ports; fi
  mkdir -p "$LAB_DIR/run" "$LAB_DIR/log"
  chmod 755 "$LAB_DIR"
  topology_up
  postgres_up
  nats_up
  kea_up
  radius_up
  upstream_up
  log "lab is up (data in $LAB_DIR)"
}

# kill NAME: SIGKILL one of the lab's processes (and its process group), as a crash would; `start` brings it back.
kill_one() {
  local p; p=$(pidfile "$1")
  # PostgreSQL daemonizes through pg_ctl: its postmaster's pid is in the data directory.
  [ "$1" = postgres ] && p="$LAB_DIR/pg/postmaster.pid"
  [ -f "$p" ] || die "$1 is not running (no $p)"
  local pid; pid=$(head -1 "$p")
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  [ "$1" = postgres ] || rm -f "$p"
  log "$1 killed"
}

down() {
  need_root
  local h
  for h in $(all_hosts); do
    if ns_exists "$h" && [ -f "$LAB_DIR/dhclient/$h.pid" ]; then
      ns "$h" timeout 5 dhclient -r -pf "$LAB_DIR/dhclient/$h.pid" eth0 >/dev/null 2>&1 || true
    fi
  done
  [ -d "$LAB_DIR/run" ] && { aether_stop; services_down; }
  topology_down
  rm -rf "$LAB_DIR"
  log "lab is down"
}

case "${1:-}" in
  up) up ;;
  start) need_root; aether_start ;;
  services) need_root; mkdir -p "$LAB_DIR/run" "$LAB_DIR/log"; postgres_up; nats_up; kea_up; radius_up ;;
  start-controller) need_root; controller_start "${2:-1}" ;;
  start-agent) need_root; agent_start "${2:?usage: $0 start-agent BNG [CONTROLLER_URL]}" "${3:-}" ;;
  stop-agent) need_root; stop_bg "agent-${2:?usage: $0 stop-agent BNG}" ;;
  start-ingestor) need_root; ingestor_start ;;
  stop) need_root; aether_stop ;;
  kill) need_root; kill_one "${2:?usage: $0 kill NAME (see status)}" ;;
  online) need_root; shift; online "$@" ;;
  status) status ;;
  topology) topology_json ;;
  traffic) need_root; traffic_start "${2:-30m}" ;;
  down) down ;;
  *) echo "usage: $0 up|start|stop|kill NAME|start-agent BNG [URL]|stop-agent BNG|online [HOST...]|traffic [DURATION]|status|topology|down" >&2; exit 2 ;;
esac
