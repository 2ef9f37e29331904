"""The media stages as one ParDo over small chunks of kept records (the stage code is ``filters.media_scorer``),
and the candidate entries of ``visual_dup`` (embedding bands, frame-hash quarters).

Chunks are reshuffled first so videos spread over every worker; the media chain (with its decode helper process)
and the CLIP model are set up once per worker. Embeddings are written beside the ledger (float16 ``.npz`` per chunk,
content-addressed) so later re-scoring needs no decode. Results go back keyed by unit of work for the ledger join;
the clip scores also go out on ``scores`` for the run's percentile threshold.
"""
from __future__ import annotations


import apache_beam as beam

from filters.media_scorer import MediaScorer
from filters.visual_dup import bucket_edges, entry_keys
from pipeline import progress
from pipeline.config import Config
from pipeline.gc_tuning import tune_collector
from transforms.batching import Exchange

SCORES = "scores"
VISUAL = "visual"


class _MediaFn(beam.DoFn):
    def __init__(self, config: Config, exchange: Exchange, embeddings_dir: str) -> None:
        self.config = config
        self.exchange = exchange
        self.embeddings_dir = embeddings_dir
        self.scorer: MediaScorer | None = None

    def setup(self) -> None:
        self.scorer = MediaScorer(self.config, self.embeddings_dir)
        tune_collector()

    def process(self, element):
        unit, ref = element
        items = self.exchange.get(ref)
        results, scores, visual = self.scorer.process(unit, items)
        progress.count("media", len(items))
        progress.flush()
        yield self.exchange.put("media_results", unit, results)
        if scores:
            yield beam.pvalue.TaggedOutput(SCORES, scores)
        for keyed in visual_entries(visual, self.config, self.exchange):
            yield beam.pvalue.TaggedOutput(VISUAL, keyed)


def visual_entries(videos: list, config: Config, exchange: Exchange):
    """(partition, ref) of (candidate key, VisualItem) entries: embedding bands and frame-hash quarters."""
    entries = entry_keys(videos, config.visual_dup)
    if entries:
        yield from exchange.split("visual_bands", entries, lambda e: e[0], config.near_dup.partitions)


def _visual_edges(keyed, config: Config, exchange: Exchange):
    edges = bucket_edges(exchange.gather(keyed[1]), config.visual_dup)
    if edges:
        yield edges


class MediaStages(beam.PTransform):
    """(unit, ref to media items) -> (unit, ref to [(record_id, ledger updates)]); clip scores on ``scores``."""

    def __init__(self, config: Config, exchange: Exchange, embeddings_dir: str) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange
        self.embeddings_dir = embeddings_dir

    def expand(self, chunks):
        return (chunks
                | "SpreadVideos" >> beam.Reshuffle()
                | "DecodeQualityEmbed" >> beam.ParDo(_MediaFn(self.config, self.exchange, self.embeddings_dir))
                .with_outputs(SCORES, VISUAL, main="results"))


class VisualDedup(beam.PTransform):
    """Banded visual entries -> component edges between videos whose mean frame embeddings verify as the same."""

    def __init__(self, config: Config, exchange: Exchange) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange

    def expand(self, entries):
        return (entries
                | "GroupVisualBuckets" >> beam.GroupByKey()
                | "VerifyCosine" >> beam.FlatMap(_visual_edges, self.config, self.exchange))
