"""Worker side: scores one partition file with ``freeenergy``, through the worker's long-lived ``freeenergy serve``
process (default) or one ``freeenergy score`` run per partition."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid

from distributed import get_worker

from .serving import ServerDied, die_with_parent, error_line
from .shipping import shipped_path


class ScoringInterrupted(ServerDied):
    """A ``freeenergy score`` run was killed by a signal (not a data error): Dask retries the partition."""


def _run(command: list[str], folder: str):
    """Runs ``command`` with its output in files under ``folder``; returns (exit code, negative for a signal, stdout,
    stderr, the child's resource usage). os.wait4 gives this child's CPU time alone, whatever else the worker runs.
    The child waits in this thread, which outlives it, so arming PR_SET_PDEATHSIG from here is safe."""
    paths = os.path.join(folder, "stdout.txt"), os.path.join(folder, "stderr.txt")
    with open(paths[0], "w") as out, open(paths[1], "w") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 preexec_fn=die_with_parent(os.getpid()))
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    with open(paths[0]) as out, open(paths[1]) as err:
        return child.returncode, out.read(), err.read(), usage


def _score_with_cli(task: dict, binary: str, model: str, scores: str, attempt: str) -> dict:
    """One ``freeenergy score`` process for this partition: the fields of the manifest entry it gives."""
    command = [binary, "score", "--model", model, "--data", task["input"], "--out", scores,
               "--threads", str(task["threads"]), "--json", *task["options"]]
    start = time.perf_counter()
    code, stdout, stderr, usage = _run(command, attempt)
    result = {"seconds": time.perf_counter() - start, "cpuSeconds": usage.ru_utime + usage.ru_stime}
    if code < 0:
        raise ScoringInterrupted(f"{task['input']}: freeenergy was killed by signal {-code}")
    if code != 0:
        return {**result, "status": "error", "rows": None, "error": error_line(stderr) or f"freeenergy exited with code {code}"}
    return {**result, "status": "ok", "rows": json.loads(stdout)["rows"], "error": None}


def _score_with_server(task: dict, binary: str, model: str, scores: str, worker) -> dict:
    """One request to the worker's ``freeenergy serve``: the fields of the manifest entry it gives."""
    servers = worker.plugins[task["servers"]]
    server = servers.acquire(binary, model, task["threads"])
    try:
        answer = server.score(task["input"], scores, task["options"], id=task["index"])
    finally:
        servers.release(binary, model, task["threads"], server)
    result = {"seconds": answer.get("seconds"), "cpuSeconds": answer.get("cpuSeconds"), "server": server.pid}
    if answer["status"] != "ok":
        return {**result, "status": "error", "rows": None, "error": answer["error"]}
    return {**result, "status": "ok", "rows": answer["rows"], "error": None}


def score_partition(task: dict) -> dict:
    """Scores ``task["input"]`` into ``task["output"]`` and returns its manifest entry.

    The scores file is written into a fresh folder under ``task["staging"]`` and renamed into place only when scoring
    succeeded, so ``task["output"]`` is either absent or complete (a killed process leaves its temporary file in the
    staging folder, which the job removes). A data error is returned as ``status: "error"`` with the CLI's one-line
    message and is not retried; a scoring process that died raises :class:`ServerDied`, which Dask retries
    (``retries=``), as it reschedules a partition whose worker died."""
    worker = get_worker()
    binary, model = task["binary"], task["model"]
    if task.get("shipped"):
        binary = shipped_path(worker.local_directory, task["shipped"], binary)
        model = shipped_path(worker.local_directory, task["shipped"], model)
    attempt = os.path.join(task["staging"], f"{task['index']:05d}-{uuid.uuid4().hex}")
    os.makedirs(attempt)
    scores = os.path.join(attempt, "scores.csv")
    entry = {"index": task["index"], "partition": task["input"], "scores": task["output"], "worker": worker.address}
    try:
        if task.get("servers"):
            result = _score_with_server(task, binary, model, scores, worker)
        else:
            result = _score_with_cli(task, binary, model, scores, attempt)
        if result["status"] == "ok":
            os.replace(scores, task["output"])
        return {**entry, **result}
    finally:
        shutil.rmtree(attempt, ignore_errors=True)
