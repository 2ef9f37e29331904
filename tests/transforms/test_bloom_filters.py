"""BloomOfKeys as a real Beam pipeline: parts from two sources and many bundles, one union, read by reference."""
import apache_beam as beam
import numpy as np
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from transforms.batching import Exchange
from transforms.bloom_filters import SHARDS, BloomOfKeys, LoadedBloom, UnionOfParts

BITS = 1 << 16


def _keys(element: tuple[int, int], scale: int) -> np.ndarray:
    start, count = element
    return (np.arange(start, start + count, dtype=np.uint64) * np.uint64(scale))


class _Probe(beam.DoFn):
    """Which of ``keys`` the side-input filter may hold, from a DoFn, as a pipeline stage would ask."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange

    def setup(self) -> None:
        self.loaded = LoadedBloom(self.exchange)

    def process(self, keys: np.ndarray, ref):
        bloom = self.loaded(ref)
        yield None if bloom is None else bloom.contains(keys).tolist()


def _run(first: list, second: list, probes: np.ndarray, exchange: Exchange, check) -> None:
    """``check(answers)`` runs on the probe's one answer (a list of bools, or None for no filter)."""
    with beam.Pipeline(runner=FnApiRunner()) as p:
        a = p | "A" >> beam.Create(first)
        b = p | "B" >> beam.Create(second)
        ref = p | BloomOfKeys([(a, _keys, 3), (b, _keys, 7)], exchange, BITS)
        found = (p | "Probes" >> beam.Create([probes])
                 | beam.ParDo(_Probe(exchange), beam.pvalue.AsSingleton(ref)))
        assert_that(found, check)


@pytest.mark.parametrize("spill", [True, False])
def test_union_holds_every_key_of_every_source(tmp_path, spill):
    exchange = Exchange(str(tmp_path) if spill else None)
    first = [(i * 100, 100) for i in range(10)]   # keys 0, 3, ..., 2997
    second = [(i * 50, 50) for i in range(4)]     # keys 0, 7, ..., 1393
    added = np.unique(np.concatenate([_keys(e, 3) for e in first] + [_keys(e, 7) for e in second]))
    absent = np.setdiff1d(np.arange(1, 200_000, dtype=np.uint64) * np.uint64(11) + np.uint64(5), added)

    def check(answers):
        [hits] = answers
        assert all(hits[:len(added)])                        # no false negatives, whichever part a key was in
        assert sum(hits[len(added):]) < 0.02 * len(absent)   # and few false positives (~20 bits per key here)

    _run(first, second, np.concatenate([added, absent]), exchange, check)


def test_no_keys_at_all_gives_no_filter(tmp_path):
    _run([(0, 0)], [], np.arange(5, dtype=np.uint64), Exchange(str(tmp_path)), equal_to([None]))


def test_union_of_more_parts_than_shards(tmp_path):
    exchange = Exchange(str(tmp_path))
    parts = [np.zeros(BITS // 64, dtype=np.uint64) for _ in range(3 * SHARDS)]
    for i, words in enumerate(parts):
        words[i] = np.uint64(1) << np.uint64(i % 64)
    refs = [exchange.put("bloom_parts", 0, words)[1] for words in parts]
    want = np.bitwise_or.reduce(parts)

    def check(answers):
        [ref] = answers
        assert np.array_equal(exchange.get(ref), want)

    with beam.Pipeline(runner=FnApiRunner()) as p:
        assert_that(p | beam.Create(refs) | UnionOfParts(exchange), check)
