"""Stages schema..text_safety as one batched ParDo.

Rows never cross a shuffle: each processed batch is spilled to ``<spill_dir>/unit-U-batch-B.pkl`` (a deterministic
name, so a retried bundle rewrites the same file) and only a small marker (unit, path) goes on to the ledger join.
Measured on 200k records, shuffling the rows themselves cost more than all text filters together.
"""
from __future__ import annotations

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from filters.text_chain import TextChain
from pipeline.config import Config
from transforms.batching import pack

ITEMS = "items"


def spill_path(spill_dir: str, unit: int, number: int) -> str:
    return FileSystems.join(spill_dir, f"unit-{unit:06d}-batch-{number:06d}.pkl")


class _TextChainFn(beam.DoFn):
    def __init__(self, config: Config, spill_dir: str) -> None:
        self.config = config
        self.spill_dir = spill_dir
        self.chain: TextChain | None = None

    def setup(self) -> None:
        self.chain = TextChain(self.config)  # loads fastText models once per worker

    def process(self, element: tuple[int, int, list[dict]]):
        unit, number, rows = element
        items = self.chain.process(rows)
        path = spill_path(self.spill_dir, unit, number)
        with FileSystems.create(path) as handle:
            handle.write(pack(rows))
        yield unit, path
        if items:
            yield beam.pvalue.TaggedOutput(ITEMS, items)


class TextFilters(beam.PTransform):
    """(unit, batch number, rows) -> markers (unit, spill path) and dedup items (tagged ``items``)."""

    def __init__(self, config: Config, spill_dir: str) -> None:
        super().__init__()
        self.config = config
        self.spill_dir = spill_dir

    def expand(self, batches):
        return batches | "NormaliseScoreDecide" >> beam.ParDo(_TextChainFn(self.config, self.spill_dir)).with_outputs(
            ITEMS, main="spilled")
