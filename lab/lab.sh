#!/usr/bin/env bash
# Aether lab on one Linux machine: network namespaces, veths and bridges for the access network,
# and the core services (PostgreSQL, nats-server with JetStream, Kea DHCPv4 + control agent,
# FreeRADIUS with PostgreSQL) from Debian packages in a private data directory.
#
#   lab/lab.sh up        build the topology and start the services (idempotent)
#   lab/lab.sh start     start the Aether processes (controller, access relay, agent)
#   lab/lab.sh online    run dhclient in every subscriber host
#   lab/lab.sh status    show what is running
#   lab/lab.sh down      stop everything and remove every namespace, link and data directory (idempotent)
#
# Every setting below can be overridden from the environment; docs/operations.md lists them.
set -euo pipefail

LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LAB_ROOT/.." && pwd)"
# shellcheck source=lab/lab.env
source "$LAB_ROOT/lab.env"

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

# ---------------------------------------------------------------------------------------------
# Topology
#
#  ae-h1 eth0 ─┐                         ae-bng1                               ae-up
#  ae-h2 eth0 ─┤ ae-relay1 br0 ── up0 ── eth1 100.64.0.1/24   eth2 198.18.1.1/30 ── eth1 198.18.1.2/30
#              │ (acc1, acc2)             eth3 198.18.0.11/24                     lo 203.0.113.10/32
#                                          │
#                         root namespace: ae-mgmt bridge 198.18.0.1/24 (Kea, FreeRADIUS, PostgreSQL,
#                                          NATS, the controller)
# ---------------------------------------------------------------------------------------------

veth() { # veth NS_A IF_A NS_B IF_B  (NS "-" = root namespace)
  local tmp_a="aev$RANDOM" tmp_b="aev$RANDOM"
  ip link add "$tmp_a" type veth peer name "$tmp_b"
  if [ "$1" != "-" ]; then ip link set "$tmp_a" netns "$1"; fi
  if [ "$3" != "-" ]; then ip link set "$tmp_b" netns "$3"; fi
  if [ "$1" != "-" ]; then ns "$1" ip link set "$tmp_a" name "$2"; else ip link set "$tmp_a" name "$2"; fi
  if [ "$3" != "-" ]; then ns "$3" ip link set "$tmp_b" name "$4"; else ip link set "$tmp_b" name "$4"; fi
}

topology_up() {
  if ns_exists "$NS_BNG"; then log "topology already up"; return; fi
  log "creating namespaces and links"
  for n in "$NS_UP" "$NS_BNG" "$NS_RELAY" "${HOST_NS[@]}"; do ip netns add "$n"; ns "$n" ip link set lo up; done
  # `ip netns exec` bind-mounts /etc/netns/NAME/* over /etc: dhclient-script in a subscriber host then
  # writes the host's own resolv.conf, never the machine's.
  for h in "${HOST_NS[@]}"; do mkdir -p "/etc/netns/$h"; : >"/etc/netns/$h/resolv.conf"; done

  # Management / core bridge in the root namespace.
  ip link add "$MGMT_BRIDGE" type bridge 2>/dev/null || true
  ip addr replace "$MGMT_IP/24" dev "$MGMT_BRIDGE"
  ip link set "$MGMT_BRIDGE" up

  # BNG core-side link.
  veth "$NS_BNG" eth3 - "$MGMT_BRIDGE-b1"
  ip link set "$MGMT_BRIDGE-b1" master "$MGMT_BRIDGE" up
  ns "$NS_BNG" ip addr add "$BNG_MGMT_IP/24" dev eth3
  ns "$NS_BNG" ip link set eth3 up

  # BNG upstream link to the "internet".
  veth "$NS_BNG" eth2 "$NS_UP" eth1
  ns "$NS_BNG" ip addr add "$BNG_UPLINK_IP/30" dev eth2
  ns "$NS_BNG" ip link set eth2 up
  ns "$NS_UP" ip addr add "$UPSTREAM_LINK_IP/30" dev eth1
  ns "$NS_UP" ip link set eth1 up
  # The "internet" services live on the upstream host's loopback (no dummy interfaces needed).
  ns "$NS_UP" ip addr add "$UPSTREAM_WEB_IP/32" dev lo
  ns "$NS_UP" ip route add "$SUBSCRIBER_AGGREGATE" via "$BNG_UPLINK_IP"

  # BNG subscriber-facing link to the access relay's uplink.
  veth "$NS_BNG" eth1 "$NS_RELAY" up0
  ns "$NS_BNG" ip link set eth1 address "$BNG_SUB_MAC"
  ns "$NS_BNG" ip addr add "$BNG_SUB_IP/$SUBSCRIBER_PREFIXLEN" dev eth1
  ns "$NS_BNG" ip link set eth1 up
  ns "$NS_BNG" ip route add default via "$UPSTREAM_LINK_IP"
  ns "$NS_BNG" sysctl -qw net.ipv4.ip_forward=1

  # Access relay: an L2 access node (bridge) whose access ports are isolated from each other;
  # DHCP from subscribers is taken off the bridge and re-sent upstream with Option 82 by aether-access-relay.
  ns "$NS_RELAY" ip link add br0 type bridge
  ns "$NS_RELAY" ip link set up0 master br0 up
  local i=0
  for h in "${HOST_NS[@]}"; do
    i=$((i + 1))
    veth "$h" eth0 "$NS_RELAY" "acc$i"
    ns "$h" ip link set eth0 address "$(printf '02:00:00:00:01:%02x' "$i")"
    ns "$h" ip link set eth0 up
    ns "$NS_RELAY" ip link set "acc$i" master br0 up
  done
  ns "$NS_RELAY" ip link set br0 up
  ns "$NS_RELAY" nft -f - <<EOF
table bridge aether_access {
  chain forward {
    type filter hook forward priority 0; policy accept;
    # DHCP client->server from an access port goes only through the relay process (Option 82 insertion).
    iifname "acc*" udp dport 67 drop
    # Subscribers never talk to each other at layer 2.
    iifname "acc*" oifname "acc*" drop
  }
}
EOF

  # Route subscriber pools back to the BNG from the core (Kea answers the relay at giaddr).
  ip route replace "$SUBSCRIBER_AGGREGATE" via "$BNG_MGMT_IP" dev "$MGMT_BRIDGE"
}

topology_down() {
  for n in "${HOST_NS[@]}" "$NS_RELAY" "$NS_BNG" "$NS_UP"; do
    if ns_exists "$n"; then
      # Kill anything still running inside the namespace (dhclient, servers).
      for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
      ip netns del "$n" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/$n"
  done
  ip route del "$SUBSCRIBER_AGGREGATE" 2>/dev/null || true
  ip link del "$MGMT_BRIDGE-b1" 2>/dev/null || true
  ip link del "$MGMT_BRIDGE" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------

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
    log "creating the RADIUS schema and lab subscribers"
    PGPASSWORD=radius psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U radius -d radius \
      -f /etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql >/dev/null
    PGPASSWORD=radius psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U radius -d radius \
      -f "$LAB_ROOT/radius/lab-subscribers.sql" >/dev/null
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
  export LAB_DIR PG_PORT MGMT_BRIDGE MGMT_IP KEA_CA_PORT SUBSCRIBER_SUBNET SUBSCRIBER_POOL BNG_SUB_IP KEA_LEASE_SECONDS UPSTREAM_WEB_IP
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
}

services_down() {
  for s in upstream-iperf3 upstream-http freeradius kea-ctrl-agent kea-dhcp4 nats; do stop_bg "$s"; done
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

aether_start() {
  local controller agent relay
  controller=$(bin_dll Aether.Controller aether-controller)
  agent=$(bin_dll Aether.Agent aether-agent)
  relay=$(bin_dll Aether.AccessRelay aether-access-relay)

  start_bg controller - env ASPNETCORE_ENVIRONMENT=Lab DOTNET_ENVIRONMENT=Lab \
    dotnet "$controller" \
    --Kestrel:Endpoints:Grpc:Url="http://127.0.0.1:$CONTROLLER_GRPC_PORT" \
    --Kestrel:Endpoints:Grpc:Protocols=Http2 \
    --Kestrel:Endpoints:GrpcLab:Url="http://$MGMT_IP:$CONTROLLER_GRPC_PORT" \
    --Kestrel:Endpoints:GrpcLab:Protocols=Http2 \
    --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$CONTROLLER_HTTP_PORT" \
    --Kestrel:Endpoints:Http:Protocols=Http1 \
    --ConnectionStrings:Aether="Host=127.0.0.1;Port=$PG_PORT;Database=aether;Username=aether;Password=aether" \
    --Events:Url="nats://127.0.0.1:$NATS_PORT" \
    --Radius:Servers:0:Host=127.0.0.1 \
    --Radius:Servers:0:AuthPort="$RADIUS_AUTH_PORT" \
    --Radius:Servers:0:AcctPort="$RADIUS_ACCT_PORT" \
    --Radius:Servers:0:Secret="$RADIUS_SECRET" \
    --DynamicAuthorization:Address=127.0.0.1 \
    --DynamicAuthorization:Port="$COA_PORT" \
    --DynamicAuthorization:Clients:0:Address=127.0.0.1 \
    --DynamicAuthorization:Clients:0:Secret="$COA_SECRET" \
    --DynamicAuthorization:Clients:0:Name=lab-radclient \
    --Controller:AcctInterimIntervalSeconds=30
  wait_for "controller gRPC on $MGMT_IP:$CONTROLLER_GRPC_PORT" 60 bash -c "exec 3<>/dev/tcp/$MGMT_IP/$CONTROLLER_GRPC_PORT"
  wait_for "controller HTTP" 30 curl -sf "http://127.0.0.1:$CONTROLLER_HTTP_PORT/healthz"

  local args=() i=0
  for _ in "${HOST_NS[@]}"; do
    i=$((i + 1))
    args+=("--Relay:Ports:$((i - 1)):Interface=acc$i" "--Relay:Ports:$((i - 1)):CircuitId=1/0/$i")
  done
  start_bg access-relay "$NS_RELAY" dotnet "$relay" --Relay:RemoteId="$RELAY_ID" --Relay:Uplink=up0 "${args[@]}"

  start_bg agent "$NS_BNG" env DOTNET_ENVIRONMENT=Lab dotnet "$agent" \
    --Agent:BngId="$BNG_ID" \
    --Agent:Controller="http://$MGMT_IP:$CONTROLLER_GRPC_PORT" \
    --Agent:DhcpServer="$MGMT_IP" \
    --Agent:SubscriberInterfaces:0:Name=eth1 \
    --Agent:SubscriberInterfaces:0:GatewayIp="$BNG_SUB_IP" \
    --Agent:StateDirectory="$LAB_DIR/agent-$BNG_ID"
  wait_for "agent $BNG_ID to register with the controller" 60 \
    bash -c "curl -sf http://127.0.0.1:$CONTROLLER_HTTP_PORT/healthz/agents | grep -q '\"$BNG_ID\"'"
  wait_for "access relay to capture" 60 grep -q "Capturing" "$LAB_DIR/log/access-relay.log"
}

aether_stop() {
  for s in agent access-relay controller; do stop_bg "$s"; done
  if ns_exists "$NS_BNG"; then
    ns "$NS_BNG" nft delete table inet aether 2>/dev/null || true
    ns "$NS_BNG" tc qdisc del dev eth1 root 2>/dev/null || true
    ns "$NS_BNG" tc qdisc del dev eth1 ingress 2>/dev/null || true
    ns "$NS_BNG" ip link del ifb-eth1 2>/dev/null || true
  fi
}

online() { # dhclient in each subscriber host (or the hosts given)
  local hosts=("$@")
  [ ${#hosts[@]} -gt 0 ] || hosts=("${HOST_NS[@]}")
  for h in "${hosts[@]}"; do
    mkdir -p "$LAB_DIR/dhclient"
    if ns "$h" timeout "$DHCLIENT_TIMEOUT" dhclient -1 -v -pf "$LAB_DIR/dhclient/$h.pid" \
        -lf "$LAB_DIR/dhclient/$h.leases" eth0 >>"$LAB_DIR/log/dhclient-$h.log" 2>&1; then
      log "$h online: $(ns "$h" ip -4 -o addr show dev eth0 | awk '{print $4}')"
    else
      log "$h got no lease"
    fi
  done
}

status() {
  echo "Lab directory: $LAB_DIR"
  for s in postgres nats kea-dhcp4 kea-ctrl-agent freeradius upstream-http upstream-iperf3 controller access-relay agent; do
    if [ "$s" = postgres ]; then
      if runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$LAB_DIR/pg" status >/dev/null 2>&1; then echo "  postgres        running (127.0.0.1:$PG_PORT)"; else echo "  postgres        stopped"; fi
    elif running "$s"; then printf '  %-15s running (pid %s)\n' "$s" "$(cat "$(pidfile "$s")")"
    else printf '  %-15s stopped\n' "$s"; fi
  done
  for h in "${HOST_NS[@]}"; do
    ns_exists "$h" && printf '  %-15s %s\n' "$h" "$(ns "$h" ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}')"
  done
}

# Refuse to start on top of something else that holds one of the lab's ports.
check_ports() {
  local busy=()
  for port in "$PG_PORT" "$NATS_PORT" "$NATS_MONITOR_PORT" "$KEA_CA_PORT" "$CONTROLLER_GRPC_PORT" "$CONTROLLER_HTTP_PORT"; do
    if ss -Htln "sport = :$port" | grep -q .; then busy+=("tcp/$port ($(ss -Htlnp "sport = :$port" | grep -o 'users:(("[^"]*"' | head -1 | cut -d'"' -f2))"); fi
  done
  for port in "$RADIUS_AUTH_PORT" "$RADIUS_ACCT_PORT" "$COA_PORT"; do
    if ss -Huln "sport = :$port" | grep -q .; then busy+=("udp/$port"); fi
  done
  [ ${#busy[@]} -eq 0 ] || die "ports the lab needs are in use: ${busy[*]} (make down, or override them: see lab/lab.env)"
}

up() {
  need_root
  if ! ns_exists "$NS_BNG"; then check_ports; fi
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

down() {
  need_root
  for h in "${HOST_NS[@]}"; do
    ns_exists "$h" && ns "$h" dhclient -r -pf "$LAB_DIR/dhclient/$h.pid" eth0 >/dev/null 2>&1 || true
  done
  [ -d "$LAB_DIR/run" ] && { aether_stop; services_down; }
  topology_down
  rm -rf "$LAB_DIR"
  log "lab is down"
}

case "${1:-}" in
  up) up ;;
  start) need_root; aether_start ;;
  stop) need_root; aether_stop ;;
  online) need_root; shift; online "$@" ;;
  status) status ;;
  down) down ;;
  *) echo "usage: $0 up|start|stop|online [HOST...]|status|down" >&2; exit 2 ;;
esac
