"""``near_dup`` as a PTransform: collapse identical texts, band MinHash signatures, verify candidates.

Shuffles, all over hash partitions of batches:
  1. items by text hash -> identical texts collapse into one text row (records chained by duration);
  2. LSH entries by bucket key -> candidate text pairs (the banding GroupByKey);
  3. pairs join the text rows twice (once per side) -> verified pairs -> edges between records.
The edges go on to ``ConnectedComponents``; nothing is collected on one machine.
"""
from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam
import numpy as np

from filters.lsh_keys import LshEntries, lsh_entries
from filters.near_dup import bucket_pairs, collapse_table, link_segments, merge_tables, similar
from filters.text_rows import TextRow, TextTable
from pipeline.config import NearDupConfig
from schemas.records import DedupItem
from filters.bloom import Bloom
from transforms.batching import Exchange, partitions_of
from transforms.bloom_filters import LoadedBloom

EDGES = "edges"


def key_members(items: list[DedupItem], config: NearDupConfig, exchange: Exchange) -> tuple[list, list]:
    """For the alive items of one batch: (partition, ref) of its text rows, identical texts already collapsed
    within the batch (``merge_rows`` finishes the job across batches), and the same-text edges from each record to
    its segment's representative (these go straight to the clusters); used by the text stage."""
    table, edges = collapse_table((item for item in items if item.alive and item.text), config.duration_tolerance)
    return list(split_table("texts", table, config.partitions, exchange)), edges


def split_table(name: str, table: TextTable, partitions: int, exchange: Exchange):
    """(partition, ref) of the table's texts, by partition of their text hash."""
    parts = partitions_of(table.hashes, partitions)
    for part in np.unique(parts).tolist():
        yield exchange.put(name, part, table.take(np.flatnonzero(parts == part)))


def _collapse(keyed, config: NearDupConfig, exchange: Exchange):
    partition, refs = keyed
    table, edges = merge_tables(exchange.chunks(refs), config.duration_tolerance)
    if len(table):
        yield exchange.put("text_rows", partition, table)
    if edges:
        yield beam.pvalue.TaggedOutput(EDGES, edges)


def band_entries(table: TextTable, config: NearDupConfig, exchange: Exchange, bloom: Bloom | None = None):
    """(partition, ref) of a text table's LSH entries by bucket key; with ``bloom`` (incremental curation), an
    earlier run's text keeps only the entries a new text may share."""
    entries = lsh_entries(table, config)
    if bloom is not None and len(entries.keys):
        keep = ~entries.earlier_flags()[entries.text.astype(np.int64)] | bloom.contains(entries.keys)
        entries = entries.take(np.flatnonzero(keep))
    yield from put_entries(entries, config, exchange)


def put_entries(entries: LshEntries, config: NearDupConfig, exchange: Exchange):
    """(partition, ref) of LSH entries by bucket key: the one partitioning every side of the buckets must share."""
    parts = (entries.keys >> np.uint64(40)) % np.uint64(config.partitions)
    yield from exchange.put_runs("bands", parts, config.partitions, entries.take)


class _BandEntriesFn(beam.DoFn):
    def __init__(self, config: NearDupConfig, exchange: Exchange) -> None:
        self.config = config
        self.exchange = exchange

    def setup(self) -> None:
        self.new_keys = LoadedBloom(self.exchange)

    def process(self, ref, bloom_ref=None):
        yield from band_entries(self.exchange.get(ref[1]), self.config, self.exchange, self.new_keys(bloom_ref))



def _candidate_pairs(keyed, config: NearDupConfig, exchange: Exchange):
    partition, refs = keyed
    pairs = bucket_pairs(list(exchange.chunks(refs)), config)
    if not len(pairs):
        return
    parts = partitions_of(pairs[:, 0], config.partitions)
    for p in np.unique(parts).tolist():
        yield exchange.put("pairs", p, pairs[parts == p])


class Half(NamedTuple):
    """A candidate pair on its way to its second text's partition, carrying its first text's row."""
    other: int      # text hash of the second text
    row: TextRow    # the first text


def _lookup(refs, exchange: Exchange, wanted: np.ndarray) -> dict[int, list[TextRow]]:
    """text hash -> its text rows, for the hashes in ``wanted`` only (the partition's other texts stay arrays)."""
    lookup: dict[int, list[TextRow]] = {}
    for table in exchange.chunks(refs):
        for row in table.rows_with_hashes(wanted):
            lookup.setdefault(row.hash, []).append(row)
    return lookup


def _other(half: Half) -> int:
    return half.other


def _attach_first_side(joined, config: NearDupConfig, exchange: Exchange):
    _, groups = joined
    pairs = [chunk for chunk in exchange.chunks(groups["pairs"])]
    if not pairs:
        return []
    pairs = np.concatenate(pairs)
    lookup = _lookup(groups["rows"], exchange, np.unique(pairs[:, 0]))
    halves = [Half(b, row_a) for a, b in pairs.tolist() for row_a in lookup.get(a, ())]
    return exchange.split("halves", halves, _other, config.partitions)


def _verify(joined, config: NearDupConfig, exchange: Exchange):
    _, groups = joined
    halves = exchange.gather(groups["halves"])
    if not halves:
        return
    lookup = _lookup(groups["rows"], exchange, np.unique(np.array([half.other for half in halves], dtype=np.int64)))
    edges = []
    for half in halves:
        for row_b in lookup.get(half.other, ()):
            if similar(half.row.text, row_b.text, config):
                edges.extend(link_segments(half.row.segments, row_b.segments, config.duration_tolerance))
    if edges:
        yield edges


class NearDedup(beam.PTransform):
    """Keyed text-row refs (from ``key_members``) -> lists of record edges (same-text merges, verified pairs)."""

    def __init__(self, config: NearDupConfig, exchange: Exchange, bloom=None, earlier=None) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange
        self.bloom = bloom  # incremental: a singleton reference to a Bloom filter of the new records' keys
        self.earlier = earlier  # incremental: (band entries, rows of pairs) of earlier texts that skip the collapse

    def expand(self, items):
        cfg, ex = self.config, self.exchange
        collapsed = (items
                     | "GroupSameText" >> beam.GroupByKey()
                     | "CollapseSameText" >> beam.FlatMap(_collapse, cfg, ex).with_outputs(EDGES, main="rows"))
        if not cfg.enabled:
            return collapsed.edges
        # rows are already keyed by partition_of(text hash), the key the pairs are joined on; an incremental run's
        # earlier texts join them here (each join flattens its own copy: some runners lose a flattened collection
        # that two consumers read)
        bands = collapsed.rows | "MinHashBands" >> beam.ParDo(_BandEntriesFn(cfg, ex), *(
            [beam.pvalue.AsSingleton(self.bloom)] if self.bloom is not None else []))
        if self.earlier is not None:
            bands = (bands, self.earlier[0]) | "WithEarlierBands" >> beam.Flatten()
        pairs = (bands
                 | "GroupBuckets" >> beam.GroupByKey()
                 | "CandidatePairs" >> beam.FlatMap(_candidate_pairs, cfg, ex))
        rows_first = rows_second = collapsed.rows
        if self.earlier is not None:  # the earlier texts' rows, only those the pairs name
            earlier_rows = pairs | "EarlierPairRows" >> self.earlier[1]
            rows_first = (rows_first, earlier_rows) | "WithEarlierRows" >> beam.Flatten()
            rows_second = (rows_second, earlier_rows) | "WithEarlierRowsAgain" >> beam.Flatten()
        halves = ({"rows": rows_first, "pairs": pairs}
                  | "JoinFirstSide" >> beam.CoGroupByKey()
                  | "AttachFirstSide" >> beam.FlatMap(_attach_first_side, cfg, ex))
        verified = ({"rows": rows_second, "halves": halves}
                    | "JoinSecondSide" >> beam.CoGroupByKey()
                    | "VerifyPairs" >> beam.FlatMap(_verify, cfg, ex))
        return (collapsed.edges, verified) | "AllNearEdges" >> beam.Flatten()
