"""Stages schema..text_safety as one batched ParDo.

The processed rows do not travel on through the pipeline: they go to the exchange (a spill file by default) and
only (unit, ref) goes on to the ledger join. What dedup needs leaves already keyed for its first shuffle: exact-dup
keys on ``exact_keys``, comparison texts on ``texts``.
"""
from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from filters.text_chain import TextChain
from pipeline.config import Config
from transforms.batching import Exchange
from transforms.exact_dup import key_entries
from transforms.near_dup import key_members

EXACT_KEYS = "exact_keys"
TEXTS = "texts"
SAME_TEXT_EDGES = "same_text_edges"


class _TextChainFn(beam.DoFn):
    def __init__(self, config: Config, exchange: Exchange) -> None:
        self.config = config
        self.exchange = exchange
        self.chain: TextChain | None = None

    def setup(self) -> None:
        self.chain = TextChain(self.config)  # loads fastText models once per worker

    def start_bundle(self) -> None:
        self.pending: list[tuple] = []

    def process(self, element: tuple[int, int, list[dict]]):
        unit, _, rows = element
        self.pending.extend(self.chain.process(rows))
        yield self.exchange.put("rows", unit, rows)
        if len(self.pending) >= self.config.shuffle.flush_records:
            yield from self._flush()

    def finish_bundle(self):
        for output in self._flush():
            yield beam.pvalue.TaggedOutput(output.tag, WindowedValue(output.value, MIN_TIMESTAMP, [GlobalWindow()]))

    def _flush(self):
        """Dedup keys of every batch seen since the last flush, split once: a piece then holds up to
        ``shuffle.flush_records`` records' keys instead of one batch's, so a cluster with thousands of partitions
        gets far fewer, fuller pieces. Which records share a flush never changes a decision (dedup outcomes are
        functions of content and record ids only)."""
        items, self.pending = self.pending, []
        if not items:
            return
        for keyed in key_entries(items, self.config.exact_dup, self.exchange):
            yield beam.pvalue.TaggedOutput(EXACT_KEYS, keyed)
        keyed_texts, same_text_edges = key_members(items, self.config.near_dup, self.exchange)
        for keyed in keyed_texts:
            yield beam.pvalue.TaggedOutput(TEXTS, keyed)
        if same_text_edges:
            yield beam.pvalue.TaggedOutput(SAME_TEXT_EDGES, same_text_edges)


class TextFilters(beam.PTransform):
    """(unit, batch number, rows) -> (unit, rows ref) on ``rows``; keyed dedup inputs on the other outputs."""

    def __init__(self, config: Config, exchange: Exchange) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange

    def expand(self, batches):
        return batches | "NormaliseScoreDecide" >> beam.ParDo(
            _TextChainFn(self.config, self.exchange)).with_outputs(EXACT_KEYS, TEXTS, SAME_TEXT_EDGES, main="rows")
