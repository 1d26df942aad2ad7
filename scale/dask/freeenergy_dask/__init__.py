"""Scores partitioned datasets with the self-contained ``freeenergy`` binary on a Dask cluster (docs/scale-out.md)."""
from .job import concatenate_scores, score_partitions, scores_name

__all__ = ["score_partitions", "concatenate_scores", "scores_name"]
