# The reference topology: two BNGs, each with an L2 aggregation bridge and two access relays that insert
# Option 82, subscriber hosts behind the relays, an upstream "internet" host, and the core services on the
# management bridge in the root namespace. lab/lab.sh builds it from network namespaces;
# lab/containerlab/aether.clab.yml describes the same nodes, links and addresses for containerlab.
#
# Addressing (DESIGN.md): subscribers 100.64.0.0/10, infrastructure 198.18.0.0/15, upstream 203.0.113.0/24.

BNGS=(bng-01 bng-02)
declare -A BNG_NS=([bng-01]=ae-bng1 [bng-02]=ae-bng2)
declare -A BNG_AGG_NS=([bng-01]=ae-agg1 [bng-02]=ae-agg2)
declare -A BNG_MGMT_IP=([bng-01]=198.18.0.11 [bng-02]=198.18.0.12)
declare -A BNG_UPLINK_IP=([bng-01]=198.18.1.1 [bng-02]=198.18.1.5)     # /30 to the upstream host
declare -A BNG_UPSTREAM_PEER=([bng-01]=198.18.1.2 [bng-02]=198.18.1.6)
declare -A BNG_UPSTREAM_IF=([bng-01]=eth1 [bng-02]=eth2)               # the upstream host's side
declare -A BNG_GATEWAY=([bng-01]=100.64.0.1 [bng-02]=100.64.1.1)       # giaddr and default gateway
declare -A BNG_SUBNET=([bng-01]=100.64.0.0/24 [bng-02]=100.64.1.0/24)
declare -A BNG_POOL=([bng-01]="100.64.0.10 - 100.64.0.250" [bng-02]="100.64.1.10 - 100.64.1.250")
declare -A BNG_SUB_MAC=([bng-01]=02:00:00:00:00:b1 [bng-02]=02:00:00:00:00:b2)
declare -A BNG_SUBNET_ID=([bng-01]=1 [bng-02]=2)
SUBSCRIBER_PREFIXLEN=24

# Access relays: name → BNG, number of subscriber ports. Host on port P of relay-NN is ae-hNN-P, with MAC
# 02:00:00:NN:00:0P and Option 82 circuit-id 1/0/P, remote-id relay-NN.
RELAYS=(relay-01 relay-02 relay-11 relay-12)
declare -A RELAY_BNG=([relay-01]=bng-01 [relay-02]=bng-01 [relay-11]=bng-02 [relay-12]=bng-02)
declare -A RELAY_PORTS=([relay-01]=4 [relay-02]=5 [relay-11]=4 [relay-12]=4)

# Subscribers without a subscription: FreeRADIUS rejects them and they get no lease.
UNPROVISIONED=(ae-h02-5)

# Plans by relay (kbit/s down/up) for the lab's RADIUS seed.
declare -A RELAY_PLAN=([relay-01]=residential-20 [relay-02]=residential-50 [relay-11]=residential-20 [relay-12]=business-100)
declare -A PLAN_RATE=([residential-20]="20000 10000" [residential-50]="50000 20000" [business-100]="100000 50000")

NS_UP=ae-up
UPSTREAM_WEB_IP=203.0.113.10
SUBSCRIBER_AGGREGATE=100.64.0.0/10
MGMT_BRIDGE=ae-mgmt
MGMT_IP=198.18.0.1

relay_num() { echo "${1#relay-}"; }
relay_ns() { echo "ae-r$(relay_num "$1")"; }
host_ns() { echo "ae-h$(relay_num "$1")-$2"; }
host_mac() { printf '02:00:00:%s:00:%02x' "$(relay_num "$1")" "$2"; }

# Every subscriber host namespace, in order.
all_hosts() {
  local r p
  for r in "${RELAYS[@]}"; do
    for p in $(seq 1 "${RELAY_PORTS[$r]}"); do host_ns "$r" "$p"; done
  done
}

is_unprovisioned() { local h; for h in "${UNPROVISIONED[@]}"; do [ "$h" = "$1" ] && return 0; done; return 1; }

# Load-test harness (not part of the reference topology): namespace ae-load with
#  - ld0 ↔ load0, a second subscriber-facing interface of bng-01 (gateway 100.96.0.1, a /14 pool), into
#    which aether-sim load injects crafted DORA as an access node would;
#  - eth1 on the management bridge (198.18.0.20) and giaddr 100.100.0.1 on its loopback, from which the
#    same DORA goes straight to Kea as a relay would: the Kea-alone baseline.
NS_LOAD=ae-load
LOAD_BNG=bng-01
LOAD_IF=load0
LOAD_GATEWAY=100.96.0.1
LOAD_SUBNET=100.96.0.0/14
LOAD_POOL="100.96.0.10 - 100.99.255.250"
LOAD_MGMT_IP=198.18.0.20
BASELINE_GIADDR=100.100.0.1
BASELINE_SUBNET=100.100.0.0/14
BASELINE_POOL="100.100.0.10 - 100.103.255.250"
