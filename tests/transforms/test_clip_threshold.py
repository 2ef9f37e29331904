"""The run's clip threshold in a real pipeline equals numpy.percentile over every score, without gathering them."""
import apache_beam as beam
import numpy as np
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import ClipScoreConfig
from transforms.clip_threshold import ClipThreshold


def run_threshold(chunks, config):
    with beam.Pipeline(runner=FnApiRunner()) as p:
        out = p | beam.Create(chunks, reshuffle=False) | ClipThreshold(config)
        expected = float(np.percentile(np.concatenate([c for c in chunks if c] or [[0.0]]), config.percentile)) \
            if any(chunks) and config.mode != "absolute" else (config.threshold if config.mode == "absolute" else None)
        assert_that(out, equal_to([expected]))


def test_percentile_mode_equals_numpy():
    rng = np.random.default_rng(1)
    chunks = [rng.normal(0.2, 0.05, int(rng.integers(0, 40))).tolist() for _ in range(60)]
    for q in (0.0, 12.5, 30.0, 99.0):
        run_threshold(chunks, ClipScoreConfig(mode="percentile", percentile=q))


def test_no_scores_and_absolute_mode():
    run_threshold([[], []], ClipScoreConfig(mode="percentile", percentile=30.0))
    run_threshold([[0.1, 0.2]], ClipScoreConfig(mode="absolute", threshold=0.15))
