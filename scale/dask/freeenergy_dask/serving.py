"""Worker side: long-lived ``freeenergy serve`` processes, so that a partition costs its scoring only (no process
start-up, model load or code warm-up per partition)."""
from __future__ import annotations

import concurrent.futures
import ctypes
import json
import os
import queue
import signal
import subprocess
import threading

from distributed.diagnostics.plugin import WorkerPlugin

PLUGIN_NAME = "freeenergy-serving"
_PR_SET_PDEATHSIG = 1


class ServerDied(RuntimeError):
    """The ``freeenergy serve`` process died (killed, crashed) while or before scoring a partition: not a data error,
    so Dask retries the partition, and the retry gets a freshly started server."""


def die_with_parent(parent: int):
    """A function to run in a child between fork and exec: the kernel kills the child when its parent dies, so that
    no orphan keeps scoring (and writing) after its worker is gone. libc is loaded here, in the worker, before the
    fork (not in the child, and not at import: this module travels to the workers pickled by value). The kernel ties
    the signal to the *thread* that forked, so long-lived children are started from :class:`Launcher`'s thread."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def arm():
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(137)
    return arm


def error_line(stderr: str) -> str | None:
    """The CLI's one-line error (``error: ...``, the last one), else the last line of ``stderr``, else None."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("error:"):
            return line
    return lines[-1] if lines else None


class Launcher:
    """Starts child processes from one thread that lives as long as it is needed: Dask task threads may leave the
    pool (secede), and a child armed with PR_SET_PDEATHSIG from such a thread would be killed with the thread. When
    the launcher stops, its thread ends and the children still running are killed."""

    def __init__(self):
        self._requests: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="freeenergy-launcher", daemon=True)
        self._thread.start()

    def start(self, command: list[str], **popen) -> subprocess.Popen:
        done: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            if self._stopped:
                raise ServerDied("the job's scoring processes were closed (the job ended or the worker is closing)")
            self._requests.put((command, popen, done))
        return done.result()

    def stop(self):
        with self._lock:
            self._stopped = True
            self._requests.put(None)

    def _run(self):
        while (item := self._requests.get()) is not None:
            command, popen, done = item
            try:
                done.set_result(subprocess.Popen(command, preexec_fn=die_with_parent(os.getpid()), **popen))
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                done.set_exception(e)


class ScoringServer:
    """One ``freeenergy serve --model MODEL --threads N`` process: requests on its stdin, answers on its stdout, its
    stderr in ``log``. It exits when its stdin closes (the worker closed it, or the worker died)."""

    def __init__(self, launcher: Launcher, binary: str, model: str, threads: int, log: str):
        self.log = log
        with open(log, "wb") as err:
            # Its own session: a Ctrl+C on a terminal running the worker stops the worker, which closes the server's
            # stdin, instead of cancelling the request in hand (which would read as a failed partition).
            self.process = launcher.start([binary, "serve", "--model", model, "--threads", str(threads)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, close_fds=True,
                                          start_new_session=True)
        self.pid = self.process.pid

    def score(self, data: str, out: str, options: list[str], id=None) -> dict:
        """The server's answer to one request (``status`` ``ok`` with ``rows``, ``seconds``, ``cpuSeconds``, or
        ``error`` with the CLI's one-line ``error``). A server that exited with the CLI's bad-input code before
        answering (a bad model file) gives an ``error`` answer with its line; one that died otherwise raises
        :class:`ServerDied`."""
        request = json.dumps({"id": id, "data": data, "out": out, "options": list(options)}) + "\n"
        try:
            self.process.stdin.write(request.encode())
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except (BrokenPipeError, ConnectionResetError, ValueError):
            answer = b""
        if answer:
            return json.loads(answer)
        code = self.process.wait()
        error = self._error_line()
        if code == 2 and error:
            return {"id": id, "status": "error", "exitCode": code, "error": error}
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}" + (f" ({error})" if error else "")
        raise ServerDied(f"{data}: the scoring process freeenergy serve (pid {self.pid}) {how}; a retry of the partition, if any is left, starts a fresh one")

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self, wait: float = 5.0):
        """Closes its stdin (it exits after the request in hand) and kills it when it has not exited after ``wait`` seconds."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(wait)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        try:
            if os.path.getsize(self.log) == 0:
                os.remove(self.log)  # nothing to keep; a log with an error line stays in the worker's directory
        except OSError:
            pass

    def _error_line(self) -> str | None:
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return error_line(f.read())
        except OSError:
            return None


class ScoringServers(WorkerPlugin):
    """A worker plugin holding the worker's ``freeenergy serve`` processes: one per task running at once (one per
    worker thread at most), started on first use, reused by later partitions, replaced when one died, and closed
    when the plugin is removed (the end of a job) or the worker closes. Their logs go to the worker's local directory.
    Registered under a name per job (``PLUGIN_NAME``-job), which the tasks are given."""

    def setup(self, worker):
        self._lock = threading.Lock()
        self._idle: list[tuple[tuple, ScoringServer]] = []
        self._all: list[ScoringServer] = []
        self._launcher = Launcher()
        self._logs = os.path.join(worker.local_directory, "freeenergy-serve-logs")
        os.makedirs(self._logs, exist_ok=True)
        self.started = 0

    def acquire(self, binary: str, model: str, threads: int) -> ScoringServer:
        """An idle live server for these settings, or a newly started one."""
        key = (binary, model, threads)
        with self._lock:
            for k, server in list(self._idle):
                if not server.alive():  # died while idle: reaped at teardown
                    self._idle.remove((k, server))
                elif k == key:
                    self._idle.remove((k, server))
                    return server
            self.started += 1
            number = self.started
        server = ScoringServer(self._launcher, binary, model, threads, os.path.join(self._logs, f"serve-{os.getpid()}-{number}.log"))
        with self._lock:
            self._all.append(server)
        return server

    def release(self, binary: str, model: str, threads: int, server: ScoringServer):
        """Gives a server back after a request; a dead one is dropped (the next request starts a fresh one), and one
        given back after the plugin was removed is closed."""
        with self._lock:
            if server.alive() and server in self._all:
                self._idle.append(((binary, model, threads), server))
                return
        if server.alive():
            server.close(wait=1.0)

    def teardown(self, worker):
        with self._lock:
            servers, self._all, self._idle = self._all, [], []
        for server in servers:
            server.close(wait=1.0)
        self._launcher.stop()
