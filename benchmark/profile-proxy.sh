#!/usr/bin/env bash
# Measures the sidecar proxy's cost per request on 2 cores (DESIGN.md "Benchmark method"):
# proxy alone on core 1, fortio upstream + load generator on core 0, a fixed rate below
# saturation. Prints CPU µs/request (utime+stime of all proxy threads), p50/p99 added latency
# vs. calling the upstream directly, bytes allocated per request (JFR ThreadAllocationStatistics)
# and, with STRACE=1, syscalls per request. Every figure line carries the machine load.
#
#   benchmark/profile-proxy.sh [RATE=2000] [SECONDS=20] [REPEATS=3]
#   env: WARMUP=60 WARMUP_RATE=5000 STRACE=1 PROFILE=1 (JFR profile recording kept in $OUT) JAVA_OPTS=...
#        PROTOCOL=h1 (default: HTTP/1.1 to the inbound listener, which forwards to the local app)
#                 h2c (HTTP/2 prior knowledge, fortio -h2, to the outbound listener; HTTP/1.1 upstream)
#                 grpc (fortio's gRPC ping, h2c, to the outbound listener; h2c upstream, fortio's gRPC port)
#        as benchmark/bench.py's h2c and grpc scenarios: same spec, Host / :authority routing.
#        TRELLIS_PROXY_JAR=/other/trellis-proxy.jar measures another build (A/B runs of two jars).
# The warm-up is long on purpose: C2 keeps compiling for about a minute of load and, until it
# settles, its CPU is counted against the proxy (after 60 s at 2k req/s the next run still read 3x).
# The JVM runs with the production image's flags (Dockerfile ENTRYPOINT) unless JAVA_OPTS is set.
set -euo pipefail
RATE=${1:-2000}; SECONDS_RUN=${2:-15}; REPEATS=${3:-3}; WARMUP=${WARMUP:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${TRELLIS_PROXY_JAR:-$ROOT/proxy-image/target/trellis-proxy.jar}
PROTOCOL=${PROTOCOL:-h1}
FORTIO=${FORTIO:-$(command -v fortio || echo ~/go/bin/fortio)}
OUT=${OUT:-$(mktemp -d /tmp/profile-proxy.XXXX)}; mkdir -p "$OUT"
UP=18180; IN=18181; OUTB=18182; ADMIN=18183; GRPC_UP=18184
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
load() { uptime | sed 's/.*load average: /load /'; }

taskset -c 0 "$FORTIO" server -http-port 127.0.0.1:$UP -grpc-port 127.0.0.1:$GRPC_UP -redirect-port disabled \
    >"$OUT/upstream.log" 2>&1 & PIDS+=($!)

cat >"$OUT/Gen.java" <<'EOF'
import dev.trellis.snapshot.*; import dev.trellis.spec.MeshSpecs; import java.nio.file.*; import java.util.List;
public class Gen { public static void main(String[] a) throws Exception {
  int port = Integer.parseInt(a[0]);
  Files.writeString(Path.of(a[1]), Snapshots.toJson(SnapshotCompiler.compile(MeshSpecs.parseYaml(
      "mesh: bench\ntls: DISABLED\nservices:\n  - name: upstream\n    port: 8080\n"),
      "upstream", (s, v) -> List.of(Endpoint.of("127.0.0.1", port)))));
} }
EOF
if [ "$PROTOCOL" = h1 ]; then
    java -cp "$JAR" "$OUT/Gen.java" $UP "$OUT/snapshot.json"
else # benchmark/bench.py's mesh: the proxy belongs to bench-client and calls echo (HTTP/1.1) and echo-grpc (gRPC)
    cat >"$OUT/mesh.yaml" <<EOF
apiVersion: trellis.dev/v1
mesh: bench
trustDomain: bench.trellis.local
tls: DISABLED
defaultPolicy: ALLOW
services:
  - {name: bench-client, protocol: http, port: $UP}
  - {name: echo, protocol: http, port: 80, retry: {attempts: 0}}
  - {name: echo-grpc, protocol: grpc, port: 81, retry: {attempts: 0}}
EOF
    java -cp "$JAR" "$ROOT/benchmark/trellis/SnapshotFromSpec.java" "$OUT/mesh.yaml" bench-client "$OUT/snapshot.json" \
        "echo/v1=127.0.0.1:$UP" "echo-grpc/v1=127.0.0.1:$GRPC_UP"
fi

cat >"$OUT/alloc.jfc" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0"><event name="jdk.ThreadAllocationStatistics">
<setting name="enabled">true</setting><setting name="period">everyChunk</setting></event></configuration>
EOF
JFR_OPT=""
IMAGE_OPTS=$(python3 -c "import json,re,sys;e=json.loads(re.search(r'^ENTRYPOINT (.*)$',open(sys.argv[1]).read(),re.M).group(1));print(' '.join(e[1:e.index('-jar')]))" "$ROOT/proxy-image/Dockerfile")
if [ "${PROFILE:-0}" = 1 ]; then JFR_OPT="-XX:StartFlightRecording=settings=profile,filename=$OUT/profile.jfr"; fi
# shellcheck disable=SC2086
taskset -c 1 java ${JAVA_OPTS-$IMAGE_OPTS} $JFR_OPT -Xlog:gc:file="$OUT/gc.log" -jar "$JAR" --snapshot "$OUT/snapshot.json" \
    --inbound-port $IN --app-port $UP --outbound-port $OUTB --admin-port $ADMIN --bind 127.0.0.1 \
    --event-loops 1 >"$OUT/proxy.log" 2>&1 & PROXY=$!; PIDS+=($PROXY)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ADMIN/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$ADMIN/ready" >/dev/null || { echo "proxy not ready"; cat "$OUT/proxy.log"; exit 1; }

case $PROTOCOL in # what fortio calls, through the proxy and directly
    h1) THROUGH=("http://127.0.0.1:$IN/?size=1024"); DIRECT=("http://127.0.0.1:$UP/?size=1024") ;;
    h2c) THROUGH=(-h2 -H Host:echo "http://127.0.0.1:$OUTB/echo?size=1024"); DIRECT=(-h2 "http://127.0.0.1:$UP/echo?size=1024") ;;
    grpc) THROUGH=(-grpc -ping -payload-size 1024 -H host:echo-grpc "127.0.0.1:$OUTB"); DIRECT=(-grpc -ping -payload-size 1024 "127.0.0.1:$GRPC_UP") ;;
    *) echo "PROTOCOL: $PROTOCOL (expected: h1, h2c or grpc)"; exit 2 ;;
esac
fortio_run() { # through|direct seconds json [rate]
    local -n args=$( [ "$1" = direct ] && echo DIRECT || echo THROUGH )
    taskset -c 0 "$FORTIO" load -quiet -qps "${4:-$RATE}" -c 16 -t "${2}s" -json "$3" "${args[@]}" >/dev/null 2>&1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PROXY/stat"; }
jit_ticks() { # the JIT compiler threads' share, to tell warm-up from the request path
    for t in /proc/$PROXY/task/*; do if grep -q Compiler "$t/comm"; then awk '{print $14 + $15}' "$t/stat"; fi; done | awk '{s += $1} END {print s + 0}'
}
# JFR starts once here, so that its one-off initialisation is not counted in the first run.
jcmd $PROXY JFR.start name=init settings="$OUT/alloc.jfc" >/dev/null && jcmd $PROXY JFR.stop name=init >/dev/null
echo "protocol: $PROTOCOL, jar: $JAR, jvm: ${JAVA_OPTS-$IMAGE_OPTS}"; fortio_run through "$WARMUP" "$OUT/warmup.json" "${WARMUP_RATE:-5000}"

TCK=$(getconf CLK_TCK)
for i in $(seq "$REPEATS"); do
    fortio_run direct "$SECONDS_RUN" "$OUT/direct$i.json"
    jcmd $PROXY JFR.start name=alloc settings="$OUT/alloc.jfc" >/dev/null
    before=$(cpu_ticks); jit_before=$(jit_ticks)
    fortio_run through "$SECONDS_RUN" "$OUT/proxy$i.json"
    after=$(cpu_ticks); jit=$(( $(jit_ticks) - jit_before ))
    jcmd $PROXY JFR.stop name=alloc filename="$OUT/alloc$i.jfr" >/dev/null
    jfr print --json --events jdk.ThreadAllocationStatistics "$OUT/alloc$i.jfr" >"$OUT/alloc$i.json"
    python3 - "$OUT" "$i" "$before" "$after" "$TCK" "$(load)" "$jit" <<'EOF'
import json, re, sys
out, i, before, after, tck, load, jit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
def pct(d, p): return next(x["Value"] for x in d["DurationHistogram"]["Percentiles"] if x["Percentile"] == p) * 1e6
d, p = json.load(open(f"{out}/direct{i}.json")), json.load(open(f"{out}/proxy{i}.json"))
n = p["DurationHistogram"]["Count"]; ok = sum(p["RetCodes"].get(k, 0) for k in ("200", "OK", "SERVING"))
# allocated bytes per thread: first and last sample of each thread in the recording, exact bytes from the
# JSON form (the text form rounds to 3 digits: "0.3 GB" made 300-400 MB totals read 10,000 or 13,333 B/request)
per = {}
for e in json.load(open(f"{out}/alloc{i}.json"))["recording"]["events"]:
    per.setdefault(e["values"]["thread"]["javaThreadId"], []).append(e["values"]["allocated"])
alloc = sum(v[-1] - v[0] for v in per.values() if len(v) > 1)
r = dict(run=int(i), requests=n, ok=ok, cpu_us_per_req=(after - before) * 1e6 / tck / n,
         jit_us_per_req=jit * 1e6 / tck / n,
         p50_added_us=pct(p, 50) - pct(d, 50), p99_added_us=pct(p, 99) - pct(d, 99),
         direct_p50_us=pct(d, 50), proxy_p50_us=pct(p, 50), alloc_bytes_per_req=alloc / n, load=load)
print(json.dumps(r)); open(f"{out}/runs.jsonl", "a").write(json.dumps(r) + "\n")
EOF
done
python3 - "$OUT" "$RATE" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(f"{sys.argv[1]}/runs.jsonl")]
m = lambda k: statistics.median(r[k] for r in runs)
print(f"MEDIAN of {len(runs)} @ {sys.argv[2]} req/s: cpu {m('cpu_us_per_req'):.1f} us/req (JIT {m('jit_us_per_req'):.1f}), added p50 {m('p50_added_us'):.0f} us, "
      f"p99 {m('p99_added_us'):.0f} us, alloc {m('alloc_bytes_per_req'):.0f} B/req; loads: {[r['load'] for r in runs]}")
EOF

if [ "${STRACE:-0}" = 1 ]; then
    timeout 15 strace -c -f -p $PROXY -o "$OUT/strace.txt" & ST=$!; sleep 1
    fortio_run through 5 "$OUT/strace-load.json"
    kill -INT $ST 2>/dev/null || true; wait $ST 2>/dev/null || true
    n=$(python3 -c "import json;print(json.load(open('$OUT/strace-load.json'))['DurationHistogram']['Count'])")
    echo "syscalls during $n requests ($(load)):"; head -15 "$OUT/strace.txt"
    awk -v n="$n" '/total/{printf "syscalls per request: %.2f\n", $4/n}' "$OUT/strace.txt"
fi
echo "artifacts: $OUT"
