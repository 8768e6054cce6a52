#!/usr/bin/env bash
# Audits the proxy's inbound mTLS listener with testssl.sh (Debian package): one local controller
# (mesh CA on, bootstrap token) and two proxies, one for a STRICT and one for a PERMISSIVE service,
# all on free 127.0.0.1 ports. testssl.sh runs three times, writing flat JSON, CSV and its log:
#   strict       STRICT listener, no client certificate (what an outsider sees)
#   strict-mtls  STRICT listener, testssl.sh's openssl presenting a mesh client certificate
#   permissive   PERMISSIVE listener, no client certificate
# Prints (and writes to summary.txt) the client-authentication probes, counts by severity and every
# HIGH/CRITICAL finding with its id; exits 1 if there is any, or if STRICT accepts a caller without
# a client certificate.
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
  --bootstrap-token "$TOKEN" --ca-file "$WORK/ca.json" >"$WORK/controller.log" 2>&1 &
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
    --admin-port "$admin" --app-port "$(free_port)" --event-loops 1 >"$WORK/$service.log" 2>&1 &
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
# -k: mesh certificates carry a SPIFFE URI, no host name; only client authentication is probed.
probe() {
  local port="$1"; shift
  local status
  if status="$(curl -k -sS -o /dev/null -w '%{http_code}' --max-time 5 "$@" "https://127.0.0.1:$port/" 2>"$WORK/probe.err")"; then
    echo "HTTP $status"
  else
    echo "refused: $(tr -d '\n' < "$WORK/probe.err" | sed 's/^curl: //')"
  fi
}
STRICT_NO_CERT="$(probe "${INBOUND[audited]}")"
STRICT_MESH_CERT="$(probe "${INBOUND[audited]}" --cert "$WORK/client.pem" --key "$WORK/client.key")"
PERMISSIVE_NO_CERT="$(probe "${INBOUND[audited-permissive]}")"
PERMISSIVE_PLAINTEXT="$(curl -sS -o /dev/null -w 'HTTP %{http_code}' --max-time 5 "http://127.0.0.1:${INBOUND[audited-permissive]}/" 2>&1 || true)"

# --- testssl.sh ---------------------------------------------------------------------------------
mkdir -p "$OUT"
run_testssl() {
  local mode="$1" port="$2"; shift 2
  rm -f "$OUT/$mode.json" "$OUT/$mode.csv" "$OUT/$mode.log"
  log "testssl.sh against 127.0.0.1:$port ($mode); a few minutes"
  # No --severity filter: the JSON keeps every finding (OK and INFO too) so that the counts are
  # complete; HIGH/CRITICAL are picked out below. No --phone-out: no CRL/OCSP fetches, loopback only.
  # In the background and waited for, so that a signal to this script reaches the trap at once.
  timeout "$TESTSSL_TIMEOUT_S" "$TESTSSL" --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1 \
    --connect-timeout 5 --openssl-timeout 10 --add-ca "$WORK/mesh-root.pem" "$@" \
    --jsonfile "$OUT/$mode.json" --csvfile "$OUT/$mode.csv" --logfile "$OUT/$mode.log" \
    "127.0.0.1:$port" >/dev/null 2>&1 &
  PIDS+=($!)
  wait "${PIDS[-1]}" || true   # testssl.sh's exit code counts findings; they are judged below
  unset 'PIDS[-1]'             # reaped: its id may be reused, never signal it again
  [[ -s "$OUT/$mode.json" ]] || { log "$mode: testssl.sh wrote no JSON"; return 1; }
}
# STRICT as an outsider sees it: no client certificate. testssl.sh's own socket tests never send
# one; its openssl-based tests (renegotiation, BREACH, HTTP) stop at the certificate request.
run_testssl strict "${INBOUND[audited]}"
# STRICT as a mesh peer sees it: testssl.sh 3.0.8 has no --mtls (3.2 has), so its openssl is a
# wrapper that presents the mesh client certificate on every s_client handshake.
OPENSSL_BIN="$(command -v openssl)"
cat > "$WORK/openssl-mtls" <<SH
#!/usr/bin/env bash
if [[ "\$1" == s_client ]]; then shift; exec "$OPENSSL_BIN" s_client -cert "$WORK/client.pem" -key "$WORK/client.key" "\$@"; fi
exec "$OPENSSL_BIN" "\$@"
SH
chmod +x "$WORK/openssl-mtls"
run_testssl strict-mtls "${INBOUND[audited]}" --openssl "$WORK/openssl-mtls"
run_testssl permissive "${INBOUND[audited-permissive]}"

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
  echo "command:   scripts/tls-audit.sh; each run: testssl --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1" \
       "--connect-timeout 5 --openssl-timeout 10 --add-ca <mesh root> [--openssl <wrapper presenting the mesh client cert>]" \
       "--jsonfile <mode>.json --csvfile <mode>.csv --logfile <mode>.log 127.0.0.1:<inbound port>"
  echo
  echo "## client authentication (curl, before testssl.sh)"
  echo "strict, no client certificate:         $STRICT_NO_CERT"
  echo "strict, mesh client certificate:       $STRICT_MESH_CERT"
  echo "permissive, no client certificate:     $PERMISSIVE_NO_CERT"
  echo "permissive, plaintext HTTP:            $PERMISSIVE_PLAINTEXT"
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
HIGH="$(jq -s '[.[][] | select(.severity=="HIGH" or .severity=="CRITICAL")] | length' "$OUT/strict.json" "$OUT/strict-mtls.json" "$OUT/permissive.json")"
[[ "$HIGH" -eq 0 ]] || { log "$HIGH HIGH/CRITICAL finding(s)"; exit 1; }
