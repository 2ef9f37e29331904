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
from pipeline import progress
from pipeline.gc_tuning import tune_collector
from pipeline.config import Config
from schemas.ledger import rows_to_table
from transforms.batching import Exchange
from transforms.exact_dup import key_entries
from transforms.near_dup import key_members

EXACT_KEYS = "exact_keys"
TEXTS = "texts"
SAME_TEXT_EDGES = "same_text_edges"


class DedupSourceFn(beam.DoFn):
    """Puts each unit's decided rows aside and sends their dedup inputs on, flushed in groups of records (the
    text stage here, and reshard's re-decision of a ledger): subclasses say how a unit's rows are decided."""

    def __init__(self, config: Config, exchange: Exchange) -> None:
        self.config = config
        self.exchange = exchange

    def decide(self, element) -> tuple[int, list[dict], list[tuple]]:
        """(unit, decided rows, dedup items) of one input element."""
        raise NotImplementedError

    def start_bundle(self) -> None:
        self.pending: list[tuple] = []

    def process(self, element):
        unit, rows, items = self.decide(element)
        progress.count("text", len(rows))
        self.pending.extend(items)
        yield self.exchange.put("rows", unit, rows_to_table(rows))
        if len(self.pending) >= self.config.shuffle.flush_records:
            yield from self._flush()

    def finish_bundle(self):
        progress.flush()
        for output in self._flush():
            yield beam.pvalue.TaggedOutput(output.tag, WindowedValue(output.value, MIN_TIMESTAMP, [GlobalWindow()]))

    def _flush(self):
        items, self.pending = self.pending, []
        yield from dedup_outputs(items, self.config, self.exchange)


class _TextChainFn(DedupSourceFn):
    def setup(self) -> None:
        self.chain = TextChain(self.config)  # loads fastText models once per worker
        tune_collector()

    def decide(self, element: tuple[int, int, list[dict]]) -> tuple[int, list[dict], list[tuple]]:
        unit, _, rows = element
        return unit, rows, self.chain.process(rows)


def dedup_outputs(items: list[tuple], config: Config, exchange: Exchange):
    """The dedup inputs of many batches' items, split once (tagged outputs of the text stage and of reshard's).

    Splitting up to ``shuffle.flush_records`` records' keys at once, rather than one batch's, makes a cluster with
    thousands of partitions get far fewer, fuller pieces. Which records share a flush never changes a decision
    (dedup outcomes are functions of content and record ids only)."""
    if not items:
        return
    for keyed in key_entries(items, config.exact_dup, exchange):
        yield beam.pvalue.TaggedOutput(EXACT_KEYS, keyed)
    keyed_texts, same_text_edges = key_members(items, config.near_dup, exchange)
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
