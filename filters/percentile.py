"""An exact percentile without gathering every value: a histogram over the float's own bit order, then the values
of the one or two bins that hold the wanted ranks.

Why: the clip-score threshold is a percentile of every video's score in the run, and sending 10^8 scores to one
worker (``ToList``) is the kind of hot spot a cluster cannot afford. Approximate quantile sketches would make the
threshold depend on how bundles were combined, so ``reshard`` (which has the scores in one process) could not
reproduce the run. Here both passes are associative (counts add up, bins are filters), the result equals
``numpy.percentile(values, q)`` (linear interpolation) exactly, and pipeline and reshard share this code.
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

BIN_BITS = 16  # 65,536 bins: the second pass sees about n / 65,536 values per wanted rank (more if scores cluster)


def bins(values: np.ndarray) -> np.ndarray:
    """Monotonic bin of each float64: the top bits of a bit pattern ordered like the floats themselves."""
    bits = np.asarray(values, dtype=np.float64).view(np.uint64)
    ordered = np.where(bits >> np.uint64(63), ~bits, bits | np.uint64(1 << 63))
    return (ordered >> np.uint64(64 - BIN_BITS)).astype(np.int64)


def histogram(values: Sequence[float]) -> np.ndarray:
    return np.bincount(bins(np.asarray(values, dtype=np.float64)), minlength=1 << BIN_BITS).astype(np.int64)


def ranks(n: int, q: float) -> tuple[int, int, float]:
    """numpy's linear method: the two order statistics around rank q/100*(n-1) and the fraction between them."""
    index = q / 100.0 * (n - 1)
    lo = math.floor(index)
    return lo, min(lo + 1, n - 1), index - lo


def wanted_bins(counts: np.ndarray, q: float) -> tuple[list[int], int]:
    """The bins holding the two order statistics, and how many values lie in bins before the first of them."""
    cumulative = np.cumsum(counts)
    lo, hi, _ = ranks(int(cumulative[-1]), q)
    first, last = (int(np.searchsorted(cumulative, r, side="right")) for r in (lo, hi))
    before = int(cumulative[first - 1]) if first else 0
    return sorted({first, last}), before


def lerp(a: float, b: float, t: float) -> float:
    """numpy.percentile's interpolation, term for term."""
    diff = b - a
    return float(b - diff * (1 - t) if t >= 0.5 else a + diff * t)


def finish(in_bins: Iterable[float], before: int, n: int, q: float) -> float:
    """The percentile from the values of the wanted bins (``before`` values lie in lower bins)."""
    lo, hi, t = ranks(n, q)
    candidates = sorted(float(v) for v in in_bins)
    return lerp(candidates[lo - before], candidates[hi - before], t)


def percentile(values: Sequence[float], q: float) -> float:
    """The same computation in one process (reshard, tests)."""
    values = np.asarray(values, dtype=np.float64)
    counts = histogram(values)
    wanted, before = wanted_bins(counts, q)
    return finish(values[np.isin(bins(values), wanted)], before, len(values), q)
