"""``exact_dup`` as a PTransform: keys sharded by hash, each shard resolved with a sort (see filters.exact_dup)."""
from __future__ import annotations

import apache_beam as beam

from filters.exact_dup import exact_keys, resolve
from filters.near_dup import text_hash
from pipeline.config import ExactDupConfig
from transforms.batching import by_partition, flatten_values

EDGES = "edges"


def _key_entries(items: list[tuple], content_keys: list[str], partitions: int):
    entries = [(kind, key, item[0], item[1]) for item in items for kind, key in exact_keys(item, content_keys)]
    return by_partition(entries, lambda e: text_hash(e[0] + "\x1f" + e[1]), partitions)


def _resolve_shard(keyed):
    decisions, edges = resolve(flatten_values(keyed))
    if decisions:
        yield sorted(decisions.items())
    if edges:
        yield beam.pvalue.TaggedOutput(EDGES, edges)


class ExactDedup(beam.PTransform):
    """Dedup items -> batches of (record_id, decision) on the main output and content-dup edges on ``edges``."""

    def __init__(self, config: ExactDupConfig) -> None:
        super().__init__()
        self.config = config

    def expand(self, items):
        return (items
                | "KeyByDupKey" >> beam.FlatMap(_key_entries, self.config.keys, self.config.partitions)
                | "GroupDupKeys" >> beam.GroupByKey()
                | "EarliestWins" >> beam.FlatMap(_resolve_shard).with_outputs(EDGES, main="decisions"))
