"""Stages schema..text_safety as one batched ParDo: rows out on the main output, dedup items on ``items``."""
from __future__ import annotations

import apache_beam as beam

from filters.text_chain import TextChain
from pipeline.config import Config

ITEMS = "items"


class _TextChainFn(beam.DoFn):
    def __init__(self, config: Config) -> None:
        self.config = config
        self.chain: TextChain | None = None

    def setup(self) -> None:
        self.chain = TextChain(self.config)  # loads fastText models once per worker

    def process(self, rows: list[dict]):
        items = self.chain.process(rows)
        yield rows
        if items:
            yield beam.pvalue.TaggedOutput(ITEMS, items)


class TextFilters(beam.PTransform):
    """Batches of parsed rows -> (rows with text-stage scores and decisions, dedup items)."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def expand(self, batches):
        return batches | "NormaliseScoreDecide" >> beam.ParDo(_TextChainFn(self.config)).with_outputs(
            ITEMS, main="rows")
