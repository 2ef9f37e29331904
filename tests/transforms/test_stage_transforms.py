"""Each text-phase PTransform on its own, in a real pipeline (FnApiRunner), with ``assert_that``: reading keeps
every record (the row-count invariant), the text stage hands every row on, exact and near dedup find the planted
duplicates, and the ledger sink writes one row per input record."""
from __future__ import annotations

import json

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from pipeline.build import build
from pipeline.config import load_config, resolve_partitions
from schemas.records import DedupItem
from tests.hostile_corpus import text_cases, write_hostile_corpus
from transforms.batching import Exchange
from transforms.exact_dup import ExactDedup, key_entries
from transforms.near_dup import NearDedup, key_members
from transforms.read import ReadRecords, plan_reads
from transforms.text_filters import TextFilters

EXCHANGE = Exchange()  # payloads travel inside the elements


def _config(**overrides):
    config = load_config(None, [f"{k}={v}" for k, v in overrides.items()])
    return resolve_partitions(config, 0, 1)


def _positive(got: list[int]) -> None:
    if not got or got[0] <= 0:
        raise AssertionError(f"expected a positive count, got {got}")


def test_read_records_keeps_every_hostile_record(tmp_path):
    write_hostile_corpus(tmp_path, media=False)
    config = _config(**{"read.batch_size": 7, "read.split_bytes": 4096})
    tasks = plan_reads([str(tmp_path / "hostile.jsonl")], config.read)
    assert len(tasks) > 1  # split into several units of work
    with beam.Pipeline(runner=FnApiRunner()) as p:
        batches = p | ReadRecords(tasks, config.read)
        total = batches | "RowsPerBatch" >> beam.Map(lambda b: len(b[2])) | "AllRows" >> beam.CombineGlobally(sum)
        assert_that(total, equal_to([len(text_cases())]))
        sizes = batches | "BatchSizes" >> beam.Map(lambda b: len(b[2])) | "Largest" >> beam.CombineGlobally(max)
        assert_that(sizes, equal_to([7]), label="AtMostBatchSize")


def test_text_filters_hand_every_row_on_and_key_dedup_inputs(tmp_path):
    write_hostile_corpus(tmp_path, media=False)
    config = _config()
    tasks = plan_reads([str(tmp_path / "hostile.jsonl")], config.read)
    with beam.Pipeline(runner=FnApiRunner()) as p:
        text = p | ReadRecords(tasks, config.read) | TextFilters(config, EXCHANGE)
        rows = (text.rows | "RowsPerRef" >> beam.Map(lambda ref: len(EXCHANGE.get(ref[1])))
                | "AllRows" >> beam.CombineGlobally(sum))
        assert_that(rows, equal_to([len(text_cases())]))
        keyed = (text.exact_keys | "KeysPerRef" >> beam.Map(lambda ref: len(EXCHANGE.get(ref[1])))
                 | "AllKeys" >> beam.CombineGlobally(sum))
        assert_that(keyed, _positive, label="SomeKeys")


def _items():
    def item(rid, vid, title, md5=None, duration=30.0):
        return DedupItem(rid, vid, True, md5, None, title, duration, title)
    return [item(1, "a", "周末在家做红烧肉的详细步骤分享"), item(2, "b", "周末在家做红烧肉的详细步骤分享"),
            item(3, "c", "黄山日出云海延时摄影全记录", md5="0" * 32), item(4, "d", "完全不同的标题内容", md5="0" * 32),
            item(5, "e", "周末在家做红烧肉的详细步骤分享啊", duration=31.0)]


def test_exact_dedup_rejects_later_copies():
    config = _config()
    with beam.Pipeline(runner=FnApiRunner()) as p:
        keyed = p | beam.Create(list(key_entries(_items(), config.exact_dup, EXCHANGE)), reshuffle=False)
        out = keyed | ExactDedup(config.exact_dup, EXCHANGE)
        decided = out.decisions | beam.FlatMap(lambda pairs: [(rid, d["dup_of"], d["dup_key"]) for rid, d in pairs])
        assert_that(decided, equal_to([(2, "a", "title_duration"), (4, "c", "md5")]))


def test_near_dedup_links_a_one_character_edit():
    config = _config()
    rows, same_text_edges = key_members(_items(), config.near_dup, EXCHANGE)
    assert same_text_edges  # records 1 and 2 share one text: collapsed before the shuffle
    with beam.Pipeline(runner=FnApiRunner()) as p:
        edges = p | beam.Create(rows, reshuffle=False) | NearDedup(config.near_dup, EXCHANGE)
        linked = edges | beam.FlatMap(lambda batch: [tuple(sorted((a[0], b[0]))) for a, b in batch])
        assert_that(linked | beam.Filter(lambda pair: 5 in pair) | beam.combiners.Count.Globally(), _positive)


def test_the_text_graph_writes_one_ledger_row_per_record(tmp_path):
    write_hostile_corpus(tmp_path, media=False)
    config = _config(**{"read.split_bytes": 4096})
    tasks = plan_reads([str(tmp_path / "hostile.jsonl")], config.read)
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    with beam.Pipeline(runner=FnApiRunner()) as p:
        written = build(p, config, tasks, str(ledger), None, "text")
        assert_that(written | beam.Map(lambda pair: pair[1]) | beam.CombineGlobally(sum),
                    equal_to([len(text_cases())]))
    rows = pq.read_table(ledger).to_pylist()
    assert len(rows) == len(text_cases()) and len({r["record_id"] for r in rows}) == len(rows)
    assert all(r["status"] in ("kept", "rejected", "error") for r in rows)
    assert json.loads(next(r["extra"] for r in rows if r["video_id"] == "h-underscore-extra"))["_internal"]
