#!/usr/bin/env bash
# Audits the proxy's inbound mTLS listener with testssl.sh (Debian package): one local controller
# (mesh CA on, bootstrap token) and two proxies, one for a STRICT and one for a PERMISSIVE service,
# all on free 127.0.0.1 ports. testssl.sh runs three times, writing flat JSON, CSV and its log:
#   strict       STRICT listener, no client certificate (what an outsider sees)
#   strict-mtls  STRICT listener, testssl.sh's openssl presenting a mesh client certificate
#   permissive   PERMISSIVE listener, no client certificate
# testssl.sh addresses each proxy by its service's mesh host name (audited.tlsaudit.local, the DNS
# SAN of mesh certificates) with --ip 127.0.0.1, and judges certificate lifetimes by the mesh's own
# policy (DAYS2WARN1/DAYS2WARN2 below), not web-PKI's.
# Prints (and writes to summary.txt) the client-authentication probes, the revocation check (the
# CRL verified with openssl; the client certificate revoked and refused), counts by severity and
# every HIGH/CRITICAL finding with its id; exits 1 if there is any, if STRICT accepts a caller
# without a client certificate, or if it still accepts one whose certificate was revoked.
#
#   scripts/tls-audit.sh [--out DIR]      (default DIR: security/tls-audit/latest)
#
# Idempotent: installs testssl.sh only if missing, builds the jars only if missing, overwrites DIR's
# results. Every process it starts is stopped on exit. Traffic goes to 127.0.0.1 only.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/security/tls-audit/latest"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    *) echo "tls-audit: argument: $1 (expected: --out DIR)" >&2; exit 2 ;;
  esac
done
CONTROLLER_JAR="$ROOT/controller/target/trellis-controller.jar"
PROXY_JAR="$ROOT/proxy-image/target/trellis-proxy.jar"
READY_TIMEOUT_S=90       # controller up + first snapshot + first certificate
TESTSSL_TIMEOUT_S=1200   # one testssl.sh run against loopback takes a few minutes
CRL_REFRESH_S=2          # the audited proxies fetch the CRL this often (30 s by default)
# Certificate lifetime thresholds: testssl.sh's defaults are web-PKI's (HIGH under 30 days, MEDIUM
# under 60), which a 24 h mesh leaf (issue 6) can never meet. The mesh's policy: HIGH only once a
# leaf has expired (our own alarm fires at < 6 h left, trellis.proxy.certificate.expiry), and a leaf
# living under a day still shows, as MEDIUM "expires < 1 days": visible, not hidden.
export DAYS2WARN1=1 DAYS2WARN2=0

log() { printf 'tls-audit: %s\n' "$*" >&2; }

# --- testssl.sh from Debian -------------------------------------------------------------------
if ! command -v testssl >/dev/null 2>&1; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  if ! apt-cache show testssl.sh >/dev/null 2>&1; then
    log "apt-get update (testssl.sh not in the package lists yet)"
    $SUDO apt-get update -qq
  fi
  log "apt-get install testssl.sh"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq testssl.sh >/dev/null
fi
TESTSSL="$(command -v testssl)"

# --- the jars ---------------------------------------------------------------------------------
if [[ ! -f "$CONTROLLER_JAR" || ! -f "$PROXY_JAR" ]]; then
  log "building the controller and proxy jars"
  (cd "$ROOT" && mvn -q -o -pl controller,proxy-image -am package -DskipTests)
fi

# --- processes and clean-up -------------------------------------------------------------------
WORK="$(mktemp -d -t trellis-tls-audit.XXXXXX)"
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until $1 answers 200, or the process $2 exits, or READY_TIMEOUT_S passes.
wait_for() {
  local url="$1" pid="$2" i
  for i in $(seq 1 $((READY_TIMEOUT_S * 2))); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited before $url answered"; return 1; }
    sleep 0.5
  done
  log "$url: no 200 within ${READY_TIMEOUT_S}s"; return 1
}

# --- the mesh: one STRICT service, one PERMISSIVE service ---------------------------------------
TOKEN="tls-audit-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ADMIN_TOKEN="tls-audit-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The names callers use (CloudMapNames.host: <service>.<mesh>.local), which mesh certificates carry as DNS SAN.
declare -A HOST=([audited]=audited.tlsaudit.local [audited-permissive]=audited-permissive.tlsaudit.local)
cat > "$WORK/mesh.yaml" <<'YAML'
apiVersion: trellis.dev/v1
mesh: tlsaudit
trustDomain: tlsaudit.trellis.local
tls: STRICT
defaultPolicy: ALLOW
services:
  - name: audited
    protocol: http
    port: 8080
  - name: audited-permissive
    protocol: http
    port: 8081
    tls: PERMISSIVE
  # No proxy: the identity of the client certificate the client-auth probes present.
  - name: tls-auditor
    protocol: http
    port: 8082
YAML

CONTROLLER_PORT="$(free_port)"
java -Xmx192m -jar "$CONTROLLER_JAR" --spec-file "$WORK/mesh.yaml" --host 127.0.0.1 --port "$CONTROLLER_PORT" \
  --bootstrap-token "$TOKEN" --admin-token "$ADMIN_TOKEN" --ca-file "$WORK/ca.json" >"$WORK/controller.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$CONTROLLER_PORT/v1/trust-bundle" "${PIDS[-1]}" || { cat "$WORK/controller.log" >&2; exit 1; }
# The mesh root, so that testssl.sh judges the chain against the CA proxies actually trust.
curl -fsS --max-time 5 "http://127.0.0.1:$CONTROLLER_PORT/v1/trust-bundle" > "$WORK/mesh-root.pem"

declare -A INBOUND
start_proxy() {
  local service="$1" inbound admin
  inbound="$(free_port)"; admin="$(free_port)"
  java -Xmx192m -jar "$PROXY_JAR" --controller "http://127.0.0.1:$CONTROLLER_PORT" --bootstrap-token "$TOKEN" \
    --service "$service" --proxy-id "$service-audit" --snapshot-cache "$WORK/$service-snapshot.json" \
    --bind 127.0.0.1 --admin-bind 127.0.0.1 --inbound-port "$inbound" --outbound-port "$(free_port)" \
    --admin-port "$admin" --app-port "$(free_port)" --event-loops 1 --crl-refresh "${CRL_REFRESH_S}s" >"$WORK/$service.log" 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$admin/ready" "${PIDS[-1]}" || { cat "$WORK/$service.log" >&2; exit 1; }
  INBOUND[$service]="$inbound"
  log "$service: inbound 127.0.0.1:$inbound ready ($(head -c 200 "$WORK/$service.log" | tr '\n' ' '))"
}
start_proxy audited
start_proxy audited-permissive

# --- client authentication, checked directly ----------------------------------------------------
# testssl.sh 3.0.8 (Debian) cannot present a client certificate (its --mtls came in 3.2); it does not
# need one: every handshake-level test reads the ServerHello, which comes before the server's
# certificate request. What it cannot show is that STRICT really refuses a caller without a mesh
# certificate and accepts one with it, so curl checks that here with a certificate from the mesh CA.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/client.key" -subj "/CN=tls-auditor" \
  -addext "subjectAltName=URI:spiffe://tlsaudit.trellis.local/mesh/tlsaudit/service/tls-auditor" \
  -out "$WORK/client.csr" 2>/dev/null
jq -n --rawfile csr "$WORK/client.csr" --arg token "$TOKEN" '{csrPem: $csr, proof: {kind: "bootstrap", token: $token}}' \
  | curl -fsS --max-time 10 -H 'Content-Type: application/json' --data-binary @- \
      "http://127.0.0.1:$CONTROLLER_PORT/v1/certificates" | jq -r .certificateChainPem > "$WORK/client.pem"

# "HTTP <status>" when the handshake and request went through, else "refused: <curl's error>".
# By the service's host name (resolved to 127.0.0.1), checked against the mesh root and the DNS SAN.
probe() {
  local service="$1" port="$2"; shift 2
  local status
  if status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$WORK/mesh-root.pem" \
      --resolve "${HOST[$service]}:$port:127.0.0.1" "$@" "https://${HOST[$service]}:$port/" 2>"$WORK/probe.err")"; then
    echo "HTTP $status"
  else
    echo "refused: $(tr -d '\n' < "$WORK/probe.err" | sed 's/^curl: //')"
  fi
}
STRICT_NO_CERT="$(probe audited "${INBOUND[audited]}")"
STRICT_MESH_CERT="$(probe audited "${INBOUND[audited]}" --cert "$WORK/client.pem" --key "$WORK/client.key")"
PERMISSIVE_NO_CERT="$(probe audited-permissive "${INBOUND[audited-permissive]}")"
PERMISSIVE_PLAINTEXT="$(curl -sS -o /dev/null -w 'HTTP %{http_code}' --max-time 5 "http://127.0.0.1:${INBOUND[audited-permissive]}/" 2>&1 || true)"

# --- testssl.sh ---------------------------------------------------------------------------------
mkdir -p "$OUT"
run_testssl() {
  local mode="$1" host="$2" port="$3"; shift 3
  rm -f "$OUT/$mode.json" "$OUT/$mode.csv" "$OUT/$mode.log"
  log "testssl.sh against $host:$port at 127.0.0.1 ($mode); a few minutes"
  # No --severity filter: the JSON keeps every finding (OK and INFO too) so that the counts are
  # complete; HIGH/CRITICAL are picked out below. No --phone-out: no CRL/OCSP fetches, loopback only.
  # In the background and waited for, so that a signal to this script reaches the trap at once.
  # The target is the service's host name, so cert_trust is judged against the name callers use;
  # --ip 127.0.0.1 --nodns none: no DNS, the host name only names the target.
  timeout "$TESTSSL_TIMEOUT_S" "$TESTSSL" --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1 \
    --connect-timeout 5 --openssl-timeout 10 --add-ca "$WORK/mesh-root.pem" "$@" \
    --jsonfile "$OUT/$mode.json" --csvfile "$OUT/$mode.csv" --logfile "$OUT/$mode.log" \
    "$host:$port" >/dev/null 2>&1 &
  PIDS+=($!)
  wait "${PIDS[-1]}" || true   # testssl.sh's exit code counts findings; they are judged below
  unset 'PIDS[-1]'             # reaped: its id may be reused, never signal it again
  [[ -s "$OUT/$mode.json" ]] || { log "$mode: testssl.sh wrote no JSON"; return 1; }
}
# STRICT as an outsider sees it: no client certificate. testssl.sh's own socket tests never send
# one; its openssl-based tests (renegotiation, BREACH, HTTP) stop at the certificate request.
run_testssl strict "${HOST[audited]}" "${INBOUND[audited]}"
# STRICT as a mesh peer sees it: testssl.sh 3.0.8 has no --mtls (3.2 has), so its openssl is a
# wrapper that presents the mesh client certificate on every s_client handshake.
OPENSSL_BIN="$(command -v openssl)"
cat > "$WORK/openssl-mtls" <<SH
#!/usr/bin/env bash
if [[ "\$1" == s_client ]]; then shift; exec "$OPENSSL_BIN" s_client -cert "$WORK/client.pem" -key "$WORK/client.key" "\$@"; fi
exec "$OPENSSL_BIN" "\$@"
SH
chmod +x "$WORK/openssl-mtls"
run_testssl strict-mtls "${HOST[audited]}" "${INBOUND[audited]}" --openssl "$WORK/openssl-mtls"
run_testssl permissive "${HOST[audited-permissive]}" "${INBOUND[audited-permissive]}"

# --- revocation, checked directly -------------------------------------------------------------------
# No --phone-out above: it would also query pwnedkeys.com. The CRL the leaves name is checked here with
# openssl instead: its signature against the mesh root, the audited proxy's leaf not on it; then the
# client certificate is revoked through the admin endpoint and STRICT must refuse it.
openssl s_client -connect "127.0.0.1:${INBOUND[audited]}" -servername "${HOST[audited]}" -cert "$WORK/client.pem" \
  -key "$WORK/client.key" </dev/null 2>/dev/null | openssl x509 > "$WORK/audited-leaf.pem"
CRL_URL="$(openssl x509 -in "$WORK/audited-leaf.pem" -noout -ext crlDistributionPoints | sed -n 's/^ *URI://p' | head -1)"
curl -fsS --max-time 5 -o "$WORK/crl.der" "$CRL_URL"
openssl crl -inform DER -in "$WORK/crl.der" -out "$WORK/crl.pem"
CRL_SIGNATURE="$(openssl crl -in "$WORK/crl.pem" -CAfile "$WORK/mesh-root.pem" -noout 2>&1 | tr '\n' ' ')"
LEAF_AGAINST_CRL="$(openssl verify -crl_check -CAfile "$WORK/mesh-root.pem" -CRLfile "$WORK/crl.pem" "$WORK/audited-leaf.pem" 2>&1 | tail -1)"
CLIENT_SERIAL="$(openssl x509 -in "$WORK/client.pem" -noout -serial | cut -d= -f2)"
REVOKE_STATUS="$(curl -sS -o "$WORK/revoke.json" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' --data "{\"serial\":\"$CLIENT_SERIAL\"}" "http://127.0.0.1:$CONTROLLER_PORT/v1/revocations")"
REVOKE_UNAUTHENTICATED="$(curl -sS -o /dev/null -w 'HTTP %{http_code}' --max-time 10 -H 'Content-Type: application/json' \
  --data "{\"serial\":\"$CLIENT_SERIAL\"}" "http://127.0.0.1:$CONTROLLER_PORT/v1/revocations")"
sleep $((CRL_REFRESH_S * 2 + 1))   # two refreshes: one may have been in flight when the serial was revoked
STRICT_REVOKED_CERT="$(probe audited "${INBOUND[audited]}" --cert "$WORK/client.pem" --key "$WORK/client.key")"

# The TLS library the proxy's MeshTls picks (OPENSSL = BoringSSL through netty-tcnative, else JDK).
tls_provider() {
  cat > "$WORK/TlsProvider.java" <<'JAVA'
public class TlsProvider {
    public static void main(String[] args) {
        System.out.println(io.netty.handler.ssl.OpenSsl.isAvailable()
                ? "OPENSSL provider: " + io.netty.handler.ssl.OpenSsl.versionString()
                : "JDK provider (" + io.netty.handler.ssl.OpenSsl.unavailabilityCause() + ")");
    }
}
JAVA
  echo "$(java -cp "$PROXY_JAR" "$WORK/TlsProvider.java" 2>/dev/null | tail -1)," \
    "netty-tcnative-boringssl-static $(unzip -p "$PROXY_JAR" META-INF/maven/io.netty/netty-tcnative-boringssl-static/pom.properties \
      | sed -n 's/^version=//p')"
}

# --- summary --------------------------------------------------------------------------------------
{
  echo "# Trellis inbound listener TLS audit"
  echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "testssl:   $(dpkg-query -W -f='${Package} ${Version}' testssl.sh 2>/dev/null || echo unknown)"
  echo "openssl:   $(openssl version) (testssl.sh's client)"
  echo "server:    trellis-proxy inbound listener, $(tls_provider)"
  echo "command:   scripts/tls-audit.sh; each run: DAYS2WARN1=$DAYS2WARN1 DAYS2WARN2=$DAYS2WARN2 testssl --quiet --color 0 --warnings off" \
       "--nodns none --ip 127.0.0.1 --connect-timeout 5 --openssl-timeout 10 --add-ca <mesh root>" \
       "[--openssl <wrapper presenting the mesh client cert>] --jsonfile <mode>.json --csvfile <mode>.csv --logfile <mode>.log" \
       "<service>.tlsaudit.local:<inbound port>"
  echo
  echo "## client authentication (curl, before testssl.sh)"
  echo "strict, no client certificate:         $STRICT_NO_CERT"
  echo "strict, mesh client certificate:       $STRICT_MESH_CERT"
  echo "permissive, no client certificate:     $PERMISSIVE_NO_CERT"
  echo "permissive, plaintext HTTP:            $PERMISSIVE_PLAINTEXT"
  echo
  echo "## revocation (openssl and curl, after testssl.sh)"
  echo "CRL distribution point of the leaf:    $CRL_URL"
  echo "CRL signature against the mesh root:   $CRL_SIGNATURE"
  echo "audited leaf against the CRL:          $LEAF_AGAINST_CRL"
  echo "revoke without the admin token:        $REVOKE_UNAUTHENTICATED"
  echo "revoke client serial $CLIENT_SERIAL: HTTP $REVOKE_STATUS"
  echo "strict, revoked client certificate:    $STRICT_REVOKED_CERT"
  for mode in strict strict-mtls permissive; do
    echo
    echo "## $mode ($(jq -r '[.[] | select(.id=="service")][0].finding // "service: ?"' "$OUT/$mode.json"))"
    echo "counts:  $(jq -r 'group_by(.severity) | map("\(.[0].severity)=\(length)") | join(" ")' "$OUT/$mode.json")"
    echo "HIGH/CRITICAL:"
    jq -r '.[] | select(.severity=="HIGH" or .severity=="CRITICAL") | "  \(.severity) \(.id): \(.finding)"' "$OUT/$mode.json" \
      | grep . || echo "  none"
  done
} | tee "$OUT/summary.txt"

[[ "$STRICT_NO_CERT" == refused:* ]] || { log "STRICT accepted a caller without a client certificate: $STRICT_NO_CERT"; exit 1; }
[[ "$STRICT_REVOKED_CERT" == refused:* ]] || { log "STRICT accepted a revoked client certificate: $STRICT_REVOKED_CERT"; exit 1; }
HIGH="$(jq -s '[.[][] | select(.severity=="HIGH" or .severity=="CRITICAL")] | length' "$OUT/strict.json" "$OUT/strict-mtls.json" "$OUT/permissive.json")"
[[ "$HIGH" -eq 0 ]] || { log "$HIGH HIGH/CRITICAL finding(s)"; exit 1; }
