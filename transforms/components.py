"""Connected components in the pipeline: ``rounds`` unrolled large-star/small-star rounds over record-id arrays,
then ``settle``, the union-find of whatever did not converge (``filters.components`` explains why that is exact),
and one join that gives each representative its video id back."""
from __future__ import annotations

import apache_beam as beam
import numpy as np

from filters import components as cc
from filters.components import Edges
from schemas.records import Representative
from transforms.batching import Exchange

RESIDUAL = "residual"
NAMES = "names"


def _split(name: str, edges: Edges, partitions: int, exchange: Exchange):
    """(partition, ref) of the edges, by partition of their first node."""
    return exchange.split_by(name, edges.u, partitions, lambda where: Edges(edges.u[where], edges.v[where]))


def _keyed(edges: list[tuple], name: str, partitions: int, exchange: Exchange):
    """The dedup stages' edges between (record_id, video_id) nodes -> record-id edges both ways, keyed by node
    partition; each node's video id on ``names``, keyed by the partition of its record id."""
    ids, names = cc.of_nodes(edges)
    yield from _split(name, cc.both_ways(ids), partitions, exchange)
    record_ids = np.fromiter(names, dtype=np.int64, count=len(names))
    video_ids = list(names.values())
    for keyed in exchange.split_by("names", record_ids, partitions,
                                   lambda where: (record_ids[where], [video_ids[i] for i in where.tolist()])):
        yield beam.pvalue.TaggedOutput(NAMES, keyed)


def _step(keyed, step, orient, name: str, partitions: int, exchange: Exchange):
    """One star step over a node partition, its edges keyed at once for the next step's grouping (one transform
    per step rather than two: every transform costs graph construction and a bundle stage)."""
    yield from _split(name, orient(step(Edges.concat(exchange.chunks(keyed[1])))), partitions, exchange)


def _settle(keyed, exchange: Exchange):
    settled, residual = cc.settle(Edges.concat(exchange.chunks(keyed[1])))
    yield settled
    if len(residual):
        yield beam.pvalue.TaggedOutput(RESIDUAL, residual)


def _roots(residuals: list[Edges]) -> tuple[np.ndarray, np.ndarray]:
    return cc.residual_roots(Edges.concat(residuals))


def _labels_by_representative(settled: cc.Settled, roots, partitions: int, exchange: Exchange):
    """(record id, representative id) of each settled node, keyed by the partition of the representative, where
    its video id is."""
    labels = cc.final_labels(settled, roots)
    return exchange.split_by("labels", labels, partitions, lambda where: Edges(settled.nodes[where], labels[where]))


def _named(joined, exchange: Exchange):
    _, groups = joined
    names: dict[int, str] = {}
    for record_ids, video_ids in exchange.chunks(groups["names"]):
        names.update(zip(record_ids.tolist(), video_ids))
    out = []
    for labels in exchange.chunks(groups["labels"]):
        out.extend((node, Representative(rep, names[rep])) for node, rep in zip(labels.u.tolist(), labels.v.tolist()))
    if out:
        yield out


class ConnectedComponents(beam.PTransform):
    """Lists of edges ((rid, vid), (rid, vid)) -> lists of (record_id, Representative)."""

    def __init__(self, rounds: int, partitions: int, exchange: Exchange) -> None:
        super().__init__()
        self.rounds = rounds
        self.partitions = partitions
        self.exchange = exchange

    def expand(self, edges):
        parts, ex = self.partitions, self.exchange
        keyed = edges | "Key" >> beam.FlatMap(_keyed, "cc0l" if self.rounds else "settle", parts, ex).with_outputs(
            NAMES, main="edges")
        names, keyed = keyed[NAMES], keyed.edges
        for i in range(self.rounds):
            after = f"cc{i + 1}l" if i + 1 < self.rounds else "settle"
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
        labels = settled.labels | "Labels" >> beam.FlatMap(_labels_by_representative, beam.pvalue.AsSingleton(roots),
                                                            parts, ex)
        return ({"labels": labels, "names": names}
                | "NameRepresentatives/Join" >> beam.CoGroupByKey()
                | "NameRepresentatives/Apply" >> beam.FlatMap(_named, ex))
