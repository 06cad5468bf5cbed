#!/usr/bin/env bash
# The load test: N synthetic subscribers through the real path (aether-sim crafts their DORA on ld0 into
# bng-01's agent: authorization over gRPC, RADIUS, relay to Kea with its PostgreSQL leases, nftables and
# tc, events to JetStream and PostgreSQL), beside the same DORA sent straight to Kea as a relay would,
# in the same run. Prints and writes the report; checks that every subscriber became a session in
# PostgreSQL and in GraphQL.
#
#   lab/load.sh [--count N] [--rate R] [--concurrency C] [--class-pool N] [--out DIR]
#
# Needs the lab up and Aether started (make demo, or lab/lab.sh up && lab/lab.sh start). Kea's lease backend is
# the one the lab came up with (KEA_LEASE_BACKEND=postgresql|memfile lab/lab.sh up); the report names it.
# The load BNG's agent is restarted with Agent:ClassPool (default: --count) when fewer HTB classes than that are
# parked, and the run waits for the pool, so that session setup takes a class instead of creating one.
set -euo pipefail
LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LAB_ROOT/.." && pwd)"
source "$LAB_ROOT/lab.env"
source "$LAB_ROOT/topology.sh"

COUNT=2000
RATE=0
CONCURRENCY=64
CLASS_POOL=""
OUT="$LAB_DIR/load/$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --class-pool) CLASS_POOL=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "usage: $0 [--count N] [--rate R] [--concurrency C] [--class-pool N] [--out DIR]" >&2; exit 2 ;;
  esac
done

die() { printf '[load] error: %s\n' "$*" >&2; exit 1; }
log() { printf '[load] %s\n' "$*" >&2; }
pid_of() { cat "$LAB_DIR/run/$1.pid" 2>/dev/null || true; }

[ "$(id -u)" -eq 0 ] || die "run as root"
ip netns list | grep -qw "$NS_LOAD" || die "the lab is not up (lab/lab.sh up && lab/lab.sh start)"
[ -n "$(pid_of controller)" ] || die "Aether is not running (lab/lab.sh start)"
SIM="$REPO_ROOT/src/Aether.Simulator/bin/$BUILD_CONFIGURATION/net10.0/aether-sim.dll"
[ -f "$SIM" ] || die "$SIM is missing: build first (make build)"
mkdir -p "$OUT"
backend=$(python3 -c "import json;print(json.load(open('$LAB_DIR/kea/kea-dhcp4.json'))['Dhcp4']['lease-database']['type'])")
agent_metric() { ip netns exec "${BNG_NS[$LOAD_BNG]}" curl -sf http://127.0.0.1:9464/metrics | awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {print $2; exit}'; }

# Session classes ready in the kernel: creating HTB classes under load costs more the more the host has.
CLASS_POOL=${CLASS_POOL:-$COUNT}
parked=$(agent_metric aether_agent_classes_parked || echo 0)
if [ "${parked%.*}" -lt "$CLASS_POOL" ]; then
  log "restarting agent $LOAD_BNG with Agent:ClassPool=$CLASS_POOL ($parked classes parked)"
  "$LAB_ROOT/lab.sh" stop-agent "$LOAD_BNG" >&2
  LAB_CLASS_POOL=$CLASS_POOL "$LAB_ROOT/lab.sh" start-agent "$LOAD_BNG" >&2
  for _ in $(seq 1 600); do
    parked=$(agent_metric aether_agent_classes_parked || echo 0)
    [ "${parked%.*}" -ge "$CLASS_POOL" ] && break
    sleep 1
  done
  [ "${parked%.*}" -ge "$CLASS_POOL" ] || die "the class pool did not fill ($parked of $CLASS_POOL parked after 600 s; see $LAB_DIR/log/agent-$LOAD_BNG.log)"
  log "class pool ready: $parked parked"
fi
for _ in $(seq 1 60); do [ "$(agent_metric aether_agent_controller_connected)" = 1 ] && break; sleep 1; done
[ "$(agent_metric aether_agent_controller_connected)" = 1 ] || die "agent $LOAD_BNG is not connected to the controller"

kea_pid=$(pid_of kea-dhcp4)
agent_pid=$(pid_of "agent-$LOAD_BNG")
controller_pid=$(pid_of controller)
radius_pid=$(pid_of freeradius)
pace=(--concurrency "$CONCURRENCY")
[ "$RATE" != "0" ] && pace+=(--rate "$RATE")
# Each run uses its own subscribers (MACs and remote-id), so runs never collide in Kea or RADIUS.
run_id=$(( $(date +%s) % 100000 ))
first=$(( (run_id % 400) * 2500 ))

log "baseline: $COUNT subscribers straight to Kea ($backend lease backend) as a relay would"
ip netns exec "$NS_LOAD" dotnet "$SIM" load --mode relay --server "$MGMT_IP" --giaddr "$BASELINE_GIADDR" \
  --count "$COUNT" --first "$first" "${pace[@]}" --remote-id "load-$run_id" --mac-prefix 02:5b \
  --release end --pid "kea=$kea_pid" --json "$OUT/kea.json" --histogram "$OUT/kea.html" | tee "$OUT/kea.txt"

log "Aether: $COUNT subscribers through agent $LOAD_BNG ($LOAD_IF), RADIUS, Kea, kernel, events"
ip netns exec "$NS_LOAD" dotnet "$SIM" load --interface ld0 \
  --count "$COUNT" --first "$first" "${pace[@]}" --remote-id "load-$run_id" --mac-prefix 02:5a \
  --release none --pid "agent=$agent_pid" --pid "controller=$controller_pid" --pid "ingestor=$(pid_of ingestor)" --pid "kea=$kea_pid" --pid "freeradius=$radius_pid" \
  --json "$OUT/aether.json" --histogram "$OUT/aether.html" --leases "$OUT/aether.csv" | tee "$OUT/aether.txt"

bound=$(python3 -c "import json;print(json.load(open('$OUT/aether.json'))['subscribers']['bound'])")
log "checking that all $bound subscribers are sessions in PostgreSQL and GraphQL"
in_pg=0
for _ in $(seq 1 120); do
  in_pg=$(PGPASSWORD=aether psql -X -tA -h 127.0.0.1 -p "$PG_PORT" -U aether aether \
    -c "select count(*) from sessions_active where remote_id = 'load-$run_id'")
  [ "$in_pg" -ge "$bound" ] && break
  sleep 1
done
in_graphql=$(curl -s "http://127.0.0.1:$CONTROLLER_HTTP_PORT/graphql" -H 'content-type: application/json' \
  -d "{\"query\":\"{ sessions(first: 1, filter: { bngId: \\\"$LOAD_BNG\\\" }) { totalCount } }\"}" \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["data"]["sessions"]["totalCount"])')
in_kernel=$(ip netns exec "${BNG_NS[$LOAD_BNG]}" nft -j list set inet aether sub_up \
  | python3 -c 'import json,sys;d=json.load(sys.stdin)["nftables"];print(sum(len(x["set"].get("elem",[])) for x in d if "set" in x))')

python3 - "$OUT" "$in_pg" "$in_graphql" "$in_kernel" "$backend" <<'PY' | tee "$OUT/report.txt"
import json, sys
out, in_pg, in_graphql, in_kernel, backend = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
kea = json.load(open(f"{out}/kea.json")); aether = json.load(open(f"{out}/aether.json"))
def line(name, r):
    l = r["latencyMs"]
    return (f"{name:<8} {r['subscribers']['bound']:>7} bound {sum(r['failures'].values()):>5} failed "
            f"{r['sessionsPerSecond']:>9.1f} sessions/s  p50 {l['p50']:.1f}  p95 {l['p95']:.1f}  p99 {l['p99']:.1f}  max {l['max']:.1f} ms")
print(line("kea", kea)); print(line("aether", aether))
ratio = aether["sessionsPerSecond"] / kea["sessionsPerSecond"] if kea["sessionsPerSecond"] else 0
print(f"ratio    Aether / Kea alone = {ratio:.2f} (Kea's {backend} lease backend, RADIUS auth, kernel programming and events on)")
for p in aether.get("processes", []):
    print(f"process  {p['name']:<11} cpu mean {p['cpuPercentMean']:.0f}% max {p['cpuPercentMax']:.0f}%  rss max {p['rssBytesMax']/2**20:.0f} MiB")
bound = aether["subscribers"]["bound"]
print(f"check    {bound} bound: {in_pg} in sessions_active, {in_graphql} sessions on the BNG in GraphQL, {in_kernel} nft elements")
ok = in_pg >= bound and in_graphql >= bound and in_kernel >= bound
print("result   " + ("every subscriber became a session end to end" if ok else "MISMATCH: not every subscriber became a session"))
sys.exit(0 if ok else 1)
PY
log "report, JSON and histograms in $OUT"
