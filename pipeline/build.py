"""The stage graph. ``build`` wires the stages in the order of ../shared/DESIGN.md."""
from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam

from pipeline.config import Config
from pipeline.dedup_index import EarlierRun, write_index_part
from transforms.batching import Exchange
from transforms.components import ConnectedComponents
from transforms.earlier_runs import (EARLIER_BANDS, EarlierCandidates, EarlierPairRows, EarlierVideos, NewKeysBloom,
                                    NewVideosBloom, bloom_bits)
from transforms.exact_dup import ExactDedup
from transforms.ledger import DecideDedup, WriteLedger, WriteMediaLedger
from transforms.media import MediaStages, VisualDedup
from transforms.near_dup import NearDedup
from transforms.read import ReadRecords, ReadTask, unit_starts
from transforms.text_filters import TextFilters


def dedup_graph(text, config: Config, exchange: Exchange) -> dict:
    """exact_dup and near_dup over the text stage's outputs (rows put aside, keys, texts, same-text edges), then
    clusters: {rows, exact decisions, cluster labels} for the ledger join. Curate and reshard share it."""
    exact = text.exact_keys | "ExactDup" >> ExactDedup(config.exact_dup, exchange)
    bloom, earlier = (text.bloom, text.earlier) if isinstance(text, DedupInputs) else (None, None)
    near_edges = text.texts | "NearDup" >> NearDedup(config.near_dup, exchange, bloom, earlier)
    labels = ((text.same_text_edges, near_edges, exact.edges)
              | "AllDupEdges" >> beam.Flatten()
              | "Clusters" >> ConnectedComponents(config.near_dup.cc_rounds, config.near_dup.partitions, exchange))
    return {"rows": text.rows, "exact": exact.decisions, "labels": labels}


def visual_labels(visual, config: Config, exchange: Exchange):
    """visual_dup clusters from banded visual entries (curate's media stage and reshard's replay)."""
    return (visual
            | "VisualDup" >> VisualDedup(config, exchange)
            | "VisualClusters" >> ConnectedComponents(config.near_dup.cc_rounds, config.near_dup.partitions,
                                                      exchange))


class DedupInputs(NamedTuple):
    """The text stage's outputs dedup reads (``TextFilters``' tagged outputs, or those plus an earlier run's, with
    the Bloom filter of the new keys that limits the earlier texts' bands to where new texts can be)."""
    rows: object
    exact_keys: object
    texts: object
    same_text_edges: object
    bloom: object = None
    earlier: tuple | None = None  # (band entries, EarlierPairRows) of earlier texts that share only a band key


def with_earlier(pipeline: beam.Pipeline, text, runs: list[EarlierRun], config: Config, exchange: Exchange,
                 input_bytes: int) -> DedupInputs:
    """This run's dedup inputs joined by those of the earlier runs' records that may match them."""
    bits = bloom_bits(input_bytes)
    bloom = ({"exact_keys": text.exact_keys, "texts": text.texts}
             | "NewKeysBloom" >> NewKeysBloom(config, exchange, bits))
    earlier = pipeline | "EarlierRuns" >> EarlierCandidates(runs, config, exchange, bloom)
    return DedupInputs(text.rows, *((getattr(text, name), getattr(earlier, name)) | f"With{label}" >> beam.Flatten()
                                    for name, label in (("exact_keys", "EarlierKeys"), ("texts", "EarlierTexts"),
                                                        ("same_text_edges", "EarlierSameText"))), bloom,
                       (earlier[EARLIER_BANDS], EarlierPairRows(runs, config, exchange, bloom, bits)))


def with_earlier_videos(pipeline: beam.Pipeline, visual, runs: list[EarlierRun], config: Config, exchange: Exchange,
                        input_bytes: int):
    """This run's visual_dup entries joined by those of the earlier runs' videos that may match them."""
    bloom = visual | "NewVideosBloom" >> NewVideosBloom(exchange, bloom_bits(input_bytes))
    earlier = pipeline | "EarlierVideos" >> EarlierVideos(runs, config, exchange, bloom)
    return (visual, earlier) | "WithEarlierVideos" >> beam.Flatten()


def build(pipeline: beam.Pipeline, config: Config, tasks: list[ReadTask], ledger_dir: str, spill_dir: str | None,
          phase: str = "text", embeddings_dir: str | None = None, earlier: list[EarlierRun] | None = None,
          index_dir: str | None = None):
    """read -> schema/duration/title_quality/language/text_safety -> exact_dup + near_dup (against the earlier
    runs' indexes, if any) -> clusters [-> decode/duration/quality/embed -> clip_score/visual_safety/category ->
    visual_dup, with --phase all] -> ledger -> dedup index."""
    exchange = Exchange(spill_dir)
    runs = tuple(run.fingerprint for run in earlier or ())  # the ledger names an earlier run by fingerprint
    input_bytes = sum(task.bytes for task in tasks)
    batches = pipeline | "Read" >> ReadRecords(tasks, config.read)
    text = batches | "TextStages" >> TextFilters(config, exchange)
    if earlier:
        text = with_earlier(pipeline, text, earlier, config, exchange, input_bytes)
    dedup = dedup_graph(text, config, exchange)
    if phase == "text":
        written = dedup | "Ledger" >> WriteLedger(ledger_dir, unit_starts(tasks), exchange, runs=runs)
    else:
        decided = dedup | "DecideText" >> DecideDedup(unit_starts(tasks), exchange, config.decode.batch_size, runs)
        media = decided.media | "Media" >> MediaStages(config, exchange, embeddings_dir)
        visual = media.visual
        if earlier:
            visual = with_earlier_videos(pipeline, visual, earlier, config, exchange, input_bytes)
        written = ({"rows": decided.rows, "media": media.results, "scores": media.scores,
                    "visual": visual_labels(visual, config, exchange)}
                   | "Ledger" >> WriteMediaLedger(ledger_dir, exchange, config.clip_score, unit_starts(tasks),
                                                  runs=runs))
    if index_dir is None:
        return written
    return written | "DedupIndex" >> beam.Map(write_index_part, index_dir, config, phase == "all")
