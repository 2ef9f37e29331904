"""Incremental curation's join: the earlier runs' records that can match this run's, fed into its own dedup.

1. ``NewKeysBloom``: every dedup key of this run's records (exact-key hashes, comparison-text hashes, MinHash band
   keys with their duration cells), from the text stage's dedup outputs, into one Bloom filter: parts per bundle,
   OR-ed by a global combine, passed around by reference (``transforms.bloom_filters``). Its size follows this
   run's input (``bloom_bits``), not the corpus.
2. ``EarlierCandidates``: each earlier index part (``pipeline.dedup_index``) on a worker, its stored hashes (plus
   cells and deletion keys computed in NumPy) checked against the filter; only records with a possible match go on,
   as dedup inputs under virtual record ids, into the very shuffles this run's records take. Texts that share only
   a band key send just their passing band entries; ``EarlierPairRows`` reads their rows again only for the
   candidate pairs that name them. Everything else of the earlier runs is read and dropped.

3. ``NewVideosBloom`` / ``EarlierVideos``: the same for visual_dup: the earlier runs' visual index parts hold each
   video's candidate keys and a reference to its stored embeddings, loaded only for videos whose keys match.

So the shuffles, the pair verification and the clustering grow with the new input; reading and re-keying the
indexes grows with the corpus, but only as a vectorised scan (docs/BENCHMARKS.md).
"""
from __future__ import annotations

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from filters.bloom import Bloom, size_for
from filters.lsh_keys import LshEntries, concat_entries, lsh_entries, probe_entries, sketches_of
from filters.text_rows import TextTable
from pipeline.config import Config
from pipeline.dedup_index import EarlierRun, earlier_part, earlier_videos, items_of
from transforms.batching import Exchange
from transforms.bloom_filters import BloomOfKeys, LoadedBloom
from transforms.exact_dup import _key_hash, key_entries
from transforms.near_dup import key_members, put_entries, split_table
from transforms.text_filters import EXACT_KEYS, SAME_TEXT_EDGES, TEXTS


def _exact_hashes(ref, exchange: Exchange) -> np.ndarray:
    table = exchange.get(ref[1])
    return np.fromiter((_key_hash(kind, key) for kind, key in zip(table.kinds, table.keys)), dtype=np.uint64,
                       count=len(table.keys))


def _text_keys(ref, config: Config, exchange: Exchange) -> np.ndarray:
    """Text hashes and LSH entries reaching one cell further down: what ``probe_entries`` needs."""
    table = exchange.get(ref[1])
    return np.concatenate([table.hashes.astype(np.uint64), lsh_entries(table, config.near_dup, cells_below=1).keys])


def bloom_bits(input_bytes: int) -> int:
    """Filter size from the new input's size, fixed when the graph is built: text records carry ~0.3-0.5 keys per
    input byte (~75 per title), so 5 bits per byte gives ~10 bits per key; capped at 128 MiB, where the false
    positives only grow (each costs one earlier record sent through dedup for nothing)."""
    return min(size_for(input_bytes // 2), 1 << 30)


class NewKeysBloom(beam.PTransform):
    """{exact_keys, texts} dedup outputs of this run -> a singleton reference to a Bloom filter of their keys
    (``transforms.bloom_filters``)."""

    def __init__(self, config: Config, exchange: Exchange, bits: int) -> None:
        super().__init__()
        self.config = config
        self.exchange = exchange
        self.bits = bits

    def expand(self, inputs):
        sources = [(inputs["exact_keys"], _exact_hashes, self.exchange),
                   (inputs["texts"], _text_keys, self.config, self.exchange)]
        return inputs["texts"].pipeline | "Keys" >> BloomOfKeys(sources, self.exchange, self.bits)


EARLIER_BANDS = "earlier_bands"


def _any_hit(lists: pa.ListArray, bloom: Bloom) -> np.ndarray:
    """Per row of a list<uint> column: does any of its values pass the filter."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    hit = np.concatenate([[0], np.cumsum(bloom.contains(lists.values.to_numpy(zero_copy_only=False)))])
    offsets = lists.offsets.to_numpy()
    return hit[offsets[1:]] > hit[offsets[:-1]]


def _text_table(alive: pa.Table) -> TextTable:
    """Index rows (alive, with text) as a text table, one row per record."""
    durations = alive.column("duration").to_numpy(zero_copy_only=False).astype(np.float64)
    known = ~np.isnan(durations)
    return TextTable(alive.column("text_hash").to_numpy(), alive.column("text").to_pylist(),
                     np.arange(alive.num_rows + 1, dtype=np.int64), alive.column("record_id").to_numpy(),
                     alive.column("video_id").to_pylist(),
                     np.where(known, durations, -np.inf), np.where(known, durations, np.inf))


def _alive(table: pa.Table) -> pa.Table:
    return table.filter(pc.and_(table.column("alive"), pc.greater(pc.utf8_length(table.column("text")), 0)))


def text_candidates(table: pa.Table, config: Config, bloom: Bloom) -> tuple[pa.Table, LshEntries]:
    """Of an earlier index part's alive records: those whose very text a new record may have (they must collapse
    with it, so they go the new texts' way), and the LSH entries a new text may share of those sharing only a band
    key (they go straight to the buckets; their rows follow only if a candidate pair names them:
    ``EarlierPairRows``)."""
    alive = _alive(table)
    n = alive.num_rows
    texts = _text_table(alive)
    same_text = bloom.contains(texts.hashes.astype(np.uint64))
    bands = alive.column("band_hashes").combine_chunks().values.to_numpy(zero_copy_only=False)
    keys, text = probe_entries(texts, config.near_dup, bands.reshape(n, config.near_dup.bands), bloom)
    chosen = np.zeros(n, dtype=bool)
    chosen[text] = True
    chosen &= ~same_text
    renumber = np.cumsum(chosen) - 1
    keep = chosen[text]
    picked = np.flatnonzero(chosen)
    entries = LshEntries(keys[keep], renumber[text[keep]].astype(np.uint32), texts.hashes[picked],
                         sketches_of([texts.texts[i] for i in picked.tolist()]), np.ones(len(picked), dtype=bool))
    return alive.filter(pa.array(same_text)), entries


class _EarlierFn(beam.DoFn):
    """Reads earlier index parts (``runs``: how many earlier runs, for the virtual ids)."""

    def __init__(self, config: Config, exchange: Exchange, runs: int) -> None:
        self.config = config
        self.exchange = exchange
        self.runs = runs

    def setup(self) -> None:
        self.new_keys = LoadedBloom(self.exchange)


SCAN_ROWS = 8192  # an index part is probed in slices: its ~35 probes per record then fit in the allocator's reused
# memory instead of fresh pages (page faults were a third of the scan's CPU: docs/BENCHMARKS.md)


class _EarlierCandidatesFn(_EarlierFn):

    def process(self, part: tuple[int, str], bloom_ref):
        run_index, path = part
        bloom = self.new_keys(bloom_ref)
        if bloom is None:
            return
        table = earlier_part(path, run_index, self.runs)
        if not table.num_rows:
            return
        exact = table.filter(pa.array(_any_hit(table.column("exact_hashes"), bloom)))
        for keyed in key_entries(items_of(exact), self.config.exact_dup, self.exchange, bloom):
            yield beam.pvalue.TaggedOutput(EXACT_KEYS, keyed)
        pieces = [text_candidates(table.slice(start, SCAN_ROWS), self.config, bloom)
                  for start in range(0, table.num_rows, SCAN_ROWS)]
        same_text = pa.concat_tables([same for same, _ in pieces])
        entries = concat_entries([piece for _, piece in pieces])
        keyed_texts, same_text_edges = key_members(items_of(same_text), self.config.near_dup, self.exchange)
        for keyed in keyed_texts:
            yield beam.pvalue.TaggedOutput(TEXTS, keyed)
        if same_text_edges:
            yield beam.pvalue.TaggedOutput(SAME_TEXT_EDGES, same_text_edges)
        if len(entries.keys):
            for keyed in put_entries(entries, self.config.near_dup, self.exchange):
                yield beam.pvalue.TaggedOutput(EARLIER_BANDS, keyed)


class _EarlierParts(beam.PTransform):
    """The earlier runs' index parts, read on workers against a Bloom filter of this run's keys (a singleton)."""

    def __init__(self, runs: list[EarlierRun], config: Config, exchange: Exchange, bloom) -> None:
        super().__init__()
        self.runs = runs
        self.config = config
        self.exchange = exchange
        self.bloom = bloom


class EarlierCandidates(_EarlierParts):
    """pipeline | EarlierCandidates(...) -> tagged dedup inputs (exact_keys, texts, same_text_edges) of the earlier
    runs' records that may match this run's (``bloom``: ``NewKeysBloom``'s output)."""

    def expand(self, pipeline):
        parts = [(i, path) for i, run in enumerate(self.runs) for path in run.parts]
        return (pipeline
                | "EarlierIndexParts" >> beam.Create(parts)
                | "SpreadParts" >> beam.Reshuffle()
                | "MatchEarlier" >> beam.ParDo(
                    _EarlierCandidatesFn(self.config, self.exchange, len(self.runs)),
                    beam.pvalue.AsSingleton(self.bloom)).with_outputs(EXACT_KEYS, TEXTS, SAME_TEXT_EDGES, EARLIER_BANDS,
                                                                      main="none"))


def _pair_hashes(element, exchange: Exchange) -> np.ndarray:
    return exchange.get(element[1]).ravel().astype(np.uint64)


class _EarlierRowsFn(_EarlierFn):

    def setup(self) -> None:
        super().setup()
        self.pair_texts = LoadedBloom(self.exchange)

    def process(self, part: tuple[int, str], pairs_ref, new_ref):
        run_index, path = part
        pair_texts, new_keys = self.pair_texts(pairs_ref), self.new_keys(new_ref)
        if pair_texts is None or new_keys is None:
            return
        alive = _alive(earlier_part(path, run_index, self.runs, ROW_COLUMNS))
        hashes = alive.column("text_hash").to_numpy().astype(np.uint64)
        # named by a pair, and not a text a new record has (those rows came through the collapse)
        wanted = pair_texts.contains(hashes) & ~new_keys.contains(hashes)
        if wanted.any():
            rows = _text_table(alive.filter(pa.array(wanted)))
            yield from split_table("text_rows", rows, self.config.near_dup.partitions, self.exchange)


ROW_COLUMNS = ["record_id", "video_id", "alive", "duration", "text", "text_hash"]


class EarlierPairRows(_EarlierParts):
    """near_dup's candidate pairs -> the text rows of the earlier texts they name, keyed like this run's rows:
    the earlier runs' index parts read a second time, for just the rows the pair joins need (those sharing a band
    key with a new text are many; those in a pair that reaches verification, a fifth of them on the benchmark)."""

    def __init__(self, runs: list[EarlierRun], config: Config, exchange: Exchange, bloom, bits: int) -> None:
        super().__init__(runs, config, exchange, bloom)
        self.bits = max(1 << 16, bits // 8)  # a few pairs per new record, against ~70 keys: a false positive only
        # fetches a row no pair uses

    def expand(self, pairs):
        pair_bloom = pairs.pipeline | "PairTexts" >> BloomOfKeys([(pairs, _pair_hashes, self.exchange)],
                                                                 self.exchange, self.bits)
        parts = [(i, path) for i, run in enumerate(self.runs) for path in run.parts]
        return (pairs.pipeline
                | "EarlierIndexPartsAgain" >> beam.Create(parts)
                | "SpreadPartsAgain" >> beam.Reshuffle()
                | "FetchEarlierRows" >> beam.ParDo(
                    _EarlierRowsFn(self.config, self.exchange, len(self.runs)),
                    beam.pvalue.AsSingleton(pair_bloom), beam.pvalue.AsSingleton(self.bloom)))


def _visual_keys(element, exchange: Exchange) -> np.ndarray:
    return np.fromiter((key for key, _ in exchange.get(element[1])), dtype=np.uint64)


class NewVideosBloom(beam.PTransform):
    """This run's visual_dup entries ((partition, ref) of (key, VisualItem)) -> a Bloom filter of their keys."""

    def __init__(self, exchange: Exchange, bits: int) -> None:
        super().__init__()
        self.exchange = exchange
        self.bits = bits

    def expand(self, entries):
        return entries.pipeline | "VisualKeys" >> BloomOfKeys([(entries, _visual_keys, self.exchange)],
                                                              self.exchange, self.bits)


class _EarlierVideosFn(_EarlierFn):

    def process(self, part: tuple[int, str, str], bloom_ref):
        run_index, run, path = part
        bloom = self.new_keys(bloom_ref)
        if bloom is None:
            return
        found = earlier_videos(path, run, run_index, self.runs, bloom)
        entries = [(int(key), item) for item, keys in found for key in keys.tolist()]
        if entries:
            yield from self.exchange.split("visual_bands", entries, _entry_key, self.config.near_dup.partitions)


def _entry_key(entry) -> int:
    return entry[0]


class EarlierVideos(_EarlierParts):
    """pipeline | EarlierVideos(...) -> visual_dup entries of the earlier runs' videos whose keys may meet this
    run's (``bloom``: ``NewVideosBloom``), under virtual record ids, with only the keys that matched."""

    def expand(self, pipeline):
        parts = [(i, run.uri, path) for i, run in enumerate(self.runs) for path in run.visual_parts]
        return (pipeline
                | "EarlierVisualParts" >> beam.Create(parts)
                | "SpreadVisualParts" >> beam.Reshuffle()
                | "MatchEarlierVideos" >> beam.ParDo(_EarlierVideosFn(self.config, self.exchange, len(self.runs)),
                                                     beam.pvalue.AsSingleton(self.bloom)))
