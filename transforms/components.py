"""Connected components in the pipeline: ``rounds`` unrolled large-star/small-star rounds, then ``settle``, then
the union-find of whatever did not converge (``filters.components`` explains why that is exact)."""
from __future__ import annotations

import apache_beam as beam

from filters import components as cc
from transforms.batching import Exchange, node_key

RESIDUAL = "residual"


def _keyed(edges: list[tuple], orient, name: str, partitions: int, exchange: Exchange):
    return exchange.split(name, orient(edges), node_key, partitions)


def _step(keyed, step, orient, name: str, partitions: int, exchange: Exchange):
    """One star step over a node partition, its edges keyed at once for the next step's grouping (one transform
    per step rather than two: every transform costs graph construction and a bundle stage)."""
    edges = step(exchange.gather(keyed[1]))
    if edges:
        yield from exchange.split(name, orient(edges), node_key, partitions)


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
        keyed = edges | "Key" >> beam.FlatMap(_keyed, cc.both_ways, "cc0l" if self.rounds else "labels", parts, ex)
        for i in range(self.rounds):
            after = f"cc{i + 1}l" if i + 1 < self.rounds else "labels"
            keyed = (keyed
                     | f"LargeStar{i}/Group" >> beam.GroupByKey()
                     | f"LargeStar{i}/Apply" >> beam.FlatMap(_step, cc.large_star, cc.smaller_side, f"cc{i}s", parts,
                                                             ex)
                     | f"SmallStar{i}/Group" >> beam.GroupByKey()
                     | f"SmallStar{i}/Apply" >> beam.FlatMap(_step, cc.small_star, cc.both_ways, after, parts, ex))
        settled = (keyed
                   | "Settle/Group" >> beam.GroupByKey()
                   | "Settle/Apply" >> beam.FlatMap(_settle, ex).with_outputs(RESIDUAL, main="labels"))
        roots = (settled[RESIDUAL]
                 | "Residual/Gather" >> beam.combiners.ToList()
                 | "Residual/UnionFind" >> beam.Map(_roots))
        return settled.labels | "Labels" >> beam.Map(_final, beam.pvalue.AsSingleton(roots))
