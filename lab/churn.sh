#!/usr/bin/env bash
# The churn test: synthetic subscribers join and leave through bng-01's agent for a bounded time (aether-sim churn:
# from a pool of --pool, --rate joins a second, each holds its lease a random time in [--hold-min, --hold-max],
# releases, and may join again). Every --sample seconds it records the agent's memory, the sessions in the kernel
# (nftables elements, tc classes on the load interface's shards) and the rows that follow active sessions in
# PostgreSQL (sessions_active, open radacct records, Kea's leases). Once the population has settled (after the
# first --settle seconds) none of them may keep growing: the last third of the run may not exceed the middle third
# by more than --slack percent (memory) or the population's own swing (rows, elements); tc classes, which are
# re-used per shard and never deleted, may not exceed what was there plus the shard devices times the population's
# peak. After the run every
# session of it must have ended: no element, no sessions_active row, no open radacct record left.
#
#   lab/churn.sh [--pool N] [--rate R] [--duration D] [--hold-min D] [--hold-max D] [--sample S] [--settle S] [--out DIR]
#
# Needs the lab up and Aether started. The event log (session_events, traffic_samples) grows by design: it is the
# history, partitioned by month; the report prints its growth for reference.
set -euo pipefail
SCRIPT_NAME=churn
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/sim-common.sh"

POOL=3000
RATE=40
DURATION=300
HOLD_MIN=5s
HOLD_MAX=30s
SAMPLE=10
SETTLE=60
SLACK=15
OUT="$LAB_DIR/churn/$(date -u +%Y%m%dT%H%M%SZ)"
usage="usage: $0 [--pool N] [--rate R] [--duration SECONDS] [--hold-min D] [--hold-max D] [--sample S] [--settle S] [--out DIR]"
while [ $# -gt 0 ]; do
  case "$1" in
    --pool) POOL=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --hold-min) HOLD_MIN=$2; shift 2 ;;
    --hold-max) HOLD_MAX=$2; shift 2 ;;
    --sample) SAMPLE=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done


require_lab
[ "$DURATION" -gt $(( SETTLE + 3 * SAMPLE )) ] || die "--duration must leave at least three samples after --settle"
mkdir -p "$OUT"
BNG_NETNS=${BNG_NS[$LOAD_BNG]}
agent_pid=$(pid_of "agent-$LOAD_BNG")
run_id=$(( $(date +%s) % 100000 ))
remote_id="load-2$run_id"

# One sample: seconds, agent RSS (KiB), nft elements, tc classes on the load shards, sessions_active rows,
# open radacct records, Kea leases of the load subnet, event-log rows.
sample() {
  local rss elements classes active open leases events
  rss=$(awk '/^VmRSS/{print $2}' "/proc/$agent_pid/status")
  elements=$(ip netns exec "$BNG_NETNS" nft -j list set inet aether sub_up \
    | python3 -c 'import json,sys;print(sum(len(x["set"].get("elem",[])) for x in json.load(sys.stdin)["nftables"] if "set" in x))')
  classes=0
  for dev in $(ip -n "$BNG_NETNS" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$LOAD_IF-[du]"); do
    classes=$(( classes + $(ip netns exec "$BNG_NETNS" tc class show dev "$dev" | grep -c 'class htb') ))
  done
  active=$(psql_db aether "select count(*) from sessions_active where bng_id = '$LOAD_BNG'")
  open=$(psql_db radius "select count(*) from radacct where acctstoptime is null")
  if [ "$(kea_backend)" = postgresql ]; then
    leases=$(psql_db kea "select count(*) from lease4 where state = 0 and address >= x'64600000'::bigint and address < x'64640000'::bigint")
  else
    leases=$(awk -F, 'NR>1 && $1 ~ /^100\.(9[6-9])\./ {last[$1]=$0} END {n=0; for (a in last) { split(last[a],f,","); if (f[10]=="0" && f[5]+0 > systime()) n++ } print n}' "$LAB_DIR/kea/leases4.csv")
  fi
  events=$(psql_db aether "select (select count(*) from session_events) + (select count(*) from traffic_samples)")
  echo "$1 $rss $elements $classes $active $open $leases $events"
}

log "churn: pool $POOL, $RATE joins/s, holds $HOLD_MIN-$HOLD_MAX, for $DURATION s through agent $LOAD_BNG ($LOAD_IF); a sample every $SAMPLE s"
echo "seconds rss_kib nft_elements tc_classes sessions_active radacct_open kea_leases event_rows" >"$OUT/samples.txt"
sample 0 >>"$OUT/samples.txt"
sim churn --interface ld0 --pool "$POOL" --rate "$RATE" --duration "${DURATION}s" \
  --hold-min "$HOLD_MIN" --hold-max "$HOLD_MAX" --remote-id "$remote_id" --mac-prefix 02:5c --first $(( (run_id % 16) * 65536 )) \
  --pid "agent=$agent_pid" --pid "controller=$(pid_of controller)" --json "$OUT/churn.json" --quiet >"$OUT/churn.txt" 2>&1 &
sim_pid=$!
start=$(date +%s)
while kill -0 "$sim_pid" 2>/dev/null; do
  sleep "$SAMPLE"
  kill -0 "$sim_pid" 2>/dev/null || break
  sample $(( $(date +%s) - start )) | tee -a "$OUT/samples.txt" >&2
done
wait "$sim_pid" || log "the simulator reported failures (see $OUT/churn.txt)"
cat "$OUT/churn.txt"

log "after the run: waiting for every session of it to end"
for _ in $(seq 1 120); do
  left=$(psql_db aether "select count(*) from sessions_active where remote_id = '$remote_id'")
  [ "$left" -eq 0 ] && break
  sleep 1
done
sleep 2
sample "end" >>"$OUT/samples.txt"

devices=$(ip -n "$BNG_NETNS" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -c "^$LOAD_IF-[du]")
python3 - "$OUT" "$SETTLE" "$SLACK" "$left" "$devices" <<'PY' | tee "$OUT/report.txt"
import json, sys
out, settle, slack, left, devices = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = [l.split() for l in open(f"{out}/samples.txt").read().splitlines()[1:]]
base, end = [int(x) for x in rows[0][1:]], [int(x) for x in rows[-1][1:]]
during = [[int(x) for x in r] for r in rows[1:-1]]
settled = [r for r in during if r[0] >= settle]
third = max(1, len(settled) // 3)
middle, last = settled[third:2 * third] or settled[:third], settled[-third:]
churn = json.load(open(f"{out}/churn.json"))
names = ["agent RSS KiB", "nft elements", "tc classes (load shards)", "sessions_active (bng)", "radacct open", "Kea leases (load subnet)"]
print(f"churn    {churn['subscribers']['started']} joins, {churn['subscribers']['released']} releases, "
      f"{sum(churn['failures'].values())} failed, peak {churn['subscribers']['peakBound']} bound at once; "
      f"{len(during)} samples, settled after {settle} s")
ok = True
print(f"{'':26} {'before':>10} {'middle max':>11} {'last max':>10} {'after':>10}")
for i, name in enumerate(names, start=1):
    m, l = max(r[i] for r in middle), max(r[i] for r in last)
    swing = max(r[i] for r in settled) - min(r[i] for r in settled)
    if i == 1:
        grew = l > m * (1 + slack / 100)
    elif i == 3:
        # Classes are parked when sessions end and re-used on their shard, never deleted. Kea hands out addresses
        # in sequence, so the subscribers up at once share one or two shards, and each shard the population passes
        # through keeps up to its peak: bounded by the shard devices times the peak, on top of what was there.
        limit = base[i - 1] + devices * churn["subscribers"]["peakBound"]
        grew = l > limit
    else:
        # Populations swing with the churn; growth is the last third above the middle third by more than a swing.
        grew = l - m > max(swing // 2, 10)
    ok &= not grew
    verdict = "GROWING" if grew else (f"bounded (at most {limit})" if i == 3 else "flat")
    print(f"{name:26} {base[i-1]:>10} {m:>11} {l:>10} {end[i-1]:>10}  {verdict}")
ended = end[1] <= base[1] + 10 and end[3] <= base[3] + 10 and left == 0
ok &= ended
print(f"event-log rows grew by {end[6] - base[6]} (history, by design)")
print(f"after    {left} sessions of the run still active; nft elements {end[1]} (before {base[1]}), sessions_active {end[3]} (before {base[3]}), radacct open {end[4]} (before {base[4]})")
print("result   " + ("no growth once settled, and every session of the run ended" if ok else "GROWTH or sessions left: see above"))
sys.exit(0 if ok else 1)
PY
log "samples, report and the simulator's JSON in $OUT"
