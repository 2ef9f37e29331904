"""Connected components in the pipeline: ``cc_rounds`` unrolled large-star/small-star rounds, then labels."""
from __future__ import annotations

import apache_beam as beam

from filters import components as cc
from transforms.batching import Exchange, node_key


def _keyed(edges: list[tuple], orient, name: str, partitions: int, exchange: Exchange):
    return exchange.split(name, orient(edges), node_key, partitions)


def _round(keyed, step, exchange: Exchange):
    edges = step(exchange.gather(keyed[1]))
    if edges:
        yield edges


def _labels(keyed, exchange: Exchange):
    labels = cc.labels(exchange.gather(keyed[1]))
    yield [(node[0], rep) for node, rep in labels.items()]


class ConnectedComponents(beam.PTransform):
    """Lists of edges ((rid, vid), (rid, vid)) -> lists of (record_id, representative node)."""

    def __init__(self, rounds: int, partitions: int, exchange: Exchange) -> None:
        super().__init__()
        self.rounds = rounds
        self.partitions = partitions
        self.exchange = exchange

    def expand(self, edges):
        parts, ex = self.partitions, self.exchange
        for i in range(self.rounds):
            edges = (edges
                     | f"LargeStar{i}/Key" >> beam.FlatMap(_keyed, cc.both_ways, f"cc{i}l", parts, ex)
                     | f"LargeStar{i}/Group" >> beam.GroupByKey()
                     | f"LargeStar{i}/Apply" >> beam.FlatMap(_round, cc.large_star, ex)
                     | f"SmallStar{i}/Key" >> beam.FlatMap(_keyed, cc.smaller_side, f"cc{i}s", parts, ex)
                     | f"SmallStar{i}/Group" >> beam.GroupByKey()
                     | f"SmallStar{i}/Apply" >> beam.FlatMap(_round, cc.small_star, ex))
        return (edges
                | "Labels/Key" >> beam.FlatMap(_keyed, cc.both_ways, "labels", parts, ex)
                | "Labels/Group" >> beam.GroupByKey()
                | "Labels/Apply" >> beam.FlatMap(_labels, ex))
