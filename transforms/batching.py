"""Keyed batches: how records cross a shuffle without paying Beam's per-element overhead.

Every GroupByKey in this project groups by a small integer partition, and the values are lists. A partition is a
shard of the key space (record ids, text hashes, LSH bucket keys), so the number of partitions, not the number of
records, sets the number of shuffle elements per batch. Each list crosses the shuffle as one pickled ``bytes``
value: Beam's generic coder walks lists of tuples and dicts element by element in Python, and measured on the text
phase that encoding cost more than all the filters together (docs/BENCHMARKS.md).
"""
from __future__ import annotations

import pickle
from typing import Any, Callable, Iterable, Iterator

_GOLDEN = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def partition_of(value: int, partitions: int) -> int:
    """Deterministic partition of an integer key (Fibonacci hashing, stable across processes)."""
    return (((value * _GOLDEN) & _MASK) >> 32) % partitions


def pack(items: list) -> bytes:
    return pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> list:
    return pickle.loads(blob)


def by_partition(items: Iterable[Any], key: Callable[[Any], int], partitions: int) -> Iterator[tuple[int, bytes]]:
    """Split items into (partition, packed list) pairs, one per non-empty partition."""
    buckets: dict[int, list] = {}
    for item in items:
        buckets.setdefault(partition_of(key(item), partitions), []).append(item)
    for partition, chunk in buckets.items():
        yield partition, pack(chunk)


def flatten_values(keyed: tuple[int, Iterable[bytes]]) -> list:
    """The values of a grouped (partition, [packed list, ...]) element as one list."""
    out: list = []
    for blob in keyed[1]:
        out.extend(unpack(blob))
    return out


def unpacked(blobs: Iterable[bytes]) -> Iterator[list]:
    """Each packed list of a grouped value, unpacked (for joins that keep their inputs apart)."""
    for blob in blobs:
        yield unpack(blob)


def first(pair: tuple) -> Any:
    return pair[0]


def node_key(edge: tuple) -> int:
    return edge[0][0]
