"""How batches cross a shuffle: keyed by a small partition number, the payload in a spill file.

Every GroupByKey in this project groups by a small integer *partition* (a hash shard of record ids, text hashes or
LSH bucket keys) and every value is a whole list, so the number of shuffle elements scales with partitions x
batches, not records. The list itself is pickled (a table of rows travels as Arrow IPC) and, by default, written to a file under the run's spill folder,
so only its path crosses the shuffle. Two measured reasons (docs/BENCHMARKS.md): the FnApiRunner keeps every
shuffled byte in its own memory until the next stage runs (memory would grow with the input), and Beam's generic
coder walks lists of tuples element by element in Python, which cost more than all the text filters together.
With ``spill_dir=None`` the pickled bytes travel in the element instead (sensible on Dataflow's shuffle service).
"""
from __future__ import annotations

import os
import pickle
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa
import xxhash
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

_GOLDEN = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1

SHUFFLE_NAMESPACE = "ykcurate.shuffle"  # counters "<payload>.pieces" / "<payload>.bytes" per exchange.put
Ref = Any  # a spill-file path (str) or the pickled payload itself (bytes)


def partition_of(value: int, partitions: int) -> int:
    """Deterministic partition of an integer key (Fibonacci hashing, stable across processes)."""
    return (((value * _GOLDEN) & _MASK) >> 32) % partitions


_IPC = b"YKIPC\x00"  # never the start of a pickle (protocol 2+ starts with 0x80)


def partitions_of(values: np.ndarray, partitions: int) -> np.ndarray:
    """``partition_of`` for an array of non-negative int64 keys at once."""
    with np.errstate(over="ignore"):
        return (((values.astype(np.uint64) * np.uint64(_GOLDEN)) >> np.uint64(32)) % np.uint64(partitions)).astype(
            np.int64)


def partition_order(parts: np.ndarray, partitions: int) -> np.ndarray:
    """Stable order of items by partition. Partition numbers fit 16 bits, where NumPy's stable sort is a radix
    sort (linear; a 64-bit merge sort of 1.5M band entries cost 5x more)."""
    narrow = parts.astype(np.uint16) if partitions <= 1 << 16 else parts
    return np.argsort(narrow, kind="stable")


def pack(items: Any) -> bytes:
    """Arrow tables (rows) as an Arrow IPC stream, anything else pickled."""
    if isinstance(items, pa.Table):
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, items.schema) as writer:
            writer.write_table(items)
        return _IPC + sink.getvalue().to_pybytes()
    return pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> Any:
    if blob[:len(_IPC)] == _IPC:
        return pa.ipc.open_stream(pa.py_buffer(blob)[len(_IPC):]).read_all()
    return pickle.loads(blob)


@dataclass(frozen=True)
class Exchange:
    """Puts payloads where a shuffle can point at them and gets them back on the other side."""

    spill_dir: str | None = None

    def put(self, name: str, partition: int, items: Any) -> tuple[int, Ref]:
        blob = pack(items)
        Metrics.counter(SHUFFLE_NAMESPACE, f"{name}.pieces").inc()
        Metrics.counter(SHUFFLE_NAMESPACE, f"{name}.bytes").inc(len(blob))
        if self.spill_dir is None:
            return partition, blob
        # Content-addressed: a retried bundle rewrites the same file, and no two payloads share a name.
        digest = xxhash.xxh3_128_hexdigest(blob)  # ~9x blake2b's speed; every shuffled byte passes here
        path = FileSystems.join(self.spill_dir, name, f"{partition:05d}-{digest}.pkl")
        # Temporary name, then rename: a reader never sees half a payload, even when a bundle is retried.
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        if "://" in path:
            with FileSystems.create(tmp) as handle:
                handle.write(blob)
            FileSystems.rename([tmp], [path])
        else:  # local disk: plain files (Beam's LocalFileSystem.create costs ~1 ms per file)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, path)
        return partition, path

    def get(self, ref: Ref) -> Any:
        if isinstance(ref, bytes):
            return unpack(ref)
        if "://" not in ref:
            with open(ref, "rb") as handle:
                return unpack(handle.read())
        with FileSystems.open(ref) as handle:
            return unpack(handle.read())

    def split(self, name: str, items: Iterable[Any], key: Callable[[Any], int], partitions: int,
              pack_as: Callable[[list], Any] | None = None) -> Iterator[tuple[int, Ref]]:
        """Split items into one (partition, ref) per non-empty partition, in partition order, items in input order
        within one (keys are non-negative integers); ``pack_as`` turns each partition's list into the form it
        travels in (e.g. a column table)."""
        items = items if isinstance(items, list) else list(items)
        keys = np.fromiter(map(key, items), dtype=np.int64, count=len(items))

        def take(indices: np.ndarray) -> Any:
            bucket = [items[i] for i in indices.tolist()]
            return pack_as(bucket) if pack_as else bucket

        return self.split_by(name, keys, partitions, take)

    def split_by(self, name: str, keys: np.ndarray, partitions: int,
                 take: Callable[[np.ndarray], Any]) -> Iterator[tuple[int, Ref]]:
        """(partition, ref) per non-empty partition of ``keys`` (non-negative integers), in partition order; the
        payload is ``take(indices of the items in it, in input order)`` (columns slice themselves)."""
        return self.put_runs(name, partitions_of(keys, partitions), partitions, take)

    def put_runs(self, name: str, parts: np.ndarray, partitions: int,
                 take: Callable[[np.ndarray], Any]) -> Iterator[tuple[int, Ref]]:
        """``split_by`` for items whose partitions are already known (``parts``, each below ``partitions``)."""
        if not len(parts):
            return
        order = partition_order(parts, partitions)
        parts = parts[order]
        bounds = np.flatnonzero(np.r_[True, parts[1:] != parts[:-1], True])
        for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            yield self.put(name, int(parts[start]), take(order[start:end]))

    def chunks(self, refs: Iterable[Ref]) -> Iterator[Any]:
        """Each payload of a grouped value, once (identical payloads share one file and are read once)."""
        seen = set()
        for ref in refs:
            if isinstance(ref, str):
                if ref in seen:
                    continue
                seen.add(ref)
            yield self.get(ref)

    def gather(self, refs: Iterable[Ref]) -> list:
        """All items of a grouped value's payloads as one list."""
        out: list = []
        for chunk in self.chunks(refs):
            out.extend(chunk)
        return out


def first(pair: tuple) -> Any:
    return pair[0]
