"""``reshard`` as a Beam pipeline: the source run's ledger parts are the units of work, and from there the graph is
curate's own (``pipeline.build.dedup_graph``, the ledger join, ``ClipThreshold``, visual clusters), so reshard
runs on the same runners and options as curate and never holds the ledger in one process.

Per part: clear the decisions, re-apply the text stages' ``decide`` to the stored scores, emit the dedup inputs
(``DedupSourceFn``, as the text stage does). After the dedup join, per part: replay the stored media outcomes
(``MediaReplay``), embed with ``MediaScorer`` only the records the new thresholds admit into stages they never
reached (``--compute-missing``; otherwise they are rejected at ``decode`` as missing), and emit the same media
results, clip scores and visual entries the media stage emits. Each part keeps its file name.
"""
from __future__ import annotations

import apache_beam as beam
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from filters.text_chain import TextChain
from filters.visual_dup import mean_embedding
from pipeline import uris
from pipeline.build import dedup_graph, visual_labels, with_earlier, with_earlier_videos
from pipeline.dedup_index import EarlierRun, write_index_part
from pipeline.config import Config
from pipeline.gc_tuning import tune_collector
from pipeline.redecide import decide_text, dedup_items
from pipeline.redecide_media import MISSING, MediaReplay, media_item, stored_embeddings
from transforms.batching import Exchange
from transforms.ledger import WriteLedger, WriteMediaLedger, decide_unit, joined_by_unit
from filters.media_scorer import MediaScorer
from schemas.records import MediaOutcome, VisualItem
from transforms.media import SCORES, VISUAL, visual_entries
from transforms.text_filters import EXACT_KEYS, SAME_TEXT_EDGES, TEXTS, DedupSourceFn

MISSING_REASON = "missing: not scored by the media stages in the original run (reshard --compute-missing)"
MEDIA = "media"
OLD = ("_old_status", "_old_stage", "_old_reason")  # the source run's decision (runtime columns, never written)


def part_starts(paths: list[str]) -> list[int]:
    """The smallest record id of each ledger part, from the Parquet footers (the parts of a run hold disjoint,
    increasing record-id ranges, one unit of work each)."""
    starts = []
    for path in paths:
        with FileSystems.open(path) as handle:
            meta = pq.ParquetFile(handle).metadata
            column = meta.schema.to_arrow_schema().get_field_index("record_id")
            mins = [meta.row_group(i).column(column).statistics for i in range(meta.num_row_groups)]
        if mins and all(s is not None and s.has_min_max for s in mins):
            starts.append(min(s.min for s in mins))
        else:
            with FileSystems.open(path) as handle:
                starts.append(min(pq.read_table(handle, columns=["record_id"]).column(0).to_pylist() or [0]))
    return starts


class _RedecideTextFn(DedupSourceFn):
    def __init__(self, config: Config, exchange: Exchange, run: str) -> None:
        super().__init__(config, exchange)
        self.run = run

    def setup(self) -> None:
        self.chain = TextChain(self.config)
        tune_collector()

    def decide(self, element: tuple[int, str]) -> tuple[int, list[dict], list[tuple]]:
        unit, path = element
        with FileSystems.open(path) as handle:
            rows = pq.read_table(handle).to_pylist()
        for row in rows:
            row.update(zip(OLD, (row["status"], row["stage"], row["reason"])))
            for key in ("embedding_file", "thumbnail_file"):  # the source run's files are inputs here: full URIs
                row[key] = uris.resolve(self.run, row.get(key))
        decide_text(rows, self.chain)
        return unit, rows, dedup_items(rows)


class _ReplayFn(beam.DoFn):
    def __init__(self, config: Config, exchange: Exchange, compute_missing: bool, embeddings_dir: str,
                 input_root: str = "", runs: tuple[str, ...] = ()) -> None:
        self.runs = runs
        self.input_root = input_root
        self.config = config
        self.exchange = exchange
        self.compute_missing = compute_missing
        self.embeddings_dir = embeddings_dir
        self.scorer: MediaScorer | None = None

    def setup(self) -> None:
        self.replay = MediaReplay(self.config)
        tune_collector()

    def process(self, joined):
        unit, table = decide_unit(joined, self.exchange, self.runs)
        yield self.exchange.put("decided_rows", unit, table)
        results, scores, videos, todo = [], [], [], []
        for row in table.filter(pc.equal(table.column("status"), "kept")).to_pylist():
            outcome = self.replay.outcome(row, tuple(row[name] for name in OLD))
            if outcome == MISSING:
                if self.compute_missing:
                    todo.append(row)
                else:
                    results.append((row["record_id"], MediaOutcome({"status": "rejected", "stage": "decode",
                                                                    "reason": MISSING_REASON})))
                continue
            results.append((row["record_id"], outcome))
            if "status" in outcome.updates:
                continue
            scores.append(row["clip_score_mean"])
            stored = stored_embeddings(row["embedding_file"]).get(row["record_id"]) if row.get("embedding_file") else None
            if not outcome.pending and stored is not None:
                frames, hashes = stored
                videos.append(VisualItem(row["record_id"], row["video_id"], mean_embedding(frames), row["duration"],
                                         hashes))
        if todo:
            if self.scorer is None:
                self.scorer = MediaScorer(self.config, self.embeddings_dir)
            computed, computed_scores, computed_videos = self.scorer.process(unit, [media_item(r, self.input_root)
                                                                                  for r in todo])
            results += computed
            scores += computed_scores
            videos += computed_videos
        yield beam.pvalue.TaggedOutput(MEDIA, self.exchange.put("media_results", unit, results))
        if scores:
            yield beam.pvalue.TaggedOutput(SCORES, scores)
        for keyed in visual_entries(videos, self.config, self.exchange):
            yield beam.pvalue.TaggedOutput(VISUAL, keyed)


def build_reshard(pipeline: beam.Pipeline, config: Config, parts: list[str], run: str, ledger_dir: str,
                  exchange: Exchange, media: bool, compute_missing: bool, embeddings_dir: str,
                  input_root: str = "", earlier: list[EarlierRun] | None = None, index_dir: str | None = None,
                  input_bytes: int = 0):
    """Source ledger parts -> the new ledger under ``ledger_dir``, part by part (same file names), checked against
    the same earlier runs as the source run, and its dedup index."""
    runs = tuple(r.fingerprint for r in earlier or ())
    starts = part_starts(parts)
    names = [path.rstrip("/").rsplit("/", 1)[-1] for path in parts]
    text = (pipeline
            | "LedgerParts" >> beam.Create(list(enumerate(parts)))
            | "SpreadParts" >> beam.Reshuffle()
            | "RedecideText" >> beam.ParDo(_RedecideTextFn(config, exchange, run)).with_outputs(
                EXACT_KEYS, TEXTS, SAME_TEXT_EDGES, main="rows"))
    if earlier:
        text = with_earlier(pipeline, text, earlier, config, exchange, input_bytes)
    dedup = dedup_graph(text, config, exchange)
    if not media:
        written = dedup | "Ledger" >> WriteLedger(ledger_dir, starts, exchange, names, runs)
    else:
        replayed = (joined_by_unit(dedup, starts, exchange)
                    | "DecideAndReplay" >> beam.ParDo(_ReplayFn(config, exchange, compute_missing, embeddings_dir,
                                                                input_root, runs))
                    .with_outputs(MEDIA, SCORES, VISUAL, main="rows"))
        visual = replayed[VISUAL]
        if earlier:
            visual = with_earlier_videos(pipeline, visual, earlier, config, exchange, input_bytes)
        written = ({"rows": replayed.rows, "media": replayed[MEDIA], "scores": replayed[SCORES],
                    "visual": visual_labels(visual, config, exchange)}
                   | "Ledger" >> WriteMediaLedger(ledger_dir, exchange, config.clip_score, starts, names, runs))
    if index_dir is None:
        return written
    return written | "DedupIndex" >> beam.Map(write_index_part, index_dir, config, media)
