"""``exact_dup`` as a PTransform: keys sharded by hash, each shard resolved with a sort (see filters.exact_dup)."""
from __future__ import annotations

import zlib

import apache_beam as beam

from filters.exact_dup import exact_keys, resolve
from pipeline.config import ExactDupConfig
from transforms.batching import Exchange

EDGES = "edges"


def key_entries(items: list[tuple], config: ExactDupConfig, exchange: Exchange):
    """(partition, ref) of the exact-dup keys of a batch of dedup items; used by the text stage."""
    entries = [(kind, key, item.record_id, item.video_id) for item in items
               for kind, key in exact_keys(item, config.keys)]
    return exchange.split("exact_keys", entries, _key_hash, config.partitions)


def _key_hash(entry: tuple) -> int:
    """Stable across processes, and a C call (blake2b here cost more than resolving the keys)."""
    return zlib.crc32(f"{entry[0]}\x1f{entry[1]}".encode("utf-8", "surrogatepass"))


def _resolve_shard(keyed, exchange: Exchange):
    partition, refs = keyed
    decisions, edges = resolve(exchange.gather(refs))
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
