"""Connected components in the pipeline: ``cc_rounds`` unrolled large-star/small-star rounds, then labels."""
from __future__ import annotations

import apache_beam as beam

from filters import components as cc
from transforms.batching import by_partition, flatten_values, node_key


def _keyed(edges: list[tuple], orient, partitions: int):
    return by_partition(orient(edges), node_key, partitions)


def _round(keyed, step):
    edges = step(flatten_values(keyed))
    if edges:
        yield edges


def _labels(keyed):
    labels = cc.labels(flatten_values(keyed))
    yield [(node[0], rep) for node, rep in labels.items()]


class ConnectedComponents(beam.PTransform):
    """Batches of edges ((rid, vid), (rid, vid)) -> batches of (record_id, representative node)."""

    def __init__(self, rounds: int, partitions: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.partitions = partitions

    def expand(self, edges):
        for i in range(self.rounds):
            edges = (edges
                     | f"LargeStar{i}/Key" >> beam.FlatMap(_keyed, cc.both_ways, self.partitions)
                     | f"LargeStar{i}/Group" >> beam.GroupByKey()
                     | f"LargeStar{i}/Apply" >> beam.FlatMap(_round, cc.large_star)
                     | f"SmallStar{i}/Key" >> beam.FlatMap(_keyed, cc.smaller_side, self.partitions)
                     | f"SmallStar{i}/Group" >> beam.GroupByKey()
                     | f"SmallStar{i}/Apply" >> beam.FlatMap(_round, cc.small_star))
        return (edges
                | "Labels/Key" >> beam.FlatMap(_keyed, cc.both_ways, self.partitions)
                | "Labels/Group" >> beam.GroupByKey()
                | "Labels/Apply" >> beam.FlatMap(_labels))
