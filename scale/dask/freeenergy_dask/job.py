"""Client side: submits one task per partition file, collects the manifest, writes it atomically."""
from __future__ import annotations

import json
import os
import shutil
import uuid
from typing import Iterable, Sequence

import cloudpickle
from distributed import Client, wait

from . import partition, serving, shipping
from .partition import score_partition
from .serving import PLUGIN_NAME as SERVING_PLUGIN, ScoringServers
from .shipping import ShippedFiles, content_folder

# The workers need only Python with Dask: the task and plugin code travel by value, not as an import.
for _module in (partition, serving, shipping):
    cloudpickle.register_pickle_by_value(_module)

BINARY_NAME = "freeenergy"
MODEL_NAME = "model"


def scores_name(partition_path: str) -> str:
    """The scores file of a partition: its file name plus ``.scores.csv``."""
    return os.path.basename(partition_path) + ".scores.csv"


def cli_options(estimator: str = "free-energy", subtract_complexity: bool = False, extra_args: Sequence[str] = ()) -> list[str]:
    """The ``freeenergy score`` options for these settings (``--threads``, ``--model``, ``--data``, ``--out`` aside)."""
    return ["--estimator", estimator, *(["--subtract-complexity"] if subtract_complexity else []), *extra_args]


def ship_files(client: Client, binary: str, model_path: str) -> str:
    """Ships the binary and the model to every worker of ``client``'s cluster, present and future (a worker plugin),
    unless the cluster already has these exact files from an earlier job; returns their folder name on the workers.
    :func:`score_partitions` calls it (``ship=True``); calling it first separates the one-off shipping from the jobs."""
    paths = {BINARY_NAME: binary, MODEL_NAME: model_path}
    folder = content_folder(paths)
    # A lambda travels by value: the scheduler need not import this package.
    if not client.run_on_scheduler(lambda dask_scheduler: folder in dask_scheduler.worker_plugins):
        _register(client, ShippedFiles(paths, executable=(BINARY_NAME,)), folder)
    return folder


def score_partitions(client: Client, model_path: str, inputs: Iterable[str], out_dir: str, *, binary: str,
                     ship: bool = True, estimator: str = "free-energy", subtract_complexity: bool = False,
                     threads: int = 1, retries: int = 2, extra_args: Sequence[str] = (), serve: bool = True,
                     manifest: str = "manifest.json") -> list[dict]:
    """Scores each partition file as ``freeenergy score`` does, on the Dask workers of ``client``.

    Each partition ``p`` gives ``out_dir/<name of p>.scores.csv`` (the CLI's CSV: one header line, one score per row,
    in the partition's row order), renamed into place only when complete. ``out_dir`` and the partition paths must be
    reachable under the same names from every worker (one machine, or a shared file system). ``binary`` is the
    self-contained ``freeenergy`` (``build/publish-worker.sh``); with ``ship=True`` it and the model are copied to
    each worker once per cluster (:func:`ship_files`: a worker plugin, so workers that join later get them too; a
    later job with the same files sends nothing), with ``ship=False`` both paths are used as they are on the workers. ``threads`` is ``--threads`` of the scoring (one per Dask worker thread is right).

    With ``serve=True`` (default) each worker thread keeps one ``freeenergy serve`` process for the whole job (started
    on its first partition, closed when the job ends), so a partition costs its scoring only; it writes the same bytes
    as ``freeenergy score``. With ``serve=False`` each partition is one ``freeenergy score`` run (process start-up,
    model load and code warm-up every time). A partition whose scoring process dies is run again with a fresh process
    (``retries``); one whose worker dies is rescheduled (the scheduler's ``distributed.scheduler.allowed-failures``),
    and the worker's scoring processes die with it; a data error fails that partition only.

    Returns the manifest entries, one per input in input order: ``index``, ``partition``, ``scores``, ``status``
    (``ok``/``error``), ``rows``, ``seconds`` and ``cpuSeconds`` (the scoring of that partition: wall, user + system),
    ``worker`` (address), ``server`` (pid of the serving process, with ``serve=True``), ``error`` (one line or None).
    They are also written to ``out_dir/<manifest>`` (JSON) through a temporary file and a rename."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("no partition files given")
    names = [scores_name(p) for p in inputs]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ValueError(f"partitions with the same file name would write the same scores file: {clash[0]}; rename them")
    if threads < 1:
        raise ValueError("threads must be at least 1 (one CLI thread per Dask worker thread is the usual choice)")
    for label, path in (("binary", binary), ("model", model_path)):
        if ship and not os.path.isfile(path):
            raise FileNotFoundError(f"{label} not found: {path}" + (" (build/publish-worker.sh builds it)" if label == "binary" else ""))
    out_dir = os.path.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    job = uuid.uuid4().hex[:12]
    staging = os.path.join(out_dir, f".staging-{job}")
    os.makedirs(staging)
    shipped = None
    if ship:
        shipped = ship_files(client, binary, model_path)
    servers = f"{SERVING_PLUGIN}-{job}" if serve else None  # one per job: concurrent jobs never close each other's
    if servers:
        _register(client, ScoringServers(), servers)
    options = cli_options(estimator, subtract_complexity, extra_args)
    futures = []
    for i, path in enumerate(inputs):
        task = {"index": i, "input": os.path.abspath(path) if os.path.exists(path) else path,
                "output": os.path.join(out_dir, names[i]), "staging": staging, "threads": threads, "options": options,
                "shipped": shipped, "binary": BINARY_NAME if ship else binary, "model": MODEL_NAME if ship else model_path,
                "servers": servers}
        futures.append(client.submit(score_partition, task, key=f"freeenergy-score-{job}-{i:05d}", retries=retries, pure=False))
    try:
        wait(futures)
        entries = [_entry(i, path, os.path.join(out_dir, names[i]), future) for i, (path, future) in enumerate(zip(inputs, futures))]
    finally:
        client.cancel(futures)
        if servers:
            try:
                client.unregister_worker_plugin(servers)  # closes the job's scoring processes on every worker
            except Exception:  # noqa: BLE001 - a worker lost meanwhile; its processes died with it, the results stand
                pass
        shutil.rmtree(staging, ignore_errors=True)
    _write_json(os.path.join(out_dir, manifest), {"partitions": entries, "options": options, "threads": threads})
    return entries


def _register(client: Client, plugin, name: str):
    """Registers a worker plugin on every worker, present and future."""
    # Client.register_plugin from Dask 2023.9 on; register_worker_plugin before (Debian bookworm: 2022.12).
    register = getattr(client, "register_plugin", None) or client.register_worker_plugin
    register(plugin, name=name)


def _entry(index: int, path: str, output: str, future) -> dict:
    """The manifest entry of one finished task; a task that failed past its retries becomes an error entry."""
    if future.status == "finished":
        return future.result()
    error = future.exception()
    return {"index": index, "partition": path, "scores": output, "worker": None, "seconds": None, "cpuSeconds": None, "rows": None,
            "status": "error", "error": f"{type(error).__name__}: {' '.join(str(error).split())}"}


def _write_json(path: str, value) -> None:
    temp = f"{path}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    try:
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def concatenate_scores(entries: Sequence[dict], out_path: str) -> int:
    """Writes the partitions' scores one after another in manifest order (one header line): the scores of the
    concatenated data, as one ``freeenergy score`` run over it would write them. Returns the number of rows;
    fails naming the first partition that was not scored."""
    failed = [e for e in entries if e["status"] != "ok"]
    if failed:
        raise ValueError(f"partition {failed[0]['partition']} was not scored: {failed[0]['error']}")
    rows = 0
    temp = f"{out_path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8", newline="") as out:
        for i, entry in enumerate(sorted(entries, key=lambda e: e["index"])):
            with open(entry["scores"], encoding="utf-8", newline="") as f:
                header = f.readline()
                if i == 0:
                    out.write(header)
                for line in f:
                    out.write(line)
                    rows += 1
    os.replace(temp, out_path)
    return rows

