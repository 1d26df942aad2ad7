"""Worker side: scores one partition file by running the self-contained ``freeenergy score`` on it."""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import time
import uuid

from distributed import get_worker

from .shipping import shipped_path

_PR_SET_PDEATHSIG = 1


class ScoringInterrupted(RuntimeError):
    """The ``freeenergy`` process was killed by a signal (not a data error): Dask retries the partition."""


def _die_with_worker(parent: int):
    """A function to run in the child between fork and exec: the kernel kills the child when the worker dies, so
    that no orphan keeps scoring (and writing) after its worker is gone. libc is loaded here, in the worker, before
    the fork (not in the child, and not at import: this module travels to the workers pickled by value)."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def arm():
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the worker died before the line above took effect
            os._exit(137)
    return arm


def _error_line(stderr: str, code: int) -> str:
    """The CLI's one-line error (``error: ...``), else its last line of stderr, else the exit code."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("error:"):
            return line
    return lines[-1] if lines else f"freeenergy exited with code {code}"


def _run(command: list[str], folder: str):
    """Runs ``command`` with its output in files under ``folder``; returns (exit code, negative for a signal, stdout,
    stderr, the child's resource usage). os.wait4 gives this child's CPU time alone, whatever else the worker runs."""
    paths = os.path.join(folder, "stdout.txt"), os.path.join(folder, "stderr.txt")
    with open(paths[0], "w") as out, open(paths[1], "w") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 preexec_fn=_die_with_worker(os.getpid()))
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    with open(paths[0]) as out, open(paths[1]) as err:
        return child.returncode, out.read(), err.read(), usage


def score_partition(task: dict) -> dict:
    """Scores ``task["input"]`` into ``task["output"]`` and returns its manifest entry.

    The CLI writes into a fresh folder under ``task["staging"]`` and the scores file is renamed into place only when
    the CLI succeeded, so ``task["output"]`` is either absent or complete. A data error (the CLI's exit code) is
    returned as ``status: "error"`` with the CLI's one-line message and is not retried; a CLI killed by a signal raises
    :class:`ScoringInterrupted`, which Dask retries (``retries=``), as it reschedules a partition whose worker died."""
    worker = get_worker()
    binary, model = task["binary"], task["model"]
    if task.get("shipped"):
        binary = shipped_path(worker.local_directory, task["shipped"], binary)
        model = shipped_path(worker.local_directory, task["shipped"], model)
    attempt = os.path.join(task["staging"], f"{task['index']:05d}-{uuid.uuid4().hex}")
    os.makedirs(attempt)
    entry = {"index": task["index"], "partition": task["input"], "scores": task["output"], "worker": worker.address}
    try:
        command = [binary, "score", "--model", model, "--data", task["input"], "--out", os.path.join(attempt, "scores.csv"),
                   "--threads", str(task["threads"]), "--json", *task["options"]]
        start = time.perf_counter()
        code, stdout, stderr, usage = _run(command, attempt)
        entry["seconds"] = time.perf_counter() - start
        entry["cpuSeconds"] = usage.ru_utime + usage.ru_stime
        if code < 0:
            raise ScoringInterrupted(f"{task['input']}: freeenergy was killed by signal {-code}")
        if code != 0:
            return {**entry, "status": "error", "rows": None, "error": _error_line(stderr, code)}
        entry["rows"] = json.loads(stdout)["rows"]
        os.replace(os.path.join(attempt, "scores.csv"), task["output"])
        return {**entry, "status": "ok", "error": None}
    finally:
        shutil.rmtree(attempt, ignore_errors=True)
