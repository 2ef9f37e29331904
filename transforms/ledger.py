"""The ledger sink: join each unit of work's rows with dedup decisions and cluster labels, write Parquet.

Decisions are routed to the unit of work their record came from (record ids are ranges per unit, see
``transforms.read.unit_starts``), so the join moves only decisions and references; the rows themselves come back
from the exchange the text stage put them in. Each unit becomes ``ledger/part-UUUUUU.parquet`` with its rows in
input order, written under a temporary name and renamed: a retried bundle never leaves half a file, and two runs
write the same bytes.
"""
from __future__ import annotations

import bisect

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from filters.decisions import apply_media, finalize_table
from filters.exact_dup import KEY_ORDER
from pipeline import progress
from pipeline.config import ClipScoreConfig
from schemas.ledger import ledger_table, rows_to_table
from schemas.records import MediaItem
from transforms.batching import Exchange
from transforms.clip_threshold import ClipThreshold

_RANK = {kind: i for i, kind in enumerate(KEY_ORDER)}


def _by_unit(pairs: list[tuple], name: str, starts: list[int], exchange: Exchange):
    """(unit, ref to [(record_id, value), ...]) for decisions keyed by record id."""
    buckets: dict[int, list] = {}
    for pair in pairs:
        if pair[0] >= 0:  # an earlier run's record (incremental curation) belongs to no unit here
            buckets.setdefault(bisect.bisect_right(starts, pair[0]) - 1, []).append(pair)
    for unit in sorted(buckets):
        yield exchange.put(name, unit, buckets[unit])


def write_table(table: pa.Table, path: str) -> None:
    """Write a Parquet file through Beam filesystems via a temporary name (local paths, gs://, s3://...)."""
    tmp = f"{path}.tmp"
    with FileSystems.create(tmp) as handle:
        pq.write_table(table, handle, compression="zstd")
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([tmp], [path])


def unit_rows(refs, exchange: Exchange) -> pa.Table:
    """A unit's row tables (one per text batch, any order) as one table in input order."""
    return pa.concat_tables(list(exchange.chunks(refs))).sort_by("record_id")


def decide_unit(joined, exchange: Exchange, runs: tuple[str, ...] = ()) -> tuple[int, pa.Table]:
    """A unit's rows with text-stage and dedup decisions applied, in input order (``runs``: the earlier runs
    checked against, oldest first)."""
    unit, groups = joined
    exact: dict[int, dict] = {}
    for rid, decision in exchange.gather(groups["exact"]):  # a later copy under several keys: several shards
        if rid not in exact or _RANK[decision["dup_key"]] < _RANK[exact[rid]["dup_key"]]:
            exact[rid] = decision
    labels = dict(exchange.gather(groups["labels"]))
    return unit, finalize_table(unit_rows(groups["rows"], exchange), exact, labels, runs)


def _write_unit(unit: int, rows: pa.Table, directory: str, names: list[str] | None = None):
    path = FileSystems.join(directory, names[unit] if names else f"part-{unit:06d}.parquet")
    write_table(ledger_table(rows), path)
    progress.count("ledger", rows.num_rows)
    progress.flush()
    return path, rows.num_rows


def _decide_and_write(joined, directory: str, exchange: Exchange, names: list[str] | None = None,
                      runs: tuple[str, ...] = ()):
    yield _write_unit(*decide_unit(joined, exchange, runs), directory, names)


def _decide_and_forward(joined, exchange: Exchange, media_batch: int, runs: tuple[str, ...] = ()):
    """Put the decided rows aside again; send the kept records on to the media stages in small chunks."""
    unit, rows = decide_unit(joined, exchange, runs)
    yield exchange.put("decided_rows", unit, rows)
    kept = rows.filter(pc.equal(rows.column("status"), "kept")).select(
        ["record_id", "video_id", "video_uri", "video_path", "duration", "title", "category"]).to_pylist()
    kept = [MediaItem(r["record_id"], r["video_id"], r["video_uri"] or r["video_path"], r["duration"], r["title"],
                      r["category"]) for r in kept]
    for start in range(0, len(kept), media_batch):
        yield beam.pvalue.TaggedOutput(MEDIA, exchange.put("media_items", unit, kept[start:start + media_batch]))


def _apply_media_and_write(joined, directory: str, exchange: Exchange, threshold: float | None,
                           config: ClipScoreConfig, names: list[str] | None = None, runs: tuple[str, ...] = ()):
    unit, groups = joined
    updates = dict(exchange.gather(groups["media"]))
    visual = dict(exchange.gather(groups["visual"]))
    rows = [apply_media(row, updates.get(row["record_id"]), threshold, config, visual.get(row["record_id"]), runs)
            for row in unit_rows(groups["rows"], exchange).to_pylist()]
    yield _write_unit(unit, rows_to_table(rows), directory, names)


MEDIA = "media"


def joined_by_unit(inputs, starts: list[int], exchange: Exchange):
    """Rows, exact-dup decisions and cluster labels co-grouped by unit of work."""
    return ({"rows": inputs["rows"],
             "exact": inputs["exact"] | "RouteExact" >> beam.FlatMap(_by_unit, "exact_by_unit", starts, exchange),
             "labels": inputs["labels"] | "RouteLabels" >> beam.FlatMap(_by_unit, "labels_by_unit", starts,
                                                                         exchange)}
            | "JoinByUnit" >> beam.CoGroupByKey())


class DecideDedup(beam.PTransform):
    """Like WriteLedger's first half: decided rows (unit, ref) on ``rows``, kept records for media on ``media``."""

    def __init__(self, starts: list[int], exchange: Exchange, media_batch: int, runs: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.starts = starts
        self.exchange = exchange
        self.media_batch = media_batch
        self.runs = runs

    def expand(self, inputs):
        return (joined_by_unit(inputs, self.starts, self.exchange)
                | "Decide" >> beam.FlatMap(_decide_and_forward, self.exchange, self.media_batch, self.runs).with_outputs(
                    MEDIA, main="rows"))


class WriteMediaLedger(beam.PTransform):
    """{rows: decided rows, media: [(rid, updates)], scores: clip scores, visual: [(rid, representative)]}
    -> ledger files (path, rows).

    The clip-score threshold is computed once per run from every video's score (an exact percentile in two
    associative passes, ``transforms.clip_threshold``) and reaches each unit as a side input.
    """

    def __init__(self, directory: str, exchange: Exchange, config: ClipScoreConfig, starts: list[int],
                 names: list[str] | None = None, runs: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.directory = directory
        self.exchange = exchange
        self.config = config
        self.starts = starts
        self.names = names  # file name per unit (reshard keeps the source run's); default part-UUUUUU.parquet
        self.runs = runs

    def expand(self, inputs):
        threshold = inputs["scores"] | "ClipThreshold" >> ClipThreshold(self.config)
        visual = inputs["visual"] | "RouteVisual" >> beam.FlatMap(_by_unit, "visual_by_unit", self.starts,
                                                                   self.exchange)
        return ({"rows": inputs["rows"], "media": inputs["media"], "visual": visual}
                | "JoinByUnit" >> beam.CoGroupByKey()
                | "ApplyMediaAndWrite" >> beam.FlatMap(_apply_media_and_write, self.directory, self.exchange,
                                                       beam.pvalue.AsSingleton(threshold), self.config, self.names,
                                                       self.runs))


class WriteLedger(beam.PTransform):
    """{rows: (unit, ref), exact: [(rid, decision)], labels: [(rid, rep)]} -> ledger files (path, rows)."""

    def __init__(self, directory: str, starts: list[int], exchange: Exchange, names: list[str] | None = None,
                 runs: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.directory = directory
        self.starts = starts
        self.exchange = exchange
        self.names = names
        self.runs = runs

    def expand(self, inputs):
        return (joined_by_unit(inputs, self.starts, self.exchange)
                | "DecideAndWrite" >> beam.FlatMap(_decide_and_write, self.directory, self.exchange, self.names,
                                                   self.runs))
