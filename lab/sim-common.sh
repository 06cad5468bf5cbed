# Shared by lab/load.sh and lab/churn.sh: the lab's settings, logging with the script's name, and the checks that
# the lab and Aether are up and the simulator is built. Source it after setting SCRIPT_NAME.
LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LAB_ROOT/.." && pwd)"
source "$LAB_ROOT/lab.env"
source "$LAB_ROOT/topology.sh"

die() { printf '[%s] error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }
pid_of() { cat "$LAB_DIR/run/$1.pid" 2>/dev/null || true; }
# psql_db DB SQL: the lab's users are named after their databases, with the same password.
psql_db() { PGPASSWORD=$1 psql -X -tA -h 127.0.0.1 -p "$PG_PORT" -U "$1" "$1" -c "$2"; }
kea_backend() { python3 -c "import json;print(json.load(open('$LAB_DIR/kea/kea-dhcp4.json'))['Dhcp4']['lease-database']['type'])"; }

# Root, the lab up with Aether started, and the simulator built; sets SIM.
require_lab() {
  [ "$(id -u)" -eq 0 ] || die "run as root"
  ip netns list | grep -qw "$NS_LOAD" || die "the lab is not up (lab/lab.sh up && lab/lab.sh start)"
  [ -n "$(pid_of controller)" ] || die "Aether is not running (lab/lab.sh start)"
  SIM="$REPO_ROOT/src/Aether.Simulator/bin/$BUILD_CONFIGURATION/net10.0/aether-sim.dll"
  [ -f "$SIM" ] || die "$SIM is missing: build first (make build)"
}
sim() { ip netns exec "$NS_LOAD" dotnet "$SIM" "$@"; }
