"""A LocalCluster for scoring jobs, with Dask's own bookkeeping turned down.

A worker that only waits on a ``freeenergy serve`` process still spends CPU on Dask's housekeeping: the statistical
profiler samples every thread's stack every 10 ms, the event loops tick every 20 ms, the memory monitor runs every
100 ms and the system monitor every 500 ms. Idle, a two-worker LocalCluster spent about 0.065 CPU seconds per second
on these (scheduler, nannies and workers together; 0.0135 with SCORING_CONFIG; measured with psutil over 20 s). On a
machine whose cores all score, that time is taken from the scoring. SCORING_CONFIG turns the profiler off and slows
the rest, which a scoring job does not need at their default rates (the memory held by a worker is a few partitions'
scores). A cluster started by hand takes the same settings from the environment (docs/scale-out.md)."""
from __future__ import annotations

import copy

import dask
from distributed import LocalCluster

#: Dask settings for a cluster whose workers only run scoring jobs (see the module's notes).
SCORING_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}


def scoring_cluster(workers: int, **kwargs) -> LocalCluster:
    """A LocalCluster of ``workers`` processes with one thread each and no dashboard, started under SCORING_CONFIG
    without changing the caller's own configuration; ``kwargs`` go to LocalCluster. The nannies get their own copy of
    the settings (a nanny keeps a shallow merge of the global configuration, which would lose them when the context
    closes), so that a worker they restart after a crash runs with them too."""
    if workers < 1:
        raise ValueError(f"a scoring cluster needs at least one worker (got {workers})")
    with dask.config.set(SCORING_CONFIG):
        options = {"threads_per_worker": 1, "processes": True, "dashboard_address": None, "config": copy.deepcopy(dask.config.config), **kwargs}
        return LocalCluster(n_workers=workers, **options)
