"""The stage graph. ``build`` wires the stages in the order of ../shared/DESIGN.md."""
from __future__ import annotations

import apache_beam as beam

from pipeline.config import Config
from transforms.batching import Exchange
from transforms.components import ConnectedComponents
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
    near_edges = text.texts | "NearDup" >> NearDedup(config.near_dup, exchange)
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


def build(pipeline: beam.Pipeline, config: Config, tasks: list[ReadTask], ledger_dir: str, spill_dir: str | None,
          phase: str = "text", embeddings_dir: str | None = None):
    """read -> schema/duration/title_quality/language/text_safety -> exact_dup + near_dup -> clusters
    [-> decode/duration/quality/embed -> clip_score/visual_safety/category -> visual_dup, with --phase all]
    -> ledger."""
    exchange = Exchange(spill_dir)
    batches = pipeline | "Read" >> ReadRecords(tasks, config.read)
    dedup = dedup_graph(batches | "TextStages" >> TextFilters(config, exchange), config, exchange)
    if phase == "text":
        return dedup | "Ledger" >> WriteLedger(ledger_dir, unit_starts(tasks), exchange)
    decided = dedup | "DecideText" >> DecideDedup(unit_starts(tasks), exchange, config.decode.batch_size)
    media = decided.media | "Media" >> MediaStages(config, exchange, embeddings_dir)
    return ({"rows": decided.rows, "media": media.results, "scores": media.scores,
             "visual": visual_labels(media.visual, config, exchange)}
            | "Ledger" >> WriteMediaLedger(ledger_dir, exchange, config.clip_score, unit_starts(tasks)))
