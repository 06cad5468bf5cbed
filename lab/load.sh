#!/usr/bin/env bash
# The load test: N synthetic subscribers through the real path (aether-sim crafts their DORA on ld0 into
# bng-01's agent: authorization over gRPC, RADIUS, relay to Kea, nftables and tc, events to JetStream and
# PostgreSQL), beside the same DORA sent straight to Kea as a relay would, in the same run. While the
# subscribers hold their leases it checks that every one became a session in PostgreSQL, in GraphQL and in
# the kernel; then they release, and it checks that every session ended. Prints and writes the report.
#
#   lab/load.sh [--count N] [--rate R] [--concurrency C] [--warmup N] [--class-pool N] [--out DIR]
#
# Needs the lab up and Aether started (make demo, or lab/lab.sh up && lab/lab.sh start). Kea's lease backend is
# the one the lab came up with (KEA_LEASE_BACKEND=postgresql|memfile lab/lab.sh up); the report names it.
# For runs of tens of thousands, start the lab with production's timers (docs/benchmarks.md):
#   LAB_RECONCILE_INTERVAL=00:00:30 LAB_ACCT_INTERIM=300 lab/lab.sh up && lab/lab.sh start
# The load BNG's agent is restarted with Agent:ClassPool (default: --count) when fewer HTB classes than that are
# parked, and the run waits for the pool, so that session setup takes a class instead of creating one. A warm-up
# (--warmup, 500 by default, not reported) runs first through both paths so that neither is measured cold.
set -euo pipefail
SCRIPT_NAME=load
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/sim-common.sh"

COUNT=2000
RATE=0
CONCURRENCY=64
WARMUP=500
CLASS_POOL=""
OUT="$LAB_DIR/load/$(date -u +%Y%m%dT%H%M%SZ)"
usage="usage: $0 [--count N] [--rate R] [--concurrency C] [--warmup N] [--class-pool N] [--out DIR]"
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --class-pool) CLASS_POOL=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done

psql_aether() { psql_db aether "$1"; }
graphql() {
  curl -sf "http://127.0.0.1:$CONTROLLER_HTTP_PORT/graphql" -H 'content-type: application/json' \
    -d "$(python3 -c 'import json,sys;print(json.dumps({"query":sys.argv[1]}))' "$1")"
}
active_on_bng() {
  graphql "{ sessions(first: 1, filter: { bngId: \"$LOAD_BNG\", state: \"ACTIVE\" }) { totalCount } }" \
    | python3 -c 'import json,sys;print(json.load(sys.stdin)["data"]["sessions"]["totalCount"])'
}
# Busy jiffies and all jiffies of the machine, from /proc/stat.
cpu_now() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# PostgreSQL's backends of the lab's users, a "user pid jiffies" line each (utime + stime): their pools open and close
# connections, so a phase's share is taken backend by backend.
pg_cpu() {
  local p u
  for p in $(pgrep -f '^postgres: (kea|radius|aether) ' || true); do
    u=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | awk '{print $2}') || continue
    awk -v u="$u" -v p="$p" '{print u, p, $14 + $15}' "/proc/$p/stat" 2>/dev/null || true
  done
}

require_lab
mkdir -p "$OUT"
backend=$(kea_backend)
# One value of the load agent's metrics. The page is read whole first: awk leaving early would make curl fail with
# SIGPIPE (pipefail), and the caller's fallback would print a second value.
agent_metric() {
  local page
  page=$(ip netns exec "${BNG_NS[$LOAD_BNG]}" curl -sf http://127.0.0.1:9464/metrics) || return 1
  awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {print $2; exit}' <<<"$page"
}

# Session classes ready in the kernel: creating HTB classes under load costs more the more the host has.
# The pool is spread evenly over the shards (Agent:ShapingShards, 16), but a session's shard is its address's third
# octet modulo the shards and Kea hands out the load subnet's addresses in order: whole /24s land on one shard, so
# the pool must cover the fullest shard, not the average (10,000 sessions are 40 /24s: 3 on some shards, 2 on others).
CLASS_POOL=${CLASS_POOL:-$COUNT}
# The agent's shard count (Agent:ShapingShards) as its kernel shows it: the load interface's download shard devices.
SHAPING_SHARDS=$(ip -n "${BNG_NS[$LOAD_BNG]}" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -c "^$LOAD_IF-d" || true)
[ "${SHAPING_SHARDS:-0}" -gt 0 ] || die "agent $LOAD_BNG has no shaping shards on $LOAD_IF (is it running?)"
blocks=$(( (CLASS_POOL + WARMUP + 255) / 256 + 1 ))
need=$(( (blocks + SHAPING_SHARDS - 1) / SHAPING_SHARDS * 256 * SHAPING_SHARDS ))
parked=$(agent_metric aether_agent_classes_parked || echo 0)
if [ "${parked%.*}" -lt "$need" ]; then
  log "restarting agent $LOAD_BNG with Agent:ClassPool=$need ($parked classes parked)"
  agent_log="$LAB_DIR/log/agent-$LOAD_BNG.log"
  log_start=$(stat -c %s "$agent_log" 2>/dev/null || echo 0)
  "$LAB_ROOT/lab.sh" stop-agent "$LOAD_BNG" >&2
  LAB_CLASS_POOL=$need "$LAB_ROOT/lab.sh" start-agent "$LOAD_BNG" >&2
  # The pool fills in the background once the agent has recovered; wait for it to finish, not just to reach the
  # target (classes parked from before count at once, while the rest are still being created).
  for _ in $(seq 1 900); do
    tail -c "+$(( log_start + 1 ))" "$agent_log" 2>/dev/null | grep -q "Class pool ready\|Class pool stopped" && break
    sleep 1
  done
  parked=$(agent_metric aether_agent_classes_parked || echo 0)
  [ "${parked%.*}" -ge "$need" ] || die "the class pool did not fill ($parked of $need parked; see $agent_log)"
  log "class pool ready: $parked parked"
fi
for _ in $(seq 1 60); do [ "$(agent_metric aether_agent_controller_connected)" = 1 ] && break; sleep 1; done
[ "$(agent_metric aether_agent_controller_connected)" = 1 ] || die "agent $LOAD_BNG is not connected to the controller"

kea_pid=$(pid_of kea-dhcp4)
# Kea's connections to PostgreSQL (none with memfile): their CPU is Kea's lease backend's.
kea_pg=()
for p in $(pgrep -f '^postgres: kea ' || true); do kea_pg+=(--pid "kea-postgres=$p"); done
pace=(--concurrency "$CONCURRENCY")
# RELEASE is never retransmitted (RFC 2131): sent faster than Kea's lease backend takes them, the surplus is lost
# in Kea's socket buffer and those leases stay until they expire. Aether ends its sessions either way.
release_rate=(--release-rate 400)
[ "$RATE" != "0" ] && pace+=(--rate "$RATE")
# Each run uses its own subscribers (MACs and remote-id), so runs never collide in Kea or RADIUS.
run_id=$(( $(date +%s) % 100000 ))
first=$(( (run_id % 16) * 65536 ))
relay_args=(--mode relay --server "$MGMT_IP" --giaddr "$BASELINE_GIADDR" --mac-prefix 02:5b)
agent_args=(--interface ld0 --mac-prefix 02:5a)

if [ "$WARMUP" -gt 0 ]; then
  log "warm-up: $WARMUP subscribers through each path, released at once (not reported)"
  sim load "${relay_args[@]}" --count "$WARMUP" --first $(( first + COUNT )) "${pace[@]}" --remote-id "load-1$run_id" \
    --release end "${release_rate[@]}" --quiet >/dev/null || log "warm-up through Kea alone had failures"
  sim load "${agent_args[@]}" --count "$WARMUP" --first $(( first + COUNT )) "${pace[@]}" --remote-id "load-1$run_id" \
    --release end "${release_rate[@]}" --quiet >/dev/null || log "warm-up through Aether had failures"
fi

log "baseline: $COUNT subscribers straight to Kea ($backend lease backend) as a relay would"
read -r busy0 all0 < <(cpu_now)
sim load "${relay_args[@]}" --count "$COUNT" --first "$first" "${pace[@]}" --remote-id "load-$run_id" \
  --release end "${release_rate[@]}" --pid "kea=$kea_pid" "${kea_pg[@]}" --sample-interval 100ms --json "$OUT/kea.json" --histogram "$OUT/kea.html" | tee "$OUT/kea.txt"
read -r busy1 all1 < <(cpu_now)
kea_busy=$(( 100 * $(nproc) * (busy1 - busy0) / (all1 - all0 > 0 ? all1 - all0 : 1) ))

# RADIUS alone: the same subscribers' Access-Request and Accounting-Start, then their Accounting-Stop, straight to
# FreeRADIUS as the controller sends them, with the CPU FreeRADIUS and its PostgreSQL backends spend on each: the
# share of the machine a setup through Aether needs for RADIUS alone.
log "RADIUS alone: $COUNT subscribers' Access-Request and Accounting-Start, then Accounting-Stop, straight to FreeRADIUS"
dotnet "$SIM" radius --server 127.0.0.1 --auth-port "$RADIUS_AUTH_PORT" --acct-port "$RADIUS_ACCT_PORT" --secret "$RADIUS_SECRET" \
  --bng-id "$LOAD_BNG" --remote-id "load-2$run_id" --count "$COUNT" --first "$first" --concurrency "$CONCURRENCY" \
  --cpu "freeradius=freeradius " --cpu "postgres=postgres: radius " --json "$OUT/radius.json" --quiet | tee "$OUT/radius.txt" \
  || log "RADIUS alone had failures (see $OUT/radius.txt)"

before=$(active_on_bng)
log "Aether: $COUNT subscribers through agent $LOAD_BNG ($LOAD_IF), RADIUS, Kea, kernel, events ($before sessions active on $LOAD_BNG before)"
rm -f "$OUT/aether.csv" "$OUT/checked"
pg_cpu >"$OUT/pg-cpu-start.txt"
read -r busy0 all0 < <(cpu_now)
sim load "${agent_args[@]}" --count "$COUNT" --first "$first" "${pace[@]}" --remote-id "load-$run_id" \
  --release end "${release_rate[@]}" --hold 10m --hold-until "$OUT/checked" --leases "$OUT/aether.csv" \
  --pid "agent=$(pid_of "agent-$LOAD_BNG")" --pid "controller=$(pid_of controller)" --pid "ingestor=$(pid_of ingestor)" \
  --pid "kea=$kea_pid" "${kea_pg[@]}" --pid "freeradius=$(pid_of freeradius)" --pid "nats=$(pid_of nats)" \
  --json "$OUT/aether.json" --histogram "$OUT/aether.html" >"$OUT/aether.txt" &
sim_pid=$!
# The simulator lists the bound subscribers as its hold begins, and waits for the checks.
while [ ! -f "$OUT/aether.csv" ] && kill -0 "$sim_pid" 2>/dev/null; do sleep 0.2; done
read -r busy1 all1 < <(cpu_now)
pg_cpu >"$OUT/pg-cpu-setups.txt"
aether_busy=$(( 100 * $(nproc) * (busy1 - busy0) / (all1 - all0 > 0 ? all1 - all0 : 1) ))
aether_busy_jiffies=$(( busy1 - busy0 ))
[ -f "$OUT/aether.csv" ] || { wait "$sim_pid" || true; cat "$OUT/aether.txt"; die "the simulator ended before holding its leases"; }

bound=$(grep -c ',bound$' "$OUT/aether.csv" || true)
log "checking the $bound bound subscribers while they hold their leases"
in_pg=0
for _ in $(seq 1 120); do
  in_pg=$(psql_aether "select count(*) from sessions_active where remote_id = 'load-$run_id' and bng_id = '$LOAD_BNG'")
  [ "$in_pg" -ge "$bound" ] && break
  sleep 1
done
# Every leased address: a session in sessions_active with that client's MAC, and an element in both nftables sets.
psql_aether "select ip, lower(mac) from sessions_active where remote_id = 'load-$run_id'" >"$OUT/pg.txt"
ip netns exec "${BNG_NS[$LOAD_BNG]}" nft -j list set inet aether sub_up >"$OUT/nft-up.json"
ip netns exec "${BNG_NS[$LOAD_BNG]}" nft -j list set inet aether sub_down >"$OUT/nft-down.json"
in_graphql=$(( $(active_on_bng) - before ))
# A sample of them looked up one by one in GraphQL by address: ACTIVE, on this BNG, with the client's MAC.
graphql_sample=0
while IFS=, read -r mac _ _ ip state; do
  [ "$state" = bound ] || continue
  graphql "{ sessions(first: 1, filter: { ip: \"$ip\", state: \"ACTIVE\" }) { nodes { ip mac bngId } } }" \
    | python3 -c 'import json,sys
n=json.load(sys.stdin)["data"]["sessions"]["nodes"]
sys.exit(0 if any(x["ip"]==sys.argv[1] and x["mac"].lower()==sys.argv[2].lower() and x["bngId"]==sys.argv[3] for x in n) else 1)' \
      "$ip" "$mac" "$LOAD_BNG" && graphql_sample=$(( graphql_sample + 1 ))
done < <(grep ',bound$' "$OUT/aether.csv" | shuf -n 50 --random-source=<(yes))
touch "$OUT/checked"
wait "$sim_pid" || log "the simulator reported failures (see $OUT/aether.txt)"
cat "$OUT/aether.txt"

log "checking that every session ended with its RELEASE"
left=0
for _ in $(seq 1 120); do
  left=$(psql_aether "select count(*) from sessions_active where remote_id = 'load-$run_id'")
  [ "$left" -eq 0 ] && break
  sleep 1
done
left_kernel=$(ip netns exec "${BNG_NS[$LOAD_BNG]}" nft -j list set inet aether sub_up | python3 -c '
import csv, json, os, sys
ips = {r[3] for r in csv.reader(open(sys.argv[1])) if r and r[0] != "mac"}
d = json.load(sys.stdin)["nftables"]
elems = {e if isinstance(e, str) else e["elem"]["val"] for x in d if "set" in x for e in x["set"].get("elem", [])}
print(len(ips & elems))' "$OUT/aether.csv")

python3 - "$OUT" "$backend" "$in_pg" "$in_graphql" "$graphql_sample" "$left" "$left_kernel" "$kea_busy" "$aether_busy" "$RATE" "$aether_busy_jiffies" <<'PY' | tee "$OUT/report.txt"
import csv, json, os, sys
out, backend = sys.argv[1], sys.argv[2]
in_pg, in_graphql, graphql_sample, left, left_kernel, kea_busy, aether_busy = map(int, sys.argv[3:10])
paced = float(sys.argv[10]) > 0
aether_busy_ms = 10 * int(sys.argv[11])  # USER_HZ
kea = json.load(open(f"{out}/kea.json")); aether = json.load(open(f"{out}/aether.json"))
leases = [r for r in csv.reader(open(f"{out}/aether.csv")) if r and r[0] != "mac"]
held = {r[3]: r[0].lower() for r in leases}
pg = dict(line.split("|") for line in open(f"{out}/pg.txt").read().split() if "|" in line)
def elements(path):
    d = json.load(open(path))["nftables"]
    return {e if isinstance(e, str) else e["elem"]["val"] for x in d if "set" in x for e in x["set"].get("elem", [])}
up, down = elements(f"{out}/nft-up.json"), elements(f"{out}/nft-down.json")
in_pg_match = sum(1 for ip, mac in held.items() if pg.get(ip) == mac)
in_kernel = sum(1 for ip in held if ip in up and ip in down)

def line(name, r, busy):
    l = r["latencyMs"]
    return (f"{name:<8} {r['subscribers']['bound']:>7} bound {sum(r['failures'].values()):>5} failed "
            f"{r['sessionsPerSecond']:>9.1f} sessions/s  p50 {l['p50']:.1f}  p95 {l['p95']:.1f}  p99 {l['p99']:.1f}  max {l['max']:.1f} ms"
            f"  machine CPU {busy}% of {100 * os.cpu_count()}%")
print(line("kea", kea, kea_busy)); print(line("aether", aether, aether_busy))
ratio = aether["sessionsPerSecond"] / kea["sessionsPerSecond"] if kea["sessionsPerSecond"] else 0
print(f"ratio    Aether / Kea alone = {ratio:.2f} (Kea's {backend} lease backend, RADIUS auth, kernel programming and events on)")
failures = {k: v for k, v in aether["failures"].items() if v}
if failures:
    print("failures " + ", ".join(f"{k} {v}" for k, v in failures.items()))
window = aether["setupSeconds"]
for p in aether.get("processes", []):
    samples = [s["cpuPercent"] for s in p["samples"] if s["at"] <= window] or [p["cpuPercentMean"]]
    print(f"process  {p['name']:<11} cpu mean {sum(samples)/len(samples):.0f}% max {max(samples):.0f}% over the setups  rss max {p['rssBytesMax']/2**20:.0f} MiB")

# CPU per setup of the named processes over a run's setups (their 1 s samples until the last setup ended).
def ms_per_setup(r, *names):
    window, bound = r["setupSeconds"], r["subscribers"]["bound"]
    total = 0.0
    for p in r.get("processes", []):
        if p["name"] in names:
            samples = [s["cpuPercent"] for s in p["samples"] if s["at"] <= window] or [p["cpuPercentMean"]]
            total += sum(samples) / len(samples) / 100 * window
    return 1000 * total / bound if bound else 0.0

radius = json.load(open(f"{out}/radius.json")) if os.path.exists(f"{out}/radius.json") else None
if radius:
    cpu = {g["name"]: g for g in radius["cpu"]}
    l = radius["setupLatency"]
    print(f"radius   {radius['accepted']:>7} accepted {radius['failed']:>4} failed {radius['setupsPerSecond']:>9.1f} setups/s    "
          f"p50 {l['p50']:.1f}  p95 {l['p95']:.1f}  p99 {l['p99']:.1f}  max {l['max']:.1f} ms  "
          f"(Access-Request + Accounting-Start; Accounting-Stop {radius['stopsPerSecond']:.1f}/s)")
    radius_ms = cpu["freeradius"]["setupMsPerSubscriber"] + cpu["postgres"]["setupMsPerSubscriber"]
    print(f"cpu      RADIUS alone: FreeRADIUS {cpu['freeradius']['setupMsPerSubscriber']:.2f} + its PostgreSQL "
          f"{cpu['postgres']['setupMsPerSubscriber']:.2f} = {radius_ms:.2f} ms per setup "
          f"({cpu['freeradius']['stopMsPerSubscriber'] + cpu['postgres']['stopMsPerSubscriber']:.2f} per stop), "
          f"machine {cpu['machine']['setupMsPerSubscriber']:.2f} ms")
    kea_ms = ms_per_setup(kea, "kea", "kea-postgres")
    print(f"cpu      Kea alone: Kea and its PostgreSQL {kea_ms:.2f} ms per DORA")
    own = {n: ms_per_setup(aether, n) for n in ("agent", "controller", "ingestor", "nats")}
    print("cpu      Aether: " + " + ".join(f"{n} {v:.2f}" for n, v in own.items())
          + f" = {sum(own.values()):.2f} ms per setup, beside Kea {ms_per_setup(aether, 'kea', 'kea-postgres'):.2f} "
          f"and FreeRADIUS {ms_per_setup(aether, 'freeradius'):.2f}")
    def pg_jiffies(path):
        d = {}
        for l in open(path):
            user, pid, j = l.split()
            d[(user, pid)] = int(j)
        return d
    pg0, pg1 = pg_jiffies(f"{out}/pg-cpu-start.txt"), pg_jiffies(f"{out}/pg-cpu-setups.txt")
    bound_a = aether["subscribers"]["bound"] or 1
    pg_ms = {u: 10 * sum(max(0, j - pg0.get((x, p), 0)) for (x, p), j in pg1.items() if x == u) / bound_a for u in ("kea", "radius", "aether")}
    print("cpu      Aether's PostgreSQL sessions: " + " + ".join(f"{u} {v:.2f}" for u, v in pg_ms.items())
          + f" = {sum(pg_ms.values()):.2f} ms per setup; the machine {aether_busy_ms / bound_a:.2f} ms per setup in all")
    # What the machine has per setup at the top-rate targets, and what the peers alone take of it (a paced run's
    # Kea rate is the pace, not Kea's top rate).
    cores = os.cpu_count()
    target = 0.8 * kea["sessionsPerSecond"] if backend == "postgresql" else 2000.0
    what = "80% of Kea alone" if backend == "postgresql" else "2,000 setups/s"
    budget = 1000 * cores / target if target else 0.0
    left_over = budget - kea_ms - radius_ms
    if not paced: print(f"budget   at {what} ({target:.0f}/s) {cores} cores give {budget:.2f} ms of CPU per setup; Kea alone and RADIUS alone "
          f"take {kea_ms + radius_ms:.2f} of it, leaving {left_over:.2f} ms for the agent, controller, events and kernel "
          f"(they took {sum(own.values()):.2f} here); the peers alone could not go past "
          f"{1000 * cores / (kea_ms + radius_ms) if kea_ms + radius_ms > 0 else float('inf'):.0f} setups/s")
bound = aether["subscribers"]["bound"]
print(f"check    {bound} bound: {in_pg} sessions_active rows of the run ({in_pg_match} with the lease's address and MAC), "
      f"{in_kernel} in both nftables sets, {in_graphql} more ACTIVE sessions on the BNG in GraphQL, {graphql_sample} of a sample of "
      f"{min(50, len(held))} found by address in GraphQL")
print(f"release  {aether['subscribers']['released']} released: {left} sessions of the run still active, {left_kernel} addresses still in the kernel")
ok = (in_pg_match >= bound and in_kernel >= bound and in_graphql >= bound and graphql_sample >= min(50, len(held))
      and left == 0 and left_kernel == 0)
print("result   " + ("every subscriber became a session end to end, and every session ended with its RELEASE" if ok
                     else "MISMATCH: see the check and release lines"))
sys.exit(0 if ok else 1)
PY
log "report, JSON and histograms in $OUT"
