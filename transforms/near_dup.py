"""``near_dup`` as a PTransform: collapse identical texts, band MinHash signatures, verify candidates.

Shuffles, all over hash partitions of batches:
  1. items by text hash -> identical texts collapse into one text row (records chained by duration);
  2. LSH band keys by bucket hash -> candidate text pairs (the banding GroupByKey);
  3. pairs join the text rows twice (once per side) -> verified pairs -> edges between records.
The edges go on to ``ConnectedComponents``; nothing is collected on one machine.
"""
from __future__ import annotations

import apache_beam as beam
import numpy as np

from filters.near_dup import bucket_pairs, group_identical, link_segments, lsh_entries, similar, text_hash
from pipeline.config import NearDupConfig
from transforms.batching import by_partition, first, flatten_values, unpacked

EDGES = "edges"


def _text_members(items: list[tuple], partitions: int):
    members = [(item[7], item[0], item[1], item[6]) for item in items if item[2] and item[7]]
    return by_partition(members, lambda m: text_hash(m[0]), partitions)


def _collapse(keyed, tolerance: float):
    rows, edges = group_identical(flatten_values(keyed), tolerance)
    if rows:
        yield rows
    if edges:
        yield beam.pvalue.TaggedOutput(EDGES, edges)


def _band_entries(rows: list[tuple], config: NearDupConfig):
    keys, hashes = lsh_entries(rows, config)
    parts = (keys >> np.uint64(40)) % np.uint64(config.partitions)
    order = np.argsort(parts, kind="stable")
    keys, hashes, parts = keys[order], hashes[order], parts[order]
    bounds = np.flatnonzero(np.r_[True, parts[1:] != parts[:-1], True])
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        yield int(parts[start]), (keys[start:end], hashes[start:end])


def _candidate_pairs(keyed, max_texts: int):
    chunks = list(keyed[1])
    keys = np.concatenate([c[0] for c in chunks])
    hashes = np.concatenate([c[1] for c in chunks])
    pairs = bucket_pairs(keys, hashes, max_texts)
    if pairs:
        yield sorted(pairs)


def _rows_by_hash(rows: list[tuple], partitions: int):
    return by_partition(rows, first, partitions)


def _pairs_by_first(pairs: list[tuple], partitions: int):
    return by_partition(pairs, first, partitions)


def _attach_first_side(joined, partitions: int):
    _, groups = joined
    lookup: dict[int, list] = {}
    for chunk in unpacked(groups["rows"]):
        for row in chunk:
            lookup.setdefault(row[0], []).append(row)
    halves = [(b, row_a) for chunk in unpacked(groups["pairs"]) for a, b in chunk for row_a in lookup.get(a, ())]
    return by_partition(halves, first, partitions)


def _verify(joined, config: NearDupConfig):
    _, groups = joined
    lookup: dict[int, list] = {}
    for chunk in unpacked(groups["rows"]):
        for row in chunk:
            lookup.setdefault(row[0], []).append(row)
    edges = []
    for chunk in unpacked(groups["halves"]):
        for b, row_a in chunk:
            for row_b in lookup.get(b, ()):
                if similar(row_a[1], row_b[1], config):
                    edges.extend(link_segments(row_a[2], row_b[2], config.duration_tolerance))
    if edges:
        yield edges


class NearDedup(beam.PTransform):
    """Dedup items -> batches of record edges (same-text duration chains and verified similar titles)."""

    def __init__(self, config: NearDupConfig) -> None:
        super().__init__()
        self.config = config

    def expand(self, items):
        cfg, parts = self.config, self.config.partitions
        collapsed = (items
                     | "KeyByText" >> beam.FlatMap(_text_members, parts)
                     | "GroupSameText" >> beam.GroupByKey()
                     | "CollapseSameText" >> beam.FlatMap(_collapse, cfg.duration_tolerance).with_outputs(
                         EDGES, main="rows"))
        if not cfg.enabled:
            return collapsed.edges
        rows_keyed = collapsed.rows | "KeyRowsByHash" >> beam.FlatMap(_rows_by_hash, parts)
        pairs = (collapsed.rows
                 | "MinHashBands" >> beam.FlatMap(_band_entries, cfg)
                 | "GroupBuckets" >> beam.GroupByKey()
                 | "CandidatePairs" >> beam.FlatMap(_candidate_pairs, cfg.max_bucket_texts)
                 | "KeyPairs" >> beam.FlatMap(_pairs_by_first, parts))
        halves = ({"rows": rows_keyed, "pairs": pairs}
                  | "JoinFirstSide" >> beam.CoGroupByKey()
                  | "AttachFirstSide" >> beam.FlatMap(_attach_first_side, parts))
        verified = ({"rows": rows_keyed, "halves": halves}
                    | "JoinSecondSide" >> beam.CoGroupByKey()
                    | "VerifyPairs" >> beam.FlatMap(_verify, cfg))
        return (collapsed.edges, verified) | "AllNearEdges" >> beam.Flatten()
