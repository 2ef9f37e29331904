"""The ledger sinks and the media stage on their own, in real pipelines: WriteLedger and DecideDedup keep every
row (the row-count invariant) in input order however the batches arrive, and apply exact, near-dup and earlier
rejections by the ledger's rule; WriteMediaLedger applies the media outcomes and the run's threshold; MediaStages
returns one outcome per video, decodable or not."""
from __future__ import annotations

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import load_config, resolve_partitions
from schemas.ledger import COLUMNS, rows_to_table
from schemas.records import MediaItem, MediaOutcome, Representative
from tests.media_fixtures import media  # noqa: F401
from transforms.batching import Exchange
from transforms.ledger import DecideDedup, WriteLedger, WriteMediaLedger
from transforms.media import MediaStages

EXCHANGE = Exchange()
STARTS = [0, 100]  # two units of work: record ids 0..99 and 100..


def _row(rid: int, vid: str, **extra) -> dict:
    return {"record_id": rid, "video_id": vid, "title": f"标题{vid}", "video_path": f"{vid}.mp4",
            "video_uri": f"/videos/{vid}.mp4", "duration": 30.0, "source": f"in.jsonl@{rid}", **extra}


def _inputs(p):
    """Unit 0 in two batches arriving in reverse order; unit 1 in one."""
    unit0_late = [_row(5, "e"), _row(3, "c", status="rejected", stage="language", reason="not Chinese")]
    unit0_early = [_row(1, "a"), _row(2, "b"), _row(4, "d", status="error", stage="schema", reason="bad")]
    unit1 = [_row(101, "x"), _row(102, "y")]
    rows = [EXCHANGE.put("rows", 0, rows_to_table(unit0_late)), EXCHANGE.put("rows", 0, rows_to_table(unit0_early)),
            EXCHANGE.put("rows", 1, rows_to_table(unit1))]
    exact = [[(2, {"dup_key": "md5", "dup_of": "a", "reason": "same md5 as a"}),
              (3, {"dup_key": "video_id", "dup_of": "a", "reason": "repeated video_id"})]]
    a, x = Representative(1, "a"), Representative(101, "x")
    labels = [[(1, a), (5, a), (101, x), (102, x)]]
    return {"rows": p | "Rows" >> beam.Create(rows, reshuffle=False),
            "exact": p | "Exact" >> beam.Create(exact, reshuffle=False),
            "labels": p | "Labels" >> beam.Create(labels, reshuffle=False)}


EXPECTED = {1: ("kept", None), 2: ("rejected", "exact_dup"), 3: ("rejected", "exact_dup"), 4: ("error", "schema"),
            5: ("rejected", "near_dup"), 101: ("kept", None), 102: ("rejected", "near_dup")}


def test_write_ledger_keeps_every_row_in_order_and_decides_by_the_rule(tmp_path):
    with beam.Pipeline(runner=FnApiRunner()) as p:
        written = _inputs(p) | WriteLedger(str(tmp_path), STARTS, EXCHANGE)
        assert_that(written | beam.Map(lambda pair: pair[1]) | beam.CombineGlobally(sum), equal_to([7]))
    part0 = pq.read_table(tmp_path / "part-000000.parquet")
    assert part0.column_names == list(COLUMNS)  # runtime columns (video_uri) never reach the file
    assert part0.column("record_id").to_pylist() == [1, 2, 3, 4, 5]
    rows = part0.to_pylist() + pq.read_table(tmp_path / "part-000001.parquet").to_pylist()
    assert {r["record_id"]: (r["status"], r["stage"]) for r in rows} == EXPECTED
    by_id = {r["record_id"]: r for r in rows}
    assert by_id[5]["dup_of"] == "a" and by_id[5]["near_dup_cluster"] == 1 and by_id[1]["near_dup_cluster"] == 1
    assert by_id[2]["dup_key"] == "md5" and by_id[4]["reason"] == "bad"


def test_decide_dedup_sends_only_kept_records_to_media():
    with beam.Pipeline(runner=FnApiRunner()) as p:
        decided = _inputs(p) | DecideDedup(STARTS, EXCHANGE, media_batch=1)
        statuses = decided.rows | beam.FlatMap(
            lambda ref: [(r["record_id"], r["status"], r["stage"]) for r in EXCHANGE.get(ref[1]).to_pylist()])
        assert_that(statuses, equal_to([(rid, s, st) for rid, (s, st) in EXPECTED.items()]), label="AllRows")
        items = decided.media | beam.FlatMap(lambda ref: [(ref[0], item) for item in EXCHANGE.get(ref[1])])
        assert_that(items, equal_to([(0, MediaItem(1, "a", "/videos/a.mp4", 30.0, "标题a", None)),
                                     (1, MediaItem(101, "x", "/videos/x.mp4", 30.0, "标题x", None))]),
                    label="KeptToMedia")


def test_write_media_ledger_applies_outcomes_threshold_and_visual_clusters(tmp_path):
    config = load_config(None, ["clip_score.mode=absolute", "clip_score.threshold=0.2"])
    kept = [_row(1, "a", status="kept"), _row(2, "b", status="kept"), _row(3, "c", status="kept"),
            _row(4, "d", status="rejected", stage="near_dup", reason="dup")]
    outcomes = [(1, MediaOutcome({"clip_score_mean": 0.5, "clip_score_max": 0.6})),
                (2, MediaOutcome({"clip_score_mean": 0.1, "clip_score_max": 0.15})),
                (3, MediaOutcome({"clip_score_mean": 0.5, "clip_score_max": 0.6}))]
    with beam.Pipeline(runner=FnApiRunner()) as p:
        inputs = {"rows": p | "Rows" >> beam.Create([EXCHANGE.put("decided_rows", 0, rows_to_table(kept))]),
                  "media": p | "Media" >> beam.Create([EXCHANGE.put("media_results", 0, outcomes)]),
                  "scores": p | "Scores" >> beam.Create([[0.5, 0.1, 0.5]]),
                  "visual": p | "Visual" >> beam.Create([[(1, Representative(1, "a")), (3, Representative(1, "a"))]])}
        written = inputs | WriteMediaLedger(str(tmp_path), EXCHANGE, config.clip_score, [0])
        assert_that(written | beam.Map(lambda pair: pair[1]), equal_to([4]))
    rows = {r["record_id"]: r for r in pq.read_table(tmp_path / "part-000000.parquet").to_pylist()}
    assert (rows[1]["status"], rows[1]["visual_dup_cluster"]) == ("kept", 1)
    assert abs(rows[1]["clip_threshold"] - 0.2) < 1e-6  # float32 column
    assert (rows[2]["status"], rows[2]["stage"]) == ("rejected", "clip_score")
    assert (rows[3]["status"], rows[3]["stage"], rows[3]["dup_of"]) == ("rejected", "visual_dup", "a")
    assert (rows[4]["status"], rows[4]["stage"]) == ("rejected", "near_dup")


def test_media_stages_give_one_outcome_per_video(media, tmp_path):  # noqa: F811
    config = resolve_partitions(load_config(), 0, 1)
    items = [MediaItem(1, "ok", str(media.normal), 12.0, "测试图案视频", None),
             MediaItem(2, "gone", str(media.missing), 12.0, "不存在的视频", None),
             MediaItem(3, "text", str(media.text), 12.0, "不是视频", None)]
    with beam.Pipeline(runner=FnApiRunner()) as p:
        chunks = p | beam.Create([EXCHANGE.put("media_items", 0, items[:2]), EXCHANGE.put("media_items", 0, items[2:])])
        out = chunks | MediaStages(config, EXCHANGE, str(tmp_path / "embeddings"))
        outcomes = out.results | beam.FlatMap(
            lambda ref: [(rid, o.updates.get("status"), o.updates.get("stage")) for rid, o in EXCHANGE.get(ref[1])])
        assert_that(outcomes, equal_to([(1, None, None), (2, "error", "decode"), (3, "error", "decode")]),
                    label="OnePerVideo")
        assert_that(out.scores | beam.FlatMap(lambda scores: scores) | beam.combiners.Count.Globally(),
                    equal_to([1]), label="OneScore")
