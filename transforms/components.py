"""Connected components in the pipeline: ``rounds`` unrolled large-star/small-star rounds, then ``settle``, then
the union-find of whatever did not converge (``filters.components`` explains why that is exact)."""
from __future__ import annotations

import apache_beam as beam

from filters import components as cc
from transforms.batching import Exchange, node_key

RESIDUAL = "residual"


def _keyed(edges: list[tuple], orient, name: str, partitions: int, exchange: Exchange):
    return exchange.split(name, orient(edges), node_key, partitions)


def _round(keyed, step, exchange: Exchange):
    edges = step(exchange.gather(keyed[1]))
    if edges:
        yield edges


def _settle(keyed, exchange: Exchange):
    labels, residual = cc.settle(exchange.gather(keyed[1]))
    yield labels
    if residual:
        yield beam.pvalue.TaggedOutput(RESIDUAL, residual)


def _roots(residual_lists: list[list[tuple]]) -> dict:
    return cc.residual_roots(edge for edges in residual_lists for edge in edges)


def _final(labels: list[tuple], roots: dict) -> list[tuple]:
    return [(node[0], cc.final_label(candidate, roots)) for node, candidate in labels]


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
        settled = (edges
                   | "Settle/Key" >> beam.FlatMap(_keyed, cc.both_ways, "labels", parts, ex)
                   | "Settle/Group" >> beam.GroupByKey()
                   | "Settle/Apply" >> beam.FlatMap(_settle, ex).with_outputs(RESIDUAL, main="labels"))
        roots = (settled[RESIDUAL]
                 | "Residual/Gather" >> beam.combiners.ToList()
                 | "Residual/UnionFind" >> beam.Map(_roots))
        return settled.labels | "Labels" >> beam.Map(_final, beam.pvalue.AsSingleton(roots))
