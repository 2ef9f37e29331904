"""``exact_dup`` as a PTransform: keys sharded by hash, each shard resolved with a sort (see filters.exact_dup)."""
from __future__ import annotations

import zlib

import apache_beam as beam
import numpy as np

from filters.exact_dup import ExactKeys, exact_keys, resolve
from pipeline.config import ExactDupConfig
from schemas.records import DedupItem
from transforms.batching import Exchange, partition_of

EDGES = "edges"


def key_entries(items: list[DedupItem], config: ExactDupConfig, exchange: Exchange, bloom=None):
    """(partition, ref to ExactKeys) of the exact-dup keys of a batch of dedup items; used by the text stage, and
    for an earlier run's records (``bloom``: only the keys a new record may share, ``transforms.earlier_runs``)."""
    parts: dict[int, ExactKeys] = {}
    content_keys = tuple(config.keys)
    entries = [(kind, key, item.record_id, item.video_id, _key_hash(kind, key))
               for item in items for kind, key in exact_keys(item, content_keys)]
    if bloom is not None and entries:
        hits = bloom.contains(np.fromiter((e[4] for e in entries), dtype=np.uint64, count=len(entries)))
        entries = [e for e, hit in zip(entries, hits.tolist()) if hit]
    for kind, key, record_id, video_id, hashed in entries:
        part = partition_of(hashed, config.partitions)
        if part not in parts:
            parts[part] = ExactKeys([], [], [], [])
        parts[part].add(kind, key, record_id, video_id)
    return [exchange.put("exact_keys", part, parts[part]) for part in sorted(parts)]


def _key_hash(kind: str, key: str) -> int:
    """Stable across processes, and a C call (blake2b here cost more than resolving the keys)."""
    return zlib.crc32(f"{kind}\x1f{key}".encode("utf-8", "surrogatepass"))


def _resolve_shard(keyed, exchange: Exchange):
    partition, refs = keyed
    decisions, edges = resolve(exchange.chunks(refs))
    if decisions:
        yield sorted(decisions.items())
    if edges:
        yield beam.pvalue.TaggedOutput(EDGES, edges)


class ExactDedup(beam.PTransform):
    """Keyed entry refs (from ``key_entries``) -> lists of (record_id, decision); content-dup edges on ``edges``."""

    def __init__(self, config: ExactDupConfig, exchange: Exchange) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange

    def expand(self, items):
        return (items
                | "GroupDupKeys" >> beam.GroupByKey()
                | "EarliestWins" >> beam.FlatMap(_resolve_shard, self.exchange).with_outputs(EDGES, main="decisions"))
