"""Bloom filters built by a pipeline and read as side inputs (incremental curation, ``transforms.earlier_runs``).

A filter is big (16 MiB for a 100k-record increment) and made of many parts (one per bundle that saw keys), so
what crosses stages is a reference, never the bits: each bundle puts its part into the exchange (a spill file on
the local runner), the parts are OR-ed in up to 16 groups and those once more by a global combine into one file,
and each worker loads that file once (``LoadedBloom``). Passing the bits themselves cost an increment ~2.5 s of a
26 s run (each 16 MiB part pickled through the runner twice, then the merged filter once more to every consumer),
and passing the keys to a separate stage that built the filter cost another second (docs/BENCHMARKS.md).
"""
from __future__ import annotations

import zlib
from typing import Callable

import apache_beam as beam
import numpy as np

from filters.bloom import Bloom
from transforms.batching import Exchange, Ref


class _PartialBloom(beam.DoFn):
    """Key arrays (from ``keys_of(element)``) -> one filter part per bundle, as an exchange reference."""

    def __init__(self, bits: int, exchange: Exchange, keys_of: Callable, *args) -> None:
        self.bits = bits
        self.exchange = exchange
        self.keys_of = keys_of
        self.args = args

    def start_bundle(self) -> None:
        self.bloom = None

    def process(self, element):
        keys = self.keys_of(element, *self.args)
        if len(keys):
            if self.bloom is None:
                self.bloom = Bloom(self.bits)
            self.bloom.add(keys)

    def finish_bundle(self):
        if self.bloom is not None:
            from apache_beam.transforms.window import GlobalWindow
            from apache_beam.utils.timestamp import MIN_TIMESTAMP
            from apache_beam.utils.windowed_value import WindowedValue
            yield WindowedValue(self.exchange.put("bloom_parts", 0, self.bloom.words)[1], MIN_TIMESTAMP,
                                [GlobalWindow()])


SHARDS = 16  # parts are OR-ed in this many groups first, so the last union reads at most this many filters


def _union(refs, exchange: Exchange) -> Ref | None:
    """The reference of the OR of some parts (None: no part)."""
    words = None
    for part in exchange.chunks(sorted(refs)):  # sorted: the same union whatever the parts' order
        words = part.copy() if words is None else np.bitwise_or(words, part, out=words)
    return None if words is None else exchange.put("bloom", 0, words)[1]


def _shard(ref: Ref) -> tuple[int, Ref]:
    return zlib.crc32(ref if isinstance(ref, bytes) else ref.encode()) % SHARDS, ref


def _union_of_shard(keyed, exchange: Exchange) -> Ref | None:
    return _union(keyed[1], exchange)


class _UnionOfParts(beam.CombineFn):
    """Shard unions' references -> the reference of their OR (None: no part, i.e. no key at all). The accumulator
    is the list of references, so combining moves names, and the bits are read once, by ``extract_output``."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange

    def create_accumulator(self) -> list:
        return []

    def add_input(self, acc: list, ref: Ref) -> list:
        acc.append(ref)
        return acc

    def merge_accumulators(self, accs) -> list:
        return [ref for acc in accs for ref in acc]

    def extract_output(self, acc: list) -> Ref | None:
        return _union(acc, self.exchange)


class BloomOfKeys(beam.PTransform):
    """(collection, keys_of, *args) sources -> a singleton: the reference of one Bloom filter of every key that
    ``keys_of(element, *args)`` gives (a uint64 array), or None when there were none. ``bits``: a constant (a
    count would read the keys twice, and a collection read twice lost its elements on the Dask runner)."""

    def __init__(self, sources: list[tuple], exchange: Exchange, bits: int) -> None:
        super().__init__()
        self.sources = sources
        self.exchange = exchange
        self.bits = bits

    def expand(self, pipeline):
        # each source's parts are built where its keys are made (fused into the stage that makes them)
        parts = tuple(collection | f"Part{i}" >> beam.ParDo(_PartialBloom(self.bits, self.exchange, keys_of, *args))
                      for i, (collection, keys_of, *args) in enumerate(self.sources))
        return parts | "Parts" >> beam.Flatten() | "Union" >> UnionOfParts(self.exchange)


class UnionOfParts(beam.PTransform):
    """Filter part references -> a singleton: the reference of their OR (None when there are none). In two steps,
    as there is one part per bundle: a runner with thousands of bundles must not have one worker read them all."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__()
        self.exchange = exchange

    def expand(self, refs):
        return (refs
                | "Shard" >> beam.Map(_shard)
                | "GroupShards" >> beam.GroupByKey()
                | "ShardUnions" >> beam.Map(_union_of_shard, self.exchange)
                | "Union" >> beam.CombineGlobally(_UnionOfParts(self.exchange)))


class LoadedBloom:
    """A DoFn's handle on a filter side input: the filter behind a reference, loaded once per worker."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.ref: Ref | None = None
        self.bloom: Bloom | None = None

    def __call__(self, ref: Ref | None) -> Bloom | None:
        if ref is None:
            return None
        if ref is not self.ref and ref != self.ref:
            words = self.exchange.get(ref)
            self.ref, self.bloom = ref, Bloom(len(words) * 64, words)
        return self.bloom
