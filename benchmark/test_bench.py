"""Specification of the benchmark harness's own logic (no load is generated).

Run: python3 -m unittest benchmark/test_bench.py   (or pytest benchmark/)
The config tests ask each peer's own checker; run.sh --install-only installs the peers.
"""

import contextlib
import io
import json
import os
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
        busy = procs.start([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<3: pass"],
                           Path(os.devnull), "0")
        try:
            before = bench.cpu_ticks([busy.pid])
            time.sleep(0.5)
            self.assertGreater(bench.cpu_ticks([busy.pid]) - before, 0)
        finally:
            procs.stop_all()

    def test_given_two_readings_of_a_cpu_then_the_difference_is_not_negative(self):
        first = bench.CpuTimes.read("1")
        time.sleep(0.05)
        delta = bench.CpuTimes.read("1") - first
        self.assertGreaterEqual(delta.process, 0)
        self.assertGreater(delta.total, 0)


if __name__ == "__main__":
    unittest.main()
