"""The README's first command: the demo curates the bundled text sample and a generated video sample, and every
planted defect lands at its stage."""
import json

from bench.quality import evaluate
from jobs import demo
from jobs.make_sample import SAMPLE_DIR
from pipeline.manifest import read_ledger


def test_demo_lands_every_defect_at_its_stage(tmp_path, capsys):
    result = demo.run(["--output", str(tmp_path / "demo"), "--direct_num_workers=1", "--pretrain-steps", "12"])
    out = capsys.readouterr().out
    assert out.count("ledger:") >= 4 and "kept" in out
    report = evaluate(read_ledger(result["text"]["ledger"]), str(SAMPLE_DIR / "truth.jsonl"))
    assert report["rows_match_input"]
    kinds = {k: v for k, v in report.items() if k.startswith("at expected stage")}
    assert len(kinds) >= 40
    for kind, rate in kinds.items():
        if "near_edit" not in kind:
            assert rate.startswith("1.0000"), (kind, rate)
    assert float(report["near-dup recall (removed as near_dup)"].split()[0]) >= 0.9

    rows = {r["video_id"]: r for r in read_ledger(result["all"]["ledger"]).to_pylist()}
    truth = [json.loads(line) for line in open(tmp_path / "demo" / "media_sample" / "truth.jsonl", encoding="utf-8")]
    assert len(rows) == len(truth)
    wrong = {t["video_id"]: (t["expect_stage"], rows[t["video_id"]]["stage"], rows[t["video_id"]]["reason"])
             for t in truth if rows[t["video_id"]]["stage"] != t["expect_stage"] and t["expect_status"] != "any"}
    assert not wrong
    assert {t["kind"] for t in truth} >= {"corrupt", "truncated", "zero_bytes", "missing", "not_a_video",
                                          "audio_only", "blank", "static", "tiny_resolution",
                                          "duration_outside_window", "byte_copy", "reencoded", "shuffled_title",
                                          "real_footage", "real_metadata_lies", "heavy_on_screen_text"}
    assert rows["ad_card"]["reason"].startswith("on-screen text covers")
    assert "media scores (text area" in out  # the demo shows the media models' columns
    assert all(rows[v]["visual_nsfw_neutral_mean"] is not None for v in ("m000", "real_bikes"))
    real = rows["real_bikes"]
    assert real["status"] != "error" and real["width"] == 640 and real["clip_score_mean"] is not None

    # stage 3: the synthetic benchmark, curated (test --against train), trains the tiny mPLUG-video with its ITC
    # head, and is scored on the three tasks
    assert result["pretrain"]["step"] == 12 and result["pretrain"]["skipped"] == {}
    scores = result["evaluate"]
    assert scores["classification"]["classes"] >= 5 and scores["classification"]["top1"] is not None
    assert scores["retrieval_itc"]["scorer"] == "itc" and "R@1" in scores["retrieval_likelihood"]["text_to_video"]
    assert scores["captioning"]["clips"] == scores["retrieval_itc"]["videos"] > 0
    split = {name: [json.loads(line) for line in open(tmp_path / "demo" / "benchmark" / f"{name}.jsonl",
                                                    encoding="utf-8")] for name in ("train", "test")}
    for field in ("source", "title"):  # the benchmark's rule: nothing of one source or one title on both sides
        assert not {r[field] for r in split["train"]} & {r[field] for r in split["test"]}
    assert "CIDEr" in out and "top-1" in out and "retrieval (itc" in out
