import numpy as np
import pytest

from filters.percentile import percentile


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 50_000])
def test_equals_numpy_percentile_exactly(n):
    rng = np.random.default_rng(n)
    for values in (rng.normal(0.2, 0.05, n), rng.uniform(-1, 1, n), np.round(rng.normal(0, 1, n), 2),
                   np.full(n, 0.25)):
        for q in (0, 0.1, 10, 33.3, 50, 90, 99.9, 100):
            assert percentile(values, q) == float(np.percentile(values, q))
