"""Keyed batches: how records cross a shuffle without paying Beam's per-element overhead.

Every GroupByKey in this project groups by a small integer partition, and the values are lists. A partition is a
shard of the key space (record ids, text hashes, LSH bucket keys), so the number of partitions, not the number of
records, sets the number of shuffle elements per batch.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

_GOLDEN = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def partition_of(value: int, partitions: int) -> int:
    """Deterministic partition of an integer key (Fibonacci hashing, stable across processes)."""
    return (((value * _GOLDEN) & _MASK) >> 32) % partitions


def by_partition(items: Iterable[Any], key: Callable[[Any], int], partitions: int) -> Iterator[tuple[int, list]]:
    """Split items into (partition, list) pairs, one per non-empty partition."""
    buckets: dict[int, list] = {}
    for item in items:
        buckets.setdefault(partition_of(key(item), partitions), []).append(item)
    yield from buckets.items()


def flatten_values(keyed: tuple[int, Iterable[list]]) -> list:
    """The values of a grouped (partition, [list, list, ...]) element as one list."""
    out: list = []
    for chunk in keyed[1]:
        out.extend(chunk)
    return out


def first(pair: tuple) -> Any:
    return pair[0]


def node_key(edge: tuple) -> int:
    return edge[0][0]
