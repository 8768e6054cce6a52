"""Specification of the benchmark harness's own logic (no load is generated).

Run: python3 -m unittest benchmark/test_bench.py   (or pytest benchmark/)
The config tests ask each peer's own checker; run.sh --install-only installs the peers.
"""

import contextlib
import http.client
import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

LISTENERS = bench.Listeners(h1=30001, h2c=30002, grpc=30003)
UPSTREAM = bench.Upstream(http_port=30010, grpc_port=30011)
TRELLIS_JAR = bench.REPO_DIR / "proxy-image" / "target" / "trellis-proxy.jar"


def installed(name: str) -> bool:
    try:
        bench.tool(name)
        return True
    except SystemExit:
        return False


def envoy_installed() -> bool:
    try:
        bench.envoy_binary()
        return True
    except SystemExit:
        return False


class GeneratedConfigsAreAcceptedByThePeers(unittest.TestCase):

    @unittest.skipUnless(installed("nginx"), "nginx not installed (benchmark/run.sh --install-only)")
    def test_given_nginx_config_when_checked_with_nginx_t_then_accepted(self):
        with tempfile.TemporaryDirectory() as d:
            conf = Path(d) / "nginx.conf"
            conf.write_text(bench.nginx_config(LISTENERS, UPSTREAM, Path(d)))
            out = subprocess.run([bench.tool("nginx"), "-t", "-p", d, "-c", str(conf)], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)

    @unittest.skipUnless(installed("haproxy"), "haproxy not installed (benchmark/run.sh --install-only)")
    def test_given_haproxy_config_when_checked_with_haproxy_c_then_accepted(self):
        with tempfile.TemporaryDirectory() as d:
            conf = Path(d) / "haproxy.cfg"
            conf.write_text(bench.haproxy_config(LISTENERS, UPSTREAM))
            out = subprocess.run([bench.tool("haproxy"), "-c", "-f", str(conf)], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    @unittest.skipUnless(envoy_installed(), "envoy not installed (benchmark/run.sh --install-only)")
    def test_given_envoy_config_when_validated_by_envoy_then_accepted(self):
        with tempfile.TemporaryDirectory() as d:
            conf = Path(d) / "envoy.yaml"
            conf.write_text(bench.envoy_config(LISTENERS, UPSTREAM))
            out = subprocess.run([bench.envoy_binary(), "--mode", "validate", "-c", str(conf), "-l", "error"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_given_each_proxy_config_then_none_writes_an_access_log(self):
        self.assertIn("access_log off;", bench.nginx_config(LISTENERS, UPSTREAM, Path("/tmp")))
        self.assertNotIn("access_log", bench.envoy_config(LISTENERS, UPSTREAM))
        self.assertNotIn("log", bench.haproxy_config(LISTENERS, UPSTREAM).replace("# HAProxy: nbthread 1, no log", ""))


class FakeRunner:
    """Answers like fortio would for a peer that holds p99 < 5 ms up to `limit` req/s."""

    def __init__(self, limit: float, closed_loop_max: float):
        self.limit, self.closed_loop_max, self.rates = limit, closed_loop_max, []

    def run(self, peer, scenario, protocol, qps, duration_s):
        self.rates.append(qps)
        achieved = self.closed_loop_max if qps == 0 else min(qps, self.closed_loop_max)
        p99 = 0.002 if achieved <= self.limit else 0.020
        return bench.RunResult(scenario, protocol, qps, duration_s, count=int(achieved * duration_s),
                               actual_qps=achieved, percentiles_s={"99": p99})


class MaxRateSearch(unittest.TestCase):
    durations = bench.Durations(warmup_s=0, warmup_max_steps=1, warmup_qps=0, fixed_s=0, other_s=0, probe_s=1, search_s=1,
                                search_steps=4, quiet_wait_s=0, rerun_s=0)

    def test_given_a_limit_between_known_good_and_probe_when_searching_then_best_is_good_and_close_below_it(self):
        runner = FakeRunner(limit=12_000, closed_loop_max=20_000)
        found = bench.max_rate_search(runner, None, self.durations, known_good=5000)
        self.assertLessEqual(found["best_qps"], 12_000)
        self.assertGreater(found["best_qps"], 12_000 - (20_000 - 5000) / 2 ** 4)
        self.assertEqual(runner.rates[0], 0, "the first run is the closed-loop probe")
        self.assertEqual(len(runner.rates), 1 + 4)

    def test_given_probe_already_under_5ms_when_searching_then_probe_rate_is_the_answer_without_bisection(self):
        runner = FakeRunner(limit=float("inf"), closed_loop_max=18_000)
        found = bench.max_rate_search(runner, None, self.durations, known_good=5000)
        self.assertEqual(found["best_qps"], 18_000)
        self.assertEqual(runner.rates, [0])

    def test_given_nothing_above_known_good_holds_when_searching_then_no_best_rate(self):
        runner = FakeRunner(limit=1000, closed_loop_max=8000)
        found = bench.max_rate_search(runner, None, self.durations, known_good=5000)
        self.assertIsNone(found["best_qps"])

    def test_given_a_starved_probe_below_the_known_good_rate_when_searching_then_it_bisects_below_the_probe(self):
        runner = FakeRunner(limit=400, closed_loop_max=800)
        found = bench.max_rate_search(runner, None, self.durations, known_good=1000)
        self.assertGreater(len(runner.rates), 1, "searched instead of giving up")
        self.assertLessEqual(found["best_qps"], 400)

    def test_given_a_run_that_fell_behind_its_rate_then_it_does_not_count_as_good(self):
        behind = bench.RunResult("x", "h1", 10_000, 1, count=9000, actual_qps=9000, percentiles_s={"99": 0.001})
        self.assertFalse(behind.kept_rate)


class WarmUp(unittest.TestCase):
    durations = bench.Durations(warmup_s=5, warmup_max_steps=16, warmup_qps=5000, fixed_s=0, other_s=0, probe_s=1,
                                search_s=1, search_steps=0, quiet_wait_s=0, rerun_s=0)

    class JitRunner:
        """CPU per 1k requests falls while a JIT compiles, then stays flat."""

        def __init__(self, cpu_per_1k):
            self.cpu_per_1k, self.runs = list(cpu_per_1k), []

        def run(self, peer, scenario, protocol, qps, duration_s):
            self.runs.append(protocol)
            cpu = self.cpu_per_1k.pop(0) if protocol == "h1" and self.cpu_per_1k else 0.05
            return bench.RunResult(scenario, protocol, qps, duration_s, count=1000, actual_qps=qps, proxy_cpu_s=cpu)

    def test_given_cpu_per_request_still_falling_then_warm_up_goes_on_until_it_settles(self):
        runner = self.JitRunner([0.30, 0.15, 0.08, 0.05, 0.049, 0.049])
        spent = bench.warm_up(runner, bench.Peer("jvm", LISTENERS), self.durations)
        self.assertEqual(runner.runs, ["h1"] * 5 + ["h2c", "grpc"])
        self.assertEqual(spent, 7 * 5)

    def test_given_a_native_proxy_then_warm_up_stops_after_two_steps(self):
        runner = self.JitRunner([0.05, 0.05, 0.05])
        bench.warm_up(runner, bench.Peer("native", LISTENERS), self.durations)
        self.assertEqual(runner.runs, ["h1", "h1", "h2c", "grpc"])

    def test_given_cpu_that_never_settles_then_warm_up_is_bounded(self):
        runner = self.JitRunner([1.0 / (i + 1) for i in range(100)])
        bench.warm_up(runner, bench.Peer("jvm", LISTENERS), self.durations)
        self.assertEqual(runner.runs.count("h1"), self.durations.warmup_max_steps)


class TrellisSlot(unittest.TestCase):

    def test_given_no_proxy_jar_when_starting_trellis_then_skipped_with_a_clear_line(self):
        with tempfile.TemporaryDirectory() as d:
            os.environ["TRELLIS_PROXY_JAR"] = str(Path(d) / "absent.jar")
            try:
                ctx = bench.Context(run_dir=Path(d), upstream=UPSTREAM, processes=bench.Processes())
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    peer = bench.start_trellis(ctx)
            finally:
                del os.environ["TRELLIS_PROXY_JAR"]
        self.assertEqual(printed.getvalue().strip(), "trellis: skipped (proxy not built)")
        self.assertIsNotNone(peer.skipped)
        self.assertIsNone(peer.proc)

    @unittest.skipUnless(TRELLIS_JAR.exists(), f"{TRELLIS_JAR} not built")
    def test_given_the_bench_spec_when_compiled_by_the_project_then_echo_services_point_at_the_upstream(self):
        with tempfile.TemporaryDirectory() as d:
            spec, out = Path(d) / "mesh.yaml", Path(d) / "snapshot.json"
            spec.write_text(bench.trellis_spec(app_port=30010))
            done = subprocess.run(["java", "-cp", str(TRELLIS_JAR), str(bench.BENCH_DIR / "trellis" / "SnapshotFromSpec.java"),
                                   str(spec), "bench-client", str(out), "echo/v1=127.0.0.1:30010",
                                   "echo-grpc/v1=127.0.0.1:30011"], capture_output=True, text=True, timeout=120)
            self.assertEqual(done.returncode, 0, done.stderr)
            snapshot = json.loads(out.read_text())
        services = {s["name"]: s for s in snapshot["outbound"]["services"]}
        self.assertIn(bench.HTTP_HOST, services[bench.HTTP_HOST]["hosts"])
        self.assertEqual(services[bench.GRPC_AUTHORITY]["protocol"], "grpc")
        endpoints = {c["name"]: [(e["address"], e["port"]) for e in c["endpoints"]] for c in snapshot["clusters"]}
        self.assertEqual(endpoints["echo/v1"], [("127.0.0.1", 30010)])
        self.assertEqual(endpoints["echo-grpc/v1"], [("127.0.0.1", 30011)])
        retries = [r["retry"]["attempts"] for name in (bench.HTTP_HOST, bench.GRPC_AUTHORITY)
                   for r in services[name]["routes"]]
        self.assertEqual(set(retries), {0}, "no retries, as the other peers")

    def test_given_a_skipped_peer_when_reporting_then_its_rows_say_skipped(self):
        with tempfile.TemporaryDirectory() as d:
            meta = {"mode": "full", "started": "now", "loadavg_start": "0 0 0", "loadavg_end": "0 0 0"}
            bench.write_results_md(Path(d), meta, [{"name": "trellis", "skipped": "proxy not built"}])
            text = (Path(d) / "results.md").read_text()
        self.assertIn("| trellis | skipped: proxy not built |", text)


class ProcReadings(unittest.TestCase):

    def test_given_a_process_with_a_child_then_the_tree_holds_both(self):
        procs = bench.Processes()
        parent = procs.start(["sh", "-c", "sleep 30 & wait"], Path(os.devnull), "0")
        try:
            deadline = time.monotonic() + 5
            tree = []
            while time.monotonic() < deadline and len(tree) < 2:
                tree = bench.process_tree(parent.pid)
                time.sleep(0.05)
            self.assertEqual(len(tree), 2, tree)
            self.assertEqual(tree[0], parent.pid)
            self.assertGreater(bench.peak_rss_kib(tree), 0)
        finally:
            procs.stop_all()
        self.assertIsNotNone(parent.poll(), "stop_all ends what it started")

    def test_given_a_busy_process_then_its_cpu_ticks_grow(self):
        procs = bench.Processes()
        busy = procs.start([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<10: pass"],
                           Path(os.devnull), "0")
        try:
            before = bench.cpu_ticks([busy.pid])
            deadline = time.monotonic() + 5   # on a loaded machine the process may wait for a core a while
            grown = 0
            while time.monotonic() < deadline and grown == 0:
                time.sleep(0.1)
                grown = bench.cpu_ticks([busy.pid]) - before
            self.assertGreater(grown, 0)
        finally:
            procs.stop_all()

    def test_given_two_readings_of_a_cpu_then_the_difference_is_not_negative(self):
        first = bench.CpuTimes.read("1")
        time.sleep(0.05)
        delta = bench.CpuTimes.read("1") - first
        self.assertGreaterEqual(delta.process, 0)
        self.assertGreater(delta.total, 0)


# --------------------------------------------------------------------------
# The two-proxy mTLS path
# --------------------------------------------------------------------------

MTLS_PORTS = bench.MtlsPorts(outbound=30021, inbound=30022)


def openssl(*args: str) -> None:
    done = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise AssertionError(f"openssl {args[0]}: {done.stderr.strip()}")


class OpensslCa:
    """A real CA made with openssl (EC P-256 root; leaves with CN = service, the SPIFFE URI SAN and
    the DNS SAN <service>.<mesh>.local, as the mesh CA issues them; without the DNS SAN as it did
    before revocation came), issuing to files like the benchmark's MeshController.
    `impostor` makes it issue the named service's files for another identity: a valid mesh
    certificate, of the wrong service."""

    def __init__(self, work: Path, impostor: dict | None = None, dns_san: bool = True):
        self.work, self.impostor, self.dns_san = work, impostor or {}, dns_san
        self.ca = work / "ca.pem"
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", str(work / "ca.key"), "-out", str(self.ca), "-subj", "/O=Trellis/CN=test mesh CA",
                "-days", "1", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def issue(self, service: str) -> bench.MeshCertificate:
        identity = self.impostor.get(service, service)
        key, csr, chain = (self.work / f"{service}.key", self.work / f"{service}.csr", self.work / f"{service}.pem")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(key),
                "-subj", f"/O=Trellis/CN={identity}", "-addext", f"subjectAltName=URI:{bench.spiffe_id(identity)}"
                + (f",DNS:{bench.mesh_host_name(identity)}" if self.dns_san else ""), "-out", str(csr))
        openssl("x509", "-req", "-in", str(csr), "-CA", str(self.ca), "-CAkey", str(self.work / "ca.key"),
                "-CAcreateserial", "-days", "1", "-copy_extensions", "copy", "-out", str(chain))
        bundle = self.work / f"{service}.chain+key.pem"
        bundle.write_text(chain.read_text() + key.read_text())
        return bench.MeshCertificate(service, chain, key, bundle, self.ca, self.dns_san)


def issued(d: str) -> tuple[bench.MeshCertificate, bench.MeshCertificate]:
    ca = OpensslCa(Path(d))
    return ca.issue(bench.CLIENT_SERVICE), ca.issue(bench.HTTP_HOST)


def lines_of(config: str) -> list[str]:
    return [line.strip() for line in config.splitlines()]


def yaml_installed() -> bool:
    return importlib.util.find_spec("yaml") is not None


@unittest.skipUnless(yaml_installed(), "PyYAML not installed")
class EnvoyMtlsConfig(unittest.TestCase):

    def setUp(self):
        import yaml
        self.dir = tempfile.TemporaryDirectory()
        self.client, self.server = issued(self.dir.name)
        outbound, inbound = bench.envoy_mtls_configs(MTLS_PORTS, UPSTREAM, self.client, self.server)
        self.outbound, self.inbound = yaml.safe_load(outbound), yaml.safe_load(inbound)

    def tearDown(self):
        self.dir.cleanup()

    def test_given_the_outbound_proxy_then_it_presents_the_callers_certificate_and_accepts_only_the_echo_identity(self):
        cluster = self.outbound["static_resources"]["clusters"][0]
        tls = cluster["transport_socket"]["typed_config"]
        self.assertTrue(tls["@type"].endswith(".UpstreamTlsContext"))
        common = tls["common_tls_context"]
        self.assertEqual(common["tls_certificates"], [{"certificate_chain": {"filename": str(self.client.chain)},
                                                       "private_key": {"filename": str(self.client.key)}}])
        self.assertEqual(common["validation_context"]["trusted_ca"], {"filename": str(self.client.ca)})
        self.assertEqual(common["validation_context"]["match_typed_subject_alt_names"],
                         [{"san_type": "URI", "matcher": {"exact": bench.spiffe_id(bench.HTTP_HOST)}}])
        self.assertEqual(common["tls_params"], {"tls_minimum_protocol_version": "TLSv1_3",
                                                "tls_maximum_protocol_version": "TLSv1_3"})
        endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
        self.assertEqual(endpoint["address"]["socket_address"]["port_value"], MTLS_PORTS.inbound)

    def test_given_the_inbound_proxy_then_it_requires_a_client_certificate_of_the_callers_identity(self):
        listener = self.inbound["static_resources"]["listeners"][0]
        self.assertEqual(listener["address"]["socket_address"]["port_value"], MTLS_PORTS.inbound)
        tls = listener["filter_chains"][0]["transport_socket"]["typed_config"]
        self.assertTrue(tls["@type"].endswith(".DownstreamTlsContext"))
        self.assertIs(tls["require_client_certificate"], True)
        common = tls["common_tls_context"]
        self.assertEqual(common["tls_certificates"][0]["certificate_chain"], {"filename": str(self.server.chain)})
        self.assertEqual(common["validation_context"]["match_typed_subject_alt_names"],
                         [{"san_type": "URI", "matcher": {"exact": bench.spiffe_id(bench.CLIENT_SERVICE)}}])
        self.assertEqual(common["tls_params"]["tls_minimum_protocol_version"], "TLSv1_3")

    def test_given_the_inbound_proxy_then_it_forwards_in_plaintext_to_the_upstream(self):
        cluster = self.inbound["static_resources"]["clusters"][0]
        self.assertNotIn("transport_socket", cluster)
        endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
        self.assertEqual(endpoint["address"]["socket_address"]["port_value"], UPSTREAM.http_port)


class NginxMtlsConfig(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.client, self.server = issued(self.dir.name)
        outbound, inbound = bench.nginx_mtls_configs(MTLS_PORTS, UPSTREAM, self.client, self.server,
                                                     Path(self.dir.name) / "out", Path(self.dir.name) / "in")
        self.outbound, self.inbound = lines_of(outbound), lines_of(inbound)

    def tearDown(self):
        self.dir.cleanup()

    def test_given_the_outbound_proxy_then_it_presents_the_callers_certificate_and_verifies_the_echo_peer(self):
        for directive in (f"proxy_ssl_certificate {self.client.chain};", f"proxy_ssl_certificate_key {self.client.key};",
                          f"proxy_ssl_trusted_certificate {self.client.ca};", "proxy_ssl_verify on;",
                          f"proxy_ssl_name {bench.mesh_host_name(bench.HTTP_HOST)};", "proxy_ssl_protocols TLSv1.3;",
                          "proxy_pass https://inbound_mtls;"):
            self.assertIn(directive, self.outbound)

    def test_given_the_outbound_proxy_then_connections_to_the_inbound_one_are_kept_alive_and_reused(self):
        upstream = next(line for line in self.outbound if line.startswith("upstream inbound_mtls"))
        self.assertIn(f"server 127.0.0.1:{MTLS_PORTS.inbound};", upstream)
        self.assertIn("keepalive 64;", upstream)
        self.assertIn('proxy_set_header Connection "";', self.outbound)
        self.assertIn("proxy_ssl_session_reuse on;", self.outbound)

    def test_given_the_inbound_proxy_then_it_requires_a_client_certificate_from_the_mesh_ca(self):
        for directive in (f"listen 127.0.0.1:{MTLS_PORTS.inbound} ssl;", f"ssl_certificate {self.server.chain};",
                          f"ssl_certificate_key {self.server.key};", f"ssl_client_certificate {self.server.ca};",
                          "ssl_verify_client on;", "ssl_protocols TLSv1.3;"):
            self.assertIn(directive, self.inbound)

    def test_given_both_proxies_then_neither_writes_an_access_log(self):
        self.assertIn("access_log off;", self.outbound)
        self.assertIn("access_log off;", self.inbound)


class HaproxyMtlsConfig(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.client, self.server = issued(self.dir.name)
        self.outbound, self.inbound = (lines_of(c) for c in bench.haproxy_mtls_configs(MTLS_PORTS, UPSTREAM,
                                                                                         self.client, self.server))

    def tearDown(self):
        self.dir.cleanup()

    def test_given_the_outbound_proxy_then_its_server_line_presents_the_callers_certificate_and_verifies_the_peer(self):
        server = next(line for line in self.outbound if line.startswith("server inbound ")).split()
        self.assertEqual(server[2], f"127.0.0.1:{MTLS_PORTS.inbound}")
        options = " ".join(server[3:])
        for option in ("ssl", f"crt {self.client.bundle}", f"ca-file {self.client.ca}", "verify required",
                       f"verifyhost {bench.mesh_host_name(bench.HTTP_HOST)}", "ssl-min-ver TLSv1.3", "ssl-max-ver TLSv1.3"):
            self.assertIn(f" {option} ", f" {options} ")

    def test_given_the_inbound_proxy_then_its_bind_line_requires_a_client_certificate_from_the_mesh_ca(self):
        bind = next(line for line in self.inbound if line.startswith("bind ")).split()
        self.assertEqual(bind[1], f"127.0.0.1:{MTLS_PORTS.inbound}")
        options = " ".join(bind[2:])
        for option in ("ssl", f"crt {self.server.bundle}", f"ca-file {self.server.ca}", "verify required",
                       "ssl-min-ver TLSv1.3"):
            self.assertIn(f" {option} ", f" {options} ")

    def test_given_the_outbound_proxy_then_idle_connections_to_the_inbound_one_are_reused(self):
        self.assertIn("http-reuse always", self.outbound)
        self.assertIn("option http-keep-alive", self.outbound)

    def test_given_the_bundle_file_then_it_holds_the_certificate_then_its_key(self):
        text = self.client.bundle.read_text()
        self.assertLess(text.index("BEGIN CERTIFICATE"), text.index("PRIVATE KEY"))


class HostNameChecked(unittest.TestCase):
    """The name nginx and HAProxy require of the inbound proxy's certificate."""

    def test_given_a_ca_issuing_dns_sans_then_the_services_dns_name_is_required(self):
        with tempfile.TemporaryDirectory() as d:
            certificate = OpensslCa(Path(d), dns_san=True).issue(bench.HTTP_HOST)
            self.assertEqual(bench.certificate_dns_names(certificate.chain), [f"{bench.HTTP_HOST}.bench.local"])
        self.assertEqual(certificate.expected_host_name, f"{bench.HTTP_HOST}.bench.local")

    def test_given_a_ca_issuing_only_uri_sans_then_the_service_name_is_required_of_the_cn(self):
        with tempfile.TemporaryDirectory() as d:
            certificate = OpensslCa(Path(d), dns_san=False).issue(bench.HTTP_HOST)
            self.assertEqual(bench.certificate_dns_names(certificate.chain), [])
        self.assertEqual(certificate.expected_host_name, bench.HTTP_HOST)

    def test_given_an_impostors_certificate_then_the_required_name_is_still_the_services(self):
        with tempfile.TemporaryDirectory() as d:
            certificate = OpensslCa(Path(d), impostor={bench.HTTP_HOST: "intruder"}).issue(bench.HTTP_HOST)
            self.assertEqual(bench.certificate_dns_names(certificate.chain), ["intruder.bench.local"])
        self.assertEqual(certificate.expected_host_name, f"{bench.HTTP_HOST}.bench.local")


class MtlsConfigsAreAcceptedByThePeers(unittest.TestCase):
    """Each peer's own checker loads the configs, certificates and keys included."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = Path(self.dir.name)
        self.client, self.server = issued(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    @unittest.skipUnless(installed("nginx"), "nginx not installed (benchmark/run.sh --install-only)")
    def test_given_the_nginx_mtls_configs_when_checked_with_nginx_t_then_both_accepted(self):
        prefixes = (self.d / "out", self.d / "in")
        for side, config, prefix in zip(("outbound", "inbound"), bench.nginx_mtls_configs(
                MTLS_PORTS, UPSTREAM, self.client, self.server, *prefixes), prefixes):
            prefix.mkdir()
            conf = self.d / f"{side}.conf"
            conf.write_text(config)
            out = subprocess.run([bench.tool("nginx"), "-t", "-p", str(prefix), "-c", str(conf)],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, f"{side}: {out.stderr}")

    @unittest.skipUnless(installed("haproxy"), "haproxy not installed (benchmark/run.sh --install-only)")
    def test_given_the_haproxy_mtls_configs_when_checked_with_haproxy_c_then_both_accepted(self):
        for side, config in zip(("outbound", "inbound"),
                                bench.haproxy_mtls_configs(MTLS_PORTS, UPSTREAM, self.client, self.server)):
            conf = self.d / f"{side}.cfg"
            conf.write_text(config)
            out = subprocess.run([bench.tool("haproxy"), "-c", "-f", str(conf)], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, f"{side}: {out.stdout + out.stderr}")

    @unittest.skipUnless(envoy_installed(), "envoy not installed (benchmark/run.sh --install-only)")
    def test_given_the_envoy_mtls_configs_when_validated_by_envoy_then_both_accepted(self):
        for side, config in zip(("outbound", "inbound"),
                                bench.envoy_mtls_configs(MTLS_PORTS, UPSTREAM, self.client, self.server)):
            conf = self.d / f"{side}.yaml"
            conf.write_text(config)
            out = subprocess.run([bench.envoy_binary(), "--mode", "validate", "-c", str(conf), "-l", "error"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, f"{side}: {out.stdout + out.stderr}")


class EchoUpstream:
    """A plain HTTP/1.1 upstream answering 1 KiB, in a thread, on a free loopback port."""

    def __enter__(self):
        import http.server
        import threading

        class Echo(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(bench.BODY_BYTES))
                self.end_headers()
                self.wfile.write(b"x" * bench.BODY_BYTES)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return bench.Upstream(http_port=self.server.server_address[1], grpc_port=bench.free_port())

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class TheOutboundProxyChecksWhichServiceAnswers(unittest.TestCase):
    """The configs at work: the outbound proxy passes a request to the inbound proxy holding the
    echo service's mesh certificate, and refuses one holding a valid mesh certificate of another
    service (the check each peer's row in the report names)."""

    def through_pair(self, peer: str, impostor: bool, dns_san: bool = True) -> int:
        with tempfile.TemporaryDirectory() as d, EchoUpstream() as upstream:
            ca = OpensslCa(Path(d), impostor={bench.HTTP_HOST: "intruder"} if impostor else None, dns_san=dns_san)
            client, server = ca.issue(bench.CLIENT_SERVICE), ca.issue(bench.HTTP_HOST)
            ports = bench.MtlsPorts(outbound=bench.free_port(), inbound=bench.free_port())
            argv = []
            if peer == "nginx":
                prefixes = (Path(d) / "out", Path(d) / "in")
                configs = bench.nginx_mtls_configs(ports, upstream, client, server, *prefixes)
                for side, config, prefix in zip(("out", "in"), configs, prefixes):
                    prefix.mkdir()
                    (Path(d) / f"{side}.conf").write_text(config)
                    argv.append([bench.tool("nginx"), "-p", str(prefix), "-c", str(Path(d) / f"{side}.conf")])
            elif peer == "haproxy":
                for side, config in zip(("out", "in"), bench.haproxy_mtls_configs(ports, upstream, client, server)):
                    (Path(d) / f"{side}.cfg").write_text(config)
                    argv.append([bench.tool("haproxy"), "-db", "-f", str(Path(d) / f"{side}.cfg")])
            else:
                for side, config in zip(("out", "in"), bench.envoy_mtls_configs(ports, upstream, client, server)):
                    (Path(d) / f"{side}.yaml").write_text(config)
                    argv.append([bench.envoy_binary(), "-c", str(Path(d) / f"{side}.yaml"), "--concurrency", "1",
                                 "--disable-hot-restart", "-l", "error", "--use-dynamic-base-id"])
            procs = bench.Processes()
            try:
                for command in argv:
                    procs.start(command, Path(d) / "proxy.log", bench.CPU_LOAD)
                return first_answer(ports)
            finally:
                procs.stop_all()

    @unittest.skipUnless(installed("nginx"), "nginx not installed")
    def test_given_nginx_and_the_echo_certificate_then_the_request_passes(self):
        self.assertEqual(self.through_pair("nginx", impostor=False), 200)

    @unittest.skipUnless(installed("nginx"), "nginx not installed")
    def test_given_nginx_and_another_services_certificate_then_the_request_is_refused(self):
        self.assertEqual(self.through_pair("nginx", impostor=True), 502)

    @unittest.skipUnless(installed("nginx"), "nginx not installed")
    def test_given_nginx_and_another_services_certificate_without_dns_san_then_refused_by_its_cn(self):
        self.assertEqual(self.through_pair("nginx", impostor=True, dns_san=False), 502)

    @unittest.skipUnless(installed("haproxy"), "haproxy not installed")
    def test_given_haproxy_and_another_services_certificate_without_dns_san_then_refused_by_its_cn(self):
        self.assertEqual(self.through_pair("haproxy", impostor=True, dns_san=False), 503)

    @unittest.skipUnless(installed("haproxy"), "haproxy not installed")
    def test_given_haproxy_and_the_echo_certificate_then_the_request_passes(self):
        self.assertEqual(self.through_pair("haproxy", impostor=False), 200)

    @unittest.skipUnless(installed("haproxy"), "haproxy not installed")
    def test_given_haproxy_and_another_services_certificate_then_the_request_is_refused(self):
        self.assertEqual(self.through_pair("haproxy", impostor=True), 503)

    @unittest.skipUnless(envoy_installed(), "envoy not installed")
    def test_given_envoy_and_the_echo_certificate_then_the_request_passes(self):
        self.assertEqual(self.through_pair("envoy", impostor=False), 200)

    @unittest.skipUnless(envoy_installed(), "envoy not installed")
    def test_given_envoy_and_another_services_certificate_then_the_request_is_refused(self):
        self.assertEqual(self.through_pair("envoy", impostor=True), 503)


def first_answer(ports: bench.MtlsPorts, timeout_s: float = 15.0) -> int:
    """The status of the first request the outbound proxy answers once both proxies listen."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", ports.inbound), timeout=0.5):
                pass
            conn = http.client.HTTPConnection("127.0.0.1", ports.outbound, timeout=5)
            conn.request("GET", f"/echo?size={bench.BODY_BYTES}", headers={"Host": bench.HTTP_HOST})
            response = conn.getresponse()
            response.read()
            conn.close()
            return response.status
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no answer through 127.0.0.1:{ports.outbound} within {timeout_s:.0f} s")


CONTROLLER_JAR = bench.controller_jar()


@unittest.skipUnless(CONTROLLER_JAR.exists(), f"{CONTROLLER_JAR} not built")
class MeshCaOfTheController(unittest.TestCase):
    """The controller jar as the benchmark starts it: the certificates the non-Trellis peers get."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.procs = bench.Processes()
        ctx = bench.Context(run_dir=Path(cls.dir.name), upstream=UPSTREAM, processes=cls.procs)
        try:
            cls.mesh = bench.MeshController.start(ctx, CONTROLLER_JAR, bench.trellis_mtls_spec(app_port=30010))
            cls.certificate = cls.mesh.issue(bench.HTTP_HOST)
        except Exception:
            cls.procs.stop_all()
            cls.dir.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        cls.dir.cleanup()

    def x509_text(self) -> str:
        return subprocess.run(["openssl", "x509", "-noout", "-text", "-in", str(self.certificate.chain)],
                              capture_output=True, text=True, check=True).stdout

    def test_given_a_csr_made_with_openssl_when_issued_then_the_certificate_carries_the_services_spiffe_id(self):
        self.assertIn(f"URI:{bench.spiffe_id(bench.HTTP_HOST)}", self.x509_text())

    def test_given_an_issued_certificate_then_its_cn_is_the_service_name_the_name_checks_rely_on(self):
        subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "multiline",
                                  "-in", str(self.certificate.chain)], capture_output=True, text=True, check=True).stdout
        self.assertIn(f"commonName                = {bench.HTTP_HOST}", subject)

    def test_given_an_issued_certificate_then_it_carries_the_name_nginx_and_haproxy_require(self):
        names = bench.certificate_dns_names(self.certificate.chain)
        if self.certificate.has_dns_san:
            self.assertIn(self.certificate.expected_host_name, names)
        else:
            self.assertEqual(names, [])
            self.assertEqual(self.certificate.expected_host_name, bench.HTTP_HOST)  # the CN, checked above

    def test_given_an_issued_certificate_then_it_chains_to_the_trust_bundle(self):
        out = subprocess.run(["openssl", "verify", "-CAfile", str(self.certificate.ca), str(self.certificate.chain)],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_given_an_issued_certificate_then_its_key_is_ecdsa_p256(self):
        self.assertIn("NIST CURVE: P-256", self.x509_text())

    def test_given_the_inbound_proxys_port_when_registered_then_the_registry_lists_it(self):
        self.mesh.register(bench.HTTP_HOST, "echo-test", 30022)
        status, body = self.mesh.request("GET", f"/v1/registry/{bench.HTTP_HOST}/instances")
        self.assertEqual(status, 200)
        self.assertIn(("127.0.0.1", 30022), [(i["address"], i["port"]) for i in json.loads(body)])

    def test_given_a_wrong_token_when_asking_for_a_certificate_then_refused(self):
        impostor = bench.MeshController(self.mesh.port, "not-the-token", self.mesh.proc, self.mesh.work)
        with self.assertRaisesRegex(RuntimeError, "certificate for echo: HTTP 4"):
            impostor.issue(bench.HTTP_HOST)


@unittest.skipUnless(bench.trellis_jar().exists(), f"{bench.trellis_jar()} not built")
class TrellisMtlsSpec(unittest.TestCase):
    """The mTLS mesh as the project's own SnapshotCompiler reads it (the controller serves the same)."""

    @classmethod
    def setUpClass(cls):
        with tempfile.TemporaryDirectory() as d:
            spec, out = Path(d) / "mesh.yaml", Path(d) / "snapshot.json"
            spec.write_text(bench.trellis_mtls_spec(app_port=30010))
            done = subprocess.run(["java", "-cp", str(bench.trellis_jar()),
                                   str(bench.BENCH_DIR / "trellis" / "SnapshotFromSpec.java"), str(spec),
                                   bench.CLIENT_SERVICE, str(out), "echo/v1=127.0.0.1:30022"],
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                raise AssertionError(done.stderr)
            cls.snapshot = json.loads(out.read_text())

    def test_given_the_callers_snapshot_then_its_identity_is_the_bench_client_spiffe_id(self):
        self.assertEqual(self.snapshot["identity"], bench.spiffe_id(bench.CLIENT_SERVICE))

    def test_given_the_callers_snapshot_then_echo_is_called_over_strict_mtls_as_echos_spiffe_id(self):
        echo = next(c for c in self.snapshot["clusters"] if c["name"] == "echo/v1")
        self.assertEqual((echo["tls"], echo["identity"]), ("STRICT", bench.spiffe_id(bench.HTTP_HOST)))
        self.assertEqual(echo["protocol"], "http")

    def test_given_the_callers_snapshot_then_echo_is_not_retried(self):
        echo = next(s for s in self.snapshot["outbound"]["services"] if s["name"] == bench.HTTP_HOST)
        self.assertEqual({r["retry"]["attempts"] for r in echo["routes"]}, {0})


class MtlsPhaseWithoutAController(unittest.TestCase):

    def run_phase(self, jar: Path, names: list[str]) -> list[dict]:
        os.environ["TRELLIS_CONTROLLER_JAR"] = str(jar)
        procs = bench.Processes()
        try:
            ctx = bench.Context(run_dir=jar.parent, upstream=UPSTREAM, processes=procs)
            with contextlib.redirect_stdout(io.StringIO()):
                mesh = bench.launch_mesh_ca(ctx, names)
                return bench.bench_mtls(ctx, None, names, bench.SMOKE, mesh)
        finally:
            procs.stop_all()
            del os.environ["TRELLIS_CONTROLLER_JAR"]

    def test_given_no_controller_jar_then_the_peers_needing_its_ca_are_skipped_naming_the_jar(self):
        with tempfile.TemporaryDirectory() as d:
            records = self.run_phase(Path(d) / "absent.jar", ["trellis", "envoy"])
        self.assertEqual([r["skipped"] for r in records],
                         [f"controller not built ({Path(d) / 'absent.jar'} missing)"] * 2)

    def test_given_a_controller_that_cannot_start_then_the_peers_needing_it_fail_with_its_reason(self):
        with tempfile.TemporaryDirectory() as d:
            broken = Path(d) / "broken.jar"
            broken.write_text("not a jar")
            records = self.run_phase(broken, ["nginx"])
        self.assertEqual(len(records), 1)
        self.assertRegex(records[0]["failure"], r"^mesh CA: controller: exited during start-up with code [1-9]")


class InterProxyConnections(unittest.TestCase):

    def test_given_an_open_connection_then_it_counts_as_established_and_once_closed_as_time_wait(self):
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen()
            port = server.getsockname()[1]
            _, time_wait_before = bench.inter_proxy_sockets(port)
            client = socket.create_connection(("127.0.0.1", port))
            accepted, _ = server.accept()
            self.assertEqual(bench.inter_proxy_sockets(port)[0], 1)
            client.close()   # the side closing first keeps TIME_WAIT
            accepted.close()
            established, time_wait = bench.inter_proxy_sockets(port)
        self.assertEqual(established, 0)
        self.assertEqual(time_wait - time_wait_before, 1)


def mtls_record(name: str, p50: float, cpu_s: float, rss_kib: int) -> dict:
    run = {"actual_qps": 1000, "target_qps": 1000, "errors": 0, "count": 10_000, "proxy_cpu_s": cpu_s,
           "percentiles_s": {"50": p50, "90": p50 * 2, "99": p50 * 4, "99.9": p50 * 8}, "cpu1_other_pct": 1.0}
    return {"name": name, "runs": {bench.MTLS_SCENARIO.key: run}, "peak_rss_kib": rss_kib,
            "connections": {"open": 16, "closed_during_run": 0}}


class MtlsReport(unittest.TestCase):

    def section(self, records: list[dict]) -> str:
        return "\n".join(bench.mtls_section(records))

    def test_given_trellis_and_envoy_then_the_ratio_table_divides_added_latency_cpu_and_rss(self):
        text = self.section([mtls_record("direct", 0.0001, 0, 0), mtls_record("trellis", 0.0004, 0.5, 300 * 1024),
                             mtls_record("envoy", 0.0002, 2.0, 100 * 1024)])
        self.assertIn("| added p50 | +0.300 ms | +0.100 ms | 3.00 |", text)
        self.assertIn("| CPU s / 1k req (both proxies) | 0.0500 | 0.2000 | 0.25 |", text)
        self.assertIn("| peak RSS (both) | 300.0 MiB | 100.0 MiB | 3.00 |", text)

    def test_given_a_peer_row_then_it_shows_added_latency_cpu_rss_and_connections(self):
        text = self.section([mtls_record("direct", 0.0001, 0, 0), mtls_record("nginx", 0.0003, 0.4, 30 * 1024)])
        row = next(line for line in text.splitlines() if line.startswith("| nginx |"))
        self.assertEqual(row.strip("| ").split(" | ")[7:], ["+0.200 ms", "+0.400 ms", "+0.800 ms", "+1.600 ms",
                                                            "0.0400", "30.0 MiB", "16 / 0", "1%"])

    def test_given_envoy_skipped_then_no_ratio_table(self):
        text = self.section([mtls_record("direct", 0.0001, 0, 0), mtls_record("trellis", 0.0004, 0.5, 1024),
                             {"name": "envoy", "skipped": "no controller (mesh CA)"}])
        self.assertNotIn("Trellis / Envoy", text)
        self.assertIn("| envoy | skipped: no controller (mesh CA) |", text)

    def test_given_no_mtls_run_then_the_section_says_so(self):
        self.assertIn("Not in this run (`--mtls off`, or a run from before the mTLS path).", self.section([]))


if __name__ == "__main__":
    unittest.main()
