"""The run's clip-score threshold as a PTransform: absolute, or an exact percentile computed in two associative
passes (``filters.percentile``), so no worker ever holds every score."""
from __future__ import annotations

import apache_beam as beam
import numpy as np

from filters import percentile as pct
from pipeline.config import ClipScoreConfig


def _histogram(scores: list[float]) -> np.ndarray:
    return pct.histogram(scores)


def _add(counts) -> np.ndarray:
    total = np.zeros(1 << pct.BIN_BITS, dtype=np.int64)
    for c in counts:
        total += c
    return total


def _wanted(counts: np.ndarray, q: float) -> tuple[int, list[int], int]:
    n = int(counts.sum())
    if not n:
        return 0, [], 0
    wanted, before = pct.wanted_bins(counts, q)
    return n, wanted, before


def _in_wanted_bins(scores: list[float], wanted: tuple) -> list[float]:
    values = np.asarray(scores, dtype=np.float64)
    return values[np.isin(pct.bins(values), wanted[1])].tolist() if wanted[0] else []


def _finish(candidates: list[list[float]], wanted: tuple, q: float) -> float | None:
    n, _, before = wanted
    return pct.finish([v for part in candidates for v in part], before, n, q) if n else None


class ClipThreshold(beam.PTransform):
    """Lists of clip scores -> one threshold (None when no video was scored in percentile mode)."""

    def __init__(self, config: ClipScoreConfig) -> None:
        super().__init__()
        self.config = config

    def expand(self, scores):
        if self.config.mode == "absolute":
            return scores.pipeline | "Absolute" >> beam.Create([self.config.threshold])
        q = self.config.percentile
        wanted = (scores
                  | "Histogram" >> beam.Map(_histogram)
                  | "SumHistograms" >> beam.CombineGlobally(_add)
                  | "WantedBins" >> beam.Map(_wanted, q))
        return (scores
                | "InWantedBins" >> beam.Map(_in_wanted_bins, beam.pvalue.AsSingleton(wanted))
                | "GatherCandidates" >> beam.combiners.ToList()
                | "Percentile" >> beam.Map(_finish, beam.pvalue.AsSingleton(wanted), q))
