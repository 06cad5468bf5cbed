#!/usr/bin/env bash
# The lab's PKI with openssl: a CA, the controller's server certificate and one client certificate per agent.
#
#   lab/pki.sh DIR [BNG_ID...]     default agents: bng-01 bng-02
#
# Writes into DIR (created if missing):
#   ca.crt ca.key                        the lab CA (ECDSA P-256, 10 years)
#   controller.crt controller.key        server certificate, SANs 127.0.0.1, 198.18.0.1, controller.aether.lab, localhost
#   agent-<bng id>.crt agent-<bng id>.key  client certificate with CN = the bng id (the controller maps CN to the agent)
#
# Idempotent: what exists and is still valid for 30 days is kept; a missing file is made. Keys are mode 600.
# Extra server names: CONTROLLER_SANS="IP:10.0.0.5,DNS:controller.example" (appended to the defaults).
set -euo pipefail

die() { printf '[pki] error: %s\n' "$*" >&2; exit 1; }
log() { printf '[pki] %s\n' "$*" >&2; }

[ $# -ge 1 ] || die "usage: $0 DIR [BNG_ID...]"
command -v openssl >/dev/null || die "openssl is required"
DIR="$1"
shift
AGENTS=("$@")
[ ${#AGENTS[@]} -gt 0 ] || AGENTS=(bng-01 bng-02)
DAYS_CA=3650
DAYS_LEAF=825
SANS="IP:127.0.0.1,IP:198.18.0.1,DNS:controller.aether.lab,DNS:localhost${CONTROLLER_SANS:+,$CONTROLLER_SANS}"

mkdir -p "$DIR"
umask 077

valid() { # CERT: exists and does not expire within 30 days
  [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend $((30 * 86400)) >/dev/null 2>&1
}

signed_by_ca() { # CERT
  openssl verify -CAfile "$DIR/ca.crt" "$1" >/dev/null 2>&1
}

new_key() { # KEY
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  chmod 600 "$1"
}

if ! valid "$DIR/ca.crt" || [ ! -s "$DIR/ca.key" ]; then
  log "making the lab CA in $DIR"
  new_key "$DIR/ca.key"
  openssl req -x509 -new -key "$DIR/ca.key" -sha256 -days "$DAYS_CA" -subj "/O=Aether lab/CN=Aether lab CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$DIR/ca.crt"
  # A new CA invalidates everything it signed before.
  rm -f "$DIR/controller.crt" "$DIR"/agent-*.crt
fi

leaf() { # NAME CN USAGE EXTRA_EXT
  local name=$1 cn=$2 usage=$3 extra=$4
  if valid "$DIR/$name.crt" && [ -s "$DIR/$name.key" ] && signed_by_ca "$DIR/$name.crt"; then
    return
  fi
  log "making $name.crt (CN=$cn)"
  [ -s "$DIR/$name.key" ] || new_key "$DIR/$name.key"
  local ext
  ext=$(mktemp)
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nauthorityKeyIdentifier=keyid\n%s\n' \
    "$usage" "$extra" >"$ext"
  openssl req -new -key "$DIR/$name.key" -subj "/O=Aether lab/CN=$cn" 2>/dev/null |
    openssl x509 -req -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial -days "$DAYS_LEAF" -sha256 \
      -extfile "$ext" -out "$DIR/$name.crt" 2>/dev/null
  rm -f "$ext"
}

leaf controller controller.aether.lab serverAuth "subjectAltName=$SANS"
for bng in "${AGENTS[@]}"; do
  [[ "$bng" =~ ^[A-Za-z0-9._-]+$ ]] || die "'$bng' is not a bng id (letters, digits, . _ -)"
  leaf "agent-$bng" "$bng" clientAuth ""
done
chmod 600 "$DIR"/*.key
chmod 644 "$DIR"/*.crt
rm -f "$DIR/ca.srl"
log "PKI ready in $DIR: ca.crt, controller.crt/.key, $(printf 'agent-%s.crt/.key ' "${AGENTS[@]}")"
