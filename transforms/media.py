"""The media stages as one ParDo over small chunks of kept records: decode (probe + frames), probed duration,
quality. Chunks are reshuffled first so videos spread over every worker; the media chain (and its decode helper
process) is set up once per worker. Results go back keyed by unit of work for the ledger join.
"""
from __future__ import annotations

import apache_beam as beam

from filters.media_chain import MediaChain
from pipeline.config import Config
from transforms.batching import Exchange


class _MediaFn(beam.DoFn):
    def __init__(self, config: Config, exchange: Exchange) -> None:
        self.config = config
        self.exchange = exchange
        self.chain: MediaChain | None = None

    def setup(self) -> None:
        self.chain = MediaChain(self.config)

    def process(self, element):
        unit, ref = element
        results = []
        for item in self.exchange.get(ref):
            updates, _frames = self.chain.process(item)
            results.append((item[0], updates))
        yield self.exchange.put("media_results", unit, results)


class MediaStages(beam.PTransform):
    """(unit, ref to media items) -> (unit, ref to [(record_id, ledger updates)])."""

    def __init__(self, config: Config, exchange: Exchange) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange

    def expand(self, chunks):
        return (chunks
                | "SpreadVideos" >> beam.Reshuffle()
                | "DecodeAndQuality" >> beam.ParDo(_MediaFn(self.config, self.exchange)))
