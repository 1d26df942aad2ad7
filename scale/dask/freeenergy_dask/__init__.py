"""Scores partitioned datasets with the self-contained ``freeenergy`` binary on a Dask cluster (docs/scale-out.md)."""
from .cluster import SCORING_CONFIG, scoring_cluster
from .job import concatenate_scores, score_partitions, scores_name, ship_files

__all__ = ["score_partitions", "ship_files", "concatenate_scores", "scores_name", "scoring_cluster", "SCORING_CONFIG"]
