"""Scoring partition files on a two-process Dask LocalCluster (scale/dask/freeenergy_dask) against one
single-process ``freeenergy score`` run. Needs FREEENERGY_WORKER_BIN (tests/scale/run.sh sets it)."""
from __future__ import annotations

import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import psutil
from distributed import Client, LocalCluster

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scale", "dask"))
from freeenergy_dask import SCORING_CONFIG, concatenate_scores, score_partitions, scores_name, scoring_cluster, ship_files  # noqa: E402
from freeenergy_dask.serving import Launcher, ScoringServer, ServerDied  # noqa: E402

BINARY = os.environ.get("FREEENERGY_WORKER_BIN", "")
PARTITIONS = 10
ROWS_PER_PARTITION = 400
COLUMNS = 16


def start_cluster() -> tuple[LocalCluster, Client]:
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.CRITICAL)
    return cluster, Client(cluster)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BINARY, *args], capture_output=True, text=True)


class ScorePartitionsTests(unittest.TestCase):
    """Shared fixture: a tiny RBM trained by the CLI, ten CSV partitions of binary rows, the reference scores of
    their concatenation from one single-process run (2 threads), and one two-worker LocalCluster."""

    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(BINARY):
            raise unittest.SkipTest("FREEENERGY_WORKER_BIN is not set to the published binary (run tests/scale/run.sh)")
        cls.root = tempfile.mkdtemp(prefix="freeenergy-scale-")
        rng = random.Random(18)
        lines = [",".join("1" if rng.random() < 0.3 + 0.4 * (j % 2) else "0" for j in range(COLUMNS))
                 for _ in range(PARTITIONS * ROWS_PER_PARTITION)]
        cls.all_data = os.path.join(cls.root, "all.csv")
        with open(cls.all_data, "w") as f:
            f.write("\n".join(lines) + "\n")
        cls.partitions = []
        for i in range(PARTITIONS):
            path = os.path.join(cls.root, f"part-{i:05d}.csv")
            with open(path, "w") as f:
                f.write("\n".join(lines[i * ROWS_PER_PARTITION:(i + 1) * ROWS_PER_PARTITION]) + "\n")
            cls.partitions.append(path)
        cls.model = os.path.join(cls.root, "rbm.fem")
        run = cli("train", "--model", "rbm", "--data", cls.all_data, "--hidden", "8", "--epochs", "1", "--out", cls.model)
        assert run.returncode == 0, run.stderr
        cls.reference = os.path.join(cls.root, "reference.csv")
        run = cli("score", "--model", cls.model, "--data", cls.all_data, "--threads", "2", "--out", cls.reference)
        assert run.returncode == 0, run.stderr
        with open(cls.reference) as f:
            cls.reference_lines = f.read().splitlines()
        cls.cluster, cls.client = start_cluster()

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()
        shutil.rmtree(cls.root, ignore_errors=True)

    def out_dir(self, name: str) -> str:
        return os.path.join(self.root, name)

    def assert_clean(self, out_dir: str, expected: set[str]):
        """Only the scores files and the manifest: no staging folder, no temporary file."""
        self.assertEqual(set(os.listdir(out_dir)), expected | {"manifest.json"})

    def worker_folders(self) -> list[str]:
        return list(self.client.run(lambda dask_worker: dask_worker.local_directory).values())

    def assert_no_scoring_processes(self, folder: str):
        """No freeenergy run from ``folder`` (a worker's local directory) outlives the job: a killed worker's child
        dies with it."""
        deadline = time.time() + 10
        while True:
            left = [p.pid for p in psutil.process_iter(["exe"]) if (p.info["exe"] or "").startswith(folder + os.sep)]
            if not left:
                return
            if time.time() > deadline:
                self.fail(f"freeenergy processes left running from {folder}: {left}")
            time.sleep(0.1)

    def test_ten_partitions_equal_one_process_bit_for_bit(self):
        out = self.out_dir("equal")
        entries = score_partitions(self.client, self.model, self.partitions, out, binary=BINARY)
        self.assertEqual([e["status"] for e in entries], ["ok"] * PARTITIONS)
        self.assertEqual([e["partition"] for e in entries], self.partitions)
        self.assertEqual([e["rows"] for e in entries], [ROWS_PER_PARTITION] * PARTITIONS)
        self.assertEqual(len({e["worker"] for e in entries}), 2, "both workers scored partitions")
        combined = os.path.join(self.root, "combined.csv")
        self.assertEqual(concatenate_scores(entries, combined), PARTITIONS * ROWS_PER_PARTITION)
        with open(combined) as f:
            self.assertEqual(f.read().splitlines(), self.reference_lines)
        self.assert_clean(out, {scores_name(p) for p in self.partitions})
        # one long-lived server per worker thread scored all of that worker's partitions, and none outlives the job
        servers = {e["worker"]: set() for e in entries}
        for e in entries:
            servers[e["worker"]].add(e["server"])
        self.assertEqual([len(s) for s in servers.values()], [1, 1], "one serving process per worker, reused")
        for folder in self.worker_folders():
            self.assert_no_scoring_processes(folder)

    def test_files_ship_once_per_cluster_and_serving_plugins_leave_with_their_job(self):
        for name in ("ship-1", "ship-2"):
            score_partitions(self.client, self.model, self.partitions[:2], self.out_dir(name), binary=BINARY)
        plugins = self.client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.worker_plugins))
        self.assertEqual([p for p in plugins if p.startswith("freeenergy-serving")], [], "each job removes its serving plugin")
        self.assertEqual(len([p for p in plugins if p.startswith("freeenergy-")]), 1, "one shipping plugin for the same files")
        self.assertEqual(ship_files(self.client, BINARY, self.model), [p for p in plugins if p.startswith("freeenergy-")][0])

    def test_per_partition_cli_runs_equal_one_process_too(self):
        out = self.out_dir("per-run")
        entries = score_partitions(self.client, self.model, self.partitions, out, binary=BINARY, serve=False)
        self.assertEqual([e["status"] for e in entries], ["ok"] * PARTITIONS)
        self.assertNotIn("server", entries[0])
        combined = os.path.join(self.root, "combined-per-run.csv")
        concatenate_scores(entries, combined)
        with open(combined) as f:
            self.assertEqual(f.read().splitlines(), self.reference_lines)
        self.assert_clean(out, {scores_name(p) for p in self.partitions})

    def test_dead_server_fails_its_partition_and_a_fresh_one_scores_the_retry(self):
        """A serving process killed in the middle of a request (seen by its temporary scores file, named with its pid):
        that partition's task fails, Dask retries it, a freshly started server scores it, and the job's outputs equal
        the single process's. Partitions are large here (100,000 rows) so that a request lasts long enough to be seen."""
        rows, parts = 100_000, 4
        rng = random.Random(7)
        pool = [",".join("1" if rng.random() < 0.5 else "0" for _ in range(COLUMNS)) for _ in range(97)]
        inputs, everything = [], []
        for p in range(parts):
            lines = [pool[(p * 31 + r * 7) % len(pool)] for r in range(rows)]
            everything += lines
            inputs.append(os.path.join(self.root, "large", f"large-{p}.csv"))
            os.makedirs(os.path.dirname(inputs[-1]), exist_ok=True)
            with open(inputs[-1], "w") as f:
                f.write("\n".join(lines) + "\n")
        whole = os.path.join(self.root, "large-all.csv")
        with open(whole, "w") as f:
            f.write("\n".join(everything) + "\n")
        reference = os.path.join(self.root, "large-reference.csv")
        self.assertEqual(cli("score", "--model", self.model, "--data", whole, "--out", reference).returncode, 0)
        out = self.out_dir("dead-server")
        result = {}
        job = threading.Thread(target=lambda: result.update(entries=score_partitions(
            self.client, self.model, inputs, out, binary=BINARY, retries=2)))
        job.start()
        killed = index = None
        deadline = time.time() + 60
        while killed is None and job.is_alive() and time.time() < deadline:
            for staging in (d for d in os.listdir(out) if d.startswith(".staging-")) if os.path.isdir(out) else ():
                try:
                    for attempt in os.scandir(os.path.join(out, staging)):
                        for temp in os.listdir(attempt.path):  # .scores.csv.<pid>.<guid>.tmp: the server is scoring
                            if temp.startswith(".scores.csv.") and temp.endswith(".tmp"):
                                killed, index = int(temp.split(".")[3]), int(attempt.name.split("-")[0])
                                os.kill(killed, signal.SIGKILL)
                                break
                        if killed:
                            break
                except (FileNotFoundError, ProcessLookupError):
                    continue
                if killed:
                    break
            time.sleep(0.001)
        job.join(120)
        self.assertFalse(job.is_alive(), "the job finished")
        self.assertIsNotNone(killed, "a serving process was caught in the middle of a request")
        entries = result["entries"]
        self.assertEqual([e["status"] for e in entries], ["ok"] * parts)
        self.assertNotEqual(entries[index]["server"], killed, "the retry was scored by a fresh server")
        combined = os.path.join(self.root, "large-combined.csv")
        concatenate_scores(entries, combined)
        with open(combined) as f, open(reference) as g:
            self.assertEqual(f.read(), g.read())
        self.assert_clean(out, {scores_name(p) for p in inputs})

    def test_corrupt_partition_fails_alone_with_the_cli_error(self):
        corrupt = os.path.join(self.root, "corrupt", os.path.basename(self.partitions[3]))
        os.makedirs(os.path.dirname(corrupt))
        with open(self.partitions[3]) as f:
            lines = f.read().splitlines()
        lines[7] = lines[7].replace("0", "x", 1).replace("1", "x", 1)
        with open(corrupt, "w") as f:
            f.write("\n".join(lines) + "\n")
        expected = cli("score", "--model", self.model, "--data", corrupt, "--out", os.path.join(self.root, "never.csv"))
        self.assertEqual(expected.returncode, 2)
        inputs = list(self.partitions)
        inputs[3] = corrupt
        out = self.out_dir("corrupt-out")
        entries = score_partitions(self.client, self.model, inputs, out, binary=BINARY)
        self.assertEqual(entries[3]["status"], "error")
        self.assertEqual(entries[3]["error"], expected.stderr.strip())
        self.assertEqual(len(expected.stderr.strip().splitlines()), 1)
        self.assertEqual([e["status"] for i, e in enumerate(entries) if i != 3], ["ok"] * (PARTITIONS - 1))
        self.assert_clean(out, {scores_name(p) for i, p in enumerate(inputs) if i != 3})
        with self.assertRaises(ValueError):
            concatenate_scores(entries, os.path.join(self.root, "never.csv"))

    def test_worker_killed_while_scoring_still_scores_every_partition_once(self):
        client = self.client
        workers = client.run(os.getpid)  # address -> pid
        folders = client.run(lambda dask_worker: dask_worker.local_directory)
        out = self.out_dir("killed")
        result = {}
        job = threading.Thread(target=lambda: result.update(entries=score_partitions(
            client, self.model, self.partitions, out, binary=BINARY, retries=2)))
        job.start()
        killed = child = folder = None
        deadline = time.time() + 60
        while killed is None and time.time() < deadline and job.is_alive():
            for pid in workers.values():
                children = [c for c in psutil.Process(pid).children() if c.name() == "freeenergy"]
                if children:
                    killed, child = pid, children[0]
                    folder = next(folders[a] for a, p in workers.items() if p == pid)
                    os.kill(pid, signal.SIGKILL)  # the worker process, mid-scoring; its nanny starts a new one
                    break
            else:
                time.sleep(0.002)
        job.join(120)
        client.wait_for_workers(2, timeout=60)
        self.assertFalse(job.is_alive(), "the job finished")
        self.assertIsNotNone(killed, "a worker was killed while its freeenergy was running")
        self.assertFalse(child.is_running() and child.status() != psutil.STATUS_ZOMBIE, "the killed worker's freeenergy died with it")
        entries = result["entries"]
        self.assertEqual([e["status"] for e in entries], ["ok"] * PARTITIONS)
        self.assertEqual([e["index"] for e in entries], list(range(PARTITIONS)))
        combined = os.path.join(self.root, "combined-killed.csv")
        concatenate_scores(entries, combined)
        with open(combined) as f:
            self.assertEqual(f.read().splitlines(), self.reference_lines)
        self.assert_clean(out, {scores_name(p) for p in self.partitions})
        self.assert_no_scoring_processes(folder)


class ScoringServerProcessTests(unittest.TestCase):
    """The serving process outside Dask: it exits when its stdin closes, and dies with the process that started it."""

    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(BINARY):
            raise unittest.SkipTest("FREEENERGY_WORKER_BIN is not set to the published binary (run tests/scale/run.sh)")
        cls.root = tempfile.mkdtemp(prefix="freeenergy-serve-")
        cls.data = os.path.join(cls.root, "data.csv")
        with open(cls.data, "w") as f:
            f.write("\n".join(",".join("1" if (r * c) % 3 else "0" for c in range(COLUMNS)) for r in range(50)) + "\n")
        cls.model = os.path.join(cls.root, "rbm.fem")
        run = cli("train", "--model", "rbm", "--data", cls.data, "--hidden", "4", "--epochs", "1", "--out", cls.model)
        assert run.returncode == 0, run.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def test_server_exits_when_its_stdin_closes(self):
        launcher = Launcher()
        try:
            server = ScoringServer(launcher, BINARY, self.model, 1, os.path.join(self.root, "serve.log"))
            answer = server.score(self.data, os.path.join(self.root, "scores.csv"), [], id="a")
            self.assertEqual((answer["id"], answer["status"], answer["rows"]), ("a", "ok", 50))
            server.process.stdin.close()
            self.assertEqual(server.process.wait(10), 0)
        finally:
            launcher.stop()

    def test_server_dies_with_the_process_that_started_it(self):
        """A parent killed with SIGKILL (as a Dask worker is): its server does not outlive it."""
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scale", "dask")
        parent = subprocess.Popen([sys.executable, "-c", f"""
import os, sys, time
sys.path.insert(0, {here!r})
from freeenergy_dask.serving import Launcher, ScoringServer
server = ScoringServer(Launcher(), {BINARY!r}, {self.model!r}, 1, {os.path.join(self.root, 'parent.log')!r})
print(server.pid, flush=True)
time.sleep(600)
"""], stdout=subprocess.PIPE, text=True)
        try:
            child = psutil.Process(int(parent.stdout.readline()))
            self.assertEqual(child.ppid(), parent.pid)
        finally:
            parent.kill()
            parent.wait()
        try:
            child.wait(10)
        except psutil.TimeoutExpired:
            child.kill()
            self.fail("the serving process outlived the process that started it")

    def test_a_killed_server_fails_the_request_with_a_clear_error(self):
        launcher = Launcher()
        try:
            server = ScoringServer(launcher, BINARY, self.model, 1, os.path.join(self.root, "killed.log"))
            server.process.kill()
            with self.assertRaises(ServerDied) as raised:
                server.score(self.data, os.path.join(self.root, "never.csv"), [])
            self.assertIn(f"freeenergy serve (pid {server.pid}) was killed by signal 9", str(raised.exception))
            self.assertIn(self.data, str(raised.exception))
            self.assertFalse(server.alive())
            launcher.stop()
            with self.assertRaises(ServerDied):  # a stopped launcher refuses, it does not hang
                ScoringServer(launcher, BINARY, self.model, 1, os.path.join(self.root, "late.log"))
        finally:
            launcher.stop()

    def test_bad_model_is_a_data_error_with_the_cli_line(self):
        launcher = Launcher()
        try:
            missing = os.path.join(self.root, "missing.fem")
            server = ScoringServer(launcher, BINARY, missing, 1, os.path.join(self.root, "missing.log"))
            answer = server.score(self.data, os.path.join(self.root, "never.csv"), [])
            self.assertEqual(answer["status"], "error")
            self.assertEqual(answer["error"], cli("serve", "--model", missing).stderr.strip())
            self.assertFalse(os.path.exists(os.path.join(self.root, "never.csv")))
        finally:
            launcher.stop()


class ScoringClusterTests(unittest.TestCase):
    """scoring_cluster: Dask's housekeeping turned down in every worker process, restarted ones included, and not in
    the caller's own configuration."""

    def test_every_worker_runs_with_the_scoring_settings_and_the_caller_keeps_its_own(self):
        import dask
        caller = {key: dask.config.get(key) for key in SCORING_CONFIG}
        with self.assertRaises(ValueError):
            scoring_cluster(0)
        cluster = scoring_cluster(2, silence_logs=logging.CRITICAL)
        try:
            with Client(cluster) as client:
                def settings():
                    import dask
                    return {key: dask.config.get(key) for key in SCORING_CONFIG}
                seen = client.run(settings)
                self.assertEqual(len(seen), 2)
                for worker_settings in seen.values():
                    self.assertEqual(worker_settings, SCORING_CONFIG)
                client.restart()
                for worker_settings in client.run(settings).values():
                    self.assertEqual(worker_settings, SCORING_CONFIG)
        finally:
            cluster.close()
        self.assertEqual({key: dask.config.get(key) for key in SCORING_CONFIG}, caller)


def main() -> int:
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    # A skip here means the binary is missing: in CI that is a failure, not a pass.
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses) + len(result.skipped)
    passed = result.testsRun - len(result.failures) - len(result.errors) - len(result.unexpectedSuccesses)
    passed -= sum(1 for test, _ in result.skipped if isinstance(test, unittest.TestCase))
    sys.stdout.flush()
    print(f"{max(passed, 0)} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
