# Lab network: namespaces, veths and bridges from lab/topology.sh. Sourced by lab/lab.sh.
#
#  ae-hNN-P eth0 ── accP  ae-rNN br0 up0 ── rNN  ae-aggN br0 bng ── eth1  ae-bngN  eth2 ── ethN  ae-up (lo 203.0.113.10)
#  (subscriber host)      (access relay,         (L2 aggregation)        (BNG agent)
#                          Option 82)                                     eth3 ── ae-mgmt bridge, root namespace
#                                                                         (198.18.0.1: Kea, FreeRADIUS, PostgreSQL,
#                                                                          NATS, the controller)

veth() { # veth NS_A IF_A NS_B IF_B  (NS "-" = root namespace)
  local tmp_a="aev$RANDOM$RANDOM" tmp_b="aev$RANDOM$RANDOM"
  ip link add "$tmp_a" type veth peer name "$tmp_b"
  if [ "$1" != "-" ]; then ip link set "$tmp_a" netns "$1"; ns "$1" ip link set "$tmp_a" name "$2"; else ip link set "$tmp_a" name "$2"; fi
  if [ "$3" != "-" ]; then ip link set "$tmp_b" netns "$3"; ns "$3" ip link set "$tmp_b" name "$4"; else ip link set "$tmp_b" name "$4"; fi
}

all_namespaces() {
  echo "$NS_UP"
  local b r
  for b in "${BNGS[@]}"; do echo "${BNG_NS[$b]}" "${BNG_AGG_NS[$b]}"; done
  for r in "${RELAYS[@]}"; do relay_ns "$r"; done
  all_hosts
}

access_node_rules() {
  cat <<'NFT'
table bridge aether_access {
  chain forward {
    type filter hook forward priority 0; policy accept;
    # DHCP client->server from an access port goes only through the relay process (Option 82 insertion).
    iifname "acc*" udp dport 67 drop
    # Requests on their way to the server never go down to subscribers.
    oifname "acc*" udp dport 67 drop
    # Subscribers never talk to each other at layer 2.
    iifname "acc*" oifname "acc*" drop
  }
}
NFT
}

topology_up() {
  if ns_exists "${BNG_NS[bng-01]}"; then log "topology already up"; return; fi
  log "creating namespaces and links"
  local n b r p h i=0
  for n in $(all_namespaces); do ip netns add "$n"; ns "$n" ip link set lo up; done
  # `ip netns exec` bind-mounts /etc/netns/NAME/* over /etc: dhclient-script in a subscriber host then
  # writes the host's own resolv.conf, never the machine's.
  for h in $(all_hosts); do mkdir -p "/etc/netns/$h"; : >"/etc/netns/$h/resolv.conf"; done

  # Management / core bridge in the root namespace.
  ip link add "$MGMT_BRIDGE" type bridge 2>/dev/null || true
  ip addr replace "$MGMT_IP/24" dev "$MGMT_BRIDGE"
  ip link set "$MGMT_BRIDGE" up

  # The upstream "internet": HTTP and iperf3 on its loopback.
  ns "$NS_UP" ip addr add "$UPSTREAM_WEB_IP/32" dev lo
  ns "$NS_UP" sysctl -qw net.ipv4.ip_forward=1

  for b in "${BNGS[@]}"; do
    i=$((i + 1))
    local bng_ns=${BNG_NS[$b]} agg_ns=${BNG_AGG_NS[$b]}
    # Core side.
    veth "$bng_ns" eth3 - "$MGMT_BRIDGE-b$i"
    ip link set "$MGMT_BRIDGE-b$i" master "$MGMT_BRIDGE" up
    ns "$bng_ns" ip addr add "${BNG_MGMT_IP[$b]}/24" dev eth3
    ns "$bng_ns" ip link set eth3 up
    # Upstream side.
    veth "$bng_ns" eth2 "$NS_UP" "${BNG_UPSTREAM_IF[$b]}"
    ns "$bng_ns" ip addr add "${BNG_UPLINK_IP[$b]}/30" dev eth2
    ns "$bng_ns" ip link set eth2 up
    ns "$NS_UP" ip addr add "${BNG_UPSTREAM_PEER[$b]}/30" dev "${BNG_UPSTREAM_IF[$b]}"
    ns "$NS_UP" ip link set "${BNG_UPSTREAM_IF[$b]}" up
    ns "$NS_UP" ip route add "${BNG_SUBNET[$b]}" via "${BNG_UPLINK_IP[$b]}"
    # Subscriber side: the BNG's eth1 on its aggregation bridge.
    ns "$agg_ns" ip link add br0 type bridge
    veth "$bng_ns" eth1 "$agg_ns" bng
    ns "$agg_ns" ip link set bng master br0 up
    ns "$bng_ns" ip link set eth1 address "${BNG_SUB_MAC[$b]}"
    ns "$bng_ns" ip addr add "${BNG_GATEWAY[$b]}/$SUBSCRIBER_PREFIXLEN" dev eth1
    ns "$bng_ns" ip link set eth1 up
    ns "$bng_ns" ip route add default via "${BNG_UPSTREAM_PEER[$b]}"
    ns "$bng_ns" sysctl -qw net.ipv4.ip_forward=1
    ns "$agg_ns" ip link set br0 up
    # Kea answers the relay at giaddr: route each pool back through its BNG.
    ip route replace "${BNG_SUBNET[$b]}" via "${BNG_MGMT_IP[$b]}" dev "$MGMT_BRIDGE"
  done

  for r in "${RELAYS[@]}"; do
    local relay agg_ns num
    relay=$(relay_ns "$r"); agg_ns=${BNG_AGG_NS[${RELAY_BNG[$r]}]}; num=$(relay_num "$r")
    # Access relay: an L2 access node (bridge) whose access ports are isolated from each other; DHCP
    # from subscribers is taken off the bridge and re-sent upstream with Option 82 by aether-access-relay.
    ns "$relay" ip link add br0 type bridge
    veth "$relay" up0 "$agg_ns" "r$num"
    ns "$relay" ip link set up0 master br0 up
    ns "$agg_ns" ip link set "r$num" master br0 up
    for p in $(seq 1 "${RELAY_PORTS[$r]}"); do
      h=$(host_ns "$r" "$p")
      veth "$h" eth0 "$relay" "acc$p"
      ns "$h" ip link set eth0 address "$(host_mac "$r" "$p")"
      ns "$h" ip link set eth0 up
      ns "$relay" ip link set "acc$p" master br0 up
    done
    ns "$relay" ip link set br0 up
    access_node_rules | ns "$relay" nft -f -
  done
  load_harness_up
}

# The load-test harness namespace (see lab/topology.sh).
load_harness_up() {
  local bng_ns=${BNG_NS[$LOAD_BNG]}
  ip netns add "$NS_LOAD"
  ns "$NS_LOAD" ip link set lo up
  veth "$NS_LOAD" ld0 "$bng_ns" "$LOAD_IF"
  ns "$NS_LOAD" ip link set ld0 up
  ns "$bng_ns" ip addr add "$LOAD_GATEWAY/${LOAD_SUBNET#*/}" dev "$LOAD_IF"
  ns "$bng_ns" ip link set "$LOAD_IF" up
  ip route replace "$LOAD_SUBNET" via "${BNG_MGMT_IP[$LOAD_BNG]}" dev "$MGMT_BRIDGE"
  veth "$NS_LOAD" eth1 - "$MGMT_BRIDGE-ld"
  ip link set "$MGMT_BRIDGE-ld" master "$MGMT_BRIDGE" up
  ns "$NS_LOAD" ip addr add "$LOAD_MGMT_IP/24" dev eth1
  ns "$NS_LOAD" ip link set eth1 up
  ns "$NS_LOAD" ip addr add "$BASELINE_GIADDR/32" dev lo
  ip route replace "$BASELINE_SUBNET" via "$LOAD_MGMT_IP" dev "$MGMT_BRIDGE"
}

topology_down() {
  local n b p i=0
  for n in $(all_namespaces) "$NS_LOAD"; do
    if ns_exists "$n"; then
      # Kill anything still running inside the namespace (dhclient, servers).
      for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
      ip netns del "$n" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/$n"
  done
  for b in "${BNGS[@]}"; do
    i=$((i + 1))
    ip route del "${BNG_SUBNET[$b]}" 2>/dev/null || true
    ip link del "$MGMT_BRIDGE-b$i" 2>/dev/null || true
  done
  ip route del "$LOAD_SUBNET" 2>/dev/null || true
  ip route del "$BASELINE_SUBNET" 2>/dev/null || true
  ip link del "$MGMT_BRIDGE-ld" 2>/dev/null || true
  ip link del "$MGMT_BRIDGE" 2>/dev/null || true
}

# The topology as JSON (nodes, links, addresses), for tooling and the containerlab comparison test.
topology_json() {
  local b r p first=1
  _node() { [ $first -eq 1 ] || printf ','; first=0; printf '{"name":"%s","kind":"%s"%s}' "$1" "$2" "${3:-}"; }
  _link() { [ $first -eq 1 ] || printf ','; first=0; printf '{"a":"%s","b":"%s"}' "$1" "$2"; }
  printf '{"nodes":['
  local up_addrs="\"$UPSTREAM_WEB_IP/32\""
  for b in "${BNGS[@]}"; do up_addrs+=",\"${BNG_UPSTREAM_PEER[$b]}/30\""; done
  _node "$NS_UP" upstream ",\"addresses\":[$up_addrs]"
  for b in "${BNGS[@]}"; do
    _node "${BNG_NS[$b]}" bng ",\"bngId\":\"$b\",\"addresses\":[\"${BNG_GATEWAY[$b]}/$SUBSCRIBER_PREFIXLEN\",\"${BNG_UPLINK_IP[$b]}/30\",\"${BNG_MGMT_IP[$b]}/24\"]"
    _node "${BNG_AGG_NS[$b]}" aggregation
  done
  for r in "${RELAYS[@]}"; do _node "$(relay_ns "$r")" relay ",\"remoteId\":\"$r\""; done
  for r in "${RELAYS[@]}"; do
    for p in $(seq 1 "${RELAY_PORTS[$r]}"); do
      _node "$(host_ns "$r" "$p")" host ",\"mac\":\"$(host_mac "$r" "$p")\",\"circuitId\":\"1/0/$p\",\"remoteId\":\"$r\",\"bngId\":\"${RELAY_BNG[$r]}\""
    done
  done
  printf '],"links":['
  first=1
  for b in "${BNGS[@]}"; do
    _link "${BNG_NS[$b]}:eth1" "${BNG_AGG_NS[$b]}:bng"
    _link "${BNG_NS[$b]}:eth2" "$NS_UP:${BNG_UPSTREAM_IF[$b]}"
    _link "${BNG_NS[$b]}:eth3" "$MGMT_BRIDGE:${BNG_MGMT_IP[$b]}"
  done
  for r in "${RELAYS[@]}"; do
    _link "$(relay_ns "$r"):up0" "${BNG_AGG_NS[${RELAY_BNG[$r]}]}:r$(relay_num "$r")"
    for p in $(seq 1 "${RELAY_PORTS[$r]}"); do _link "$(host_ns "$r" "$p"):eth0" "$(relay_ns "$r"):acc$p"; done
  done
  printf ']}\n'
}
