"""Stages schema..text_safety as one batched ParDo.

The processed rows do not travel on through the pipeline: they go to the exchange (a spill file by default) and
only (unit, ref) goes on to the ledger join. The dedup items go out the same way on the ``items`` output.
"""
from __future__ import annotations

import apache_beam as beam

from filters.text_chain import TextChain
from pipeline.config import Config
from transforms.batching import Exchange

ITEMS = "items"


class _TextChainFn(beam.DoFn):
    def __init__(self, config: Config, exchange: Exchange) -> None:
        self.config = config
        self.exchange = exchange
        self.chain: TextChain | None = None

    def setup(self) -> None:
        self.chain = TextChain(self.config)  # loads fastText models once per worker

    def process(self, element: tuple[int, int, list[dict]]):
        unit, _, rows = element
        items = self.chain.process(rows)
        yield self.exchange.put("rows", unit, rows)
        if items:
            yield beam.pvalue.TaggedOutput(ITEMS, self.exchange.put("items", unit, items))


class TextFilters(beam.PTransform):
    """(unit, batch number, rows) -> (unit, rows ref) on ``rows`` and (unit, items ref) on ``items``."""

    def __init__(self, config: Config, exchange: Exchange) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange

    def expand(self, batches):
        return batches | "NormaliseScoreDecide" >> beam.ParDo(
            _TextChainFn(self.config, self.exchange)).with_outputs(ITEMS, main="rows")
