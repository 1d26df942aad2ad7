"""``python3 -m freeenergy_dask --scheduler ADDRESS --binary BIN --model MODEL --out DIR PARTITION...``

Scores partition files on a running Dask cluster (or on a LocalCluster of --local N worker processes), writes
DIR/<partition>.scores.csv and DIR/manifest.json, prints one JSON summary (shipSeconds: sending the binary
and model to the workers, once per cluster; seconds: the scoring job on workers that have them, as on a long-lived
cluster, serving processes started included; cliCpuSeconds: user + system time of the scoring of all partitions); exit code 0 when every partition was
scored, 2 when one failed (each failure on one line on stderr)."""
from __future__ import annotations

import argparse
import json
import sys
import time

from distributed import Client

from .cluster import scoring_cluster
from .job import concatenate_scores, score_partitions, ship_files


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m freeenergy_dask", description=__doc__.split("\n\n")[1])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.1:8786")
    where.add_argument("--local", type=int, metavar="N", help="start a LocalCluster of N worker processes (1 thread each, Dask's housekeeping turned down: SCORING_CONFIG)")
    p.add_argument("--binary", required=True, help="the self-contained freeenergy (build/publish-worker.sh)")
    p.add_argument("--model", required=True, help="the model file (.fem)")
    p.add_argument("--out", required=True, help="output folder (reachable from every worker under this path)")
    p.add_argument("--shared", action="store_true", help="binary and model are already at these paths on every worker: do not ship them")
    p.add_argument("--estimator", default="free-energy")
    p.add_argument("--subtract-complexity", action="store_true")
    p.add_argument("--threads", type=int, default=1, help="--threads of each freeenergy run (default 1)")
    p.add_argument("--retries", type=int, default=2)
    p.add_argument("--per-partition-runs", action="store_true",
                   help="one freeenergy score process per partition instead of one long-lived freeenergy serve per worker thread")
    p.add_argument("--concatenate", metavar="CSV", help="also write all scores, in partition order, to this file")
    p.add_argument("partitions", nargs="+")
    a = p.parse_args(argv)
    cluster = scoring_cluster(a.local) if a.local else None
    try:
        with Client(cluster or a.scheduler) as client:
            start = time.perf_counter()
            if not a.shared:
                ship_files(client, a.binary, a.model)
            shipping = time.perf_counter() - start
            start = time.perf_counter()
            entries = score_partitions(client, a.model, a.partitions, a.out, binary=a.binary, ship=not a.shared,
                                       estimator=a.estimator, subtract_complexity=a.subtract_complexity,
                                       threads=a.threads, retries=a.retries, serve=not a.per_partition_runs)
            seconds = time.perf_counter() - start
    finally:
        if cluster is not None:
            cluster.close()
    failed = [e for e in entries if e["status"] != "ok"]
    for e in failed:
        print(f"{e['partition']}: {e['error']}", file=sys.stderr)
    rows = sum(e["rows"] or 0 for e in entries)
    if a.concatenate and not failed:
        concatenate_scores(entries, a.concatenate)
    cpu = sum(e.get("cpuSeconds") or 0 for e in entries)
    print(json.dumps({"partitions": len(entries), "failed": len(failed), "rows": rows, "seconds": seconds, "shipSeconds": shipping, "cliCpuSeconds": cpu,
                      "rowsPerSecond": rows / seconds if seconds > 0 else None,
                      "workers": len({e["worker"] for e in entries if e["worker"]})}))
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
