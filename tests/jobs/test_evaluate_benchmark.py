"""``ykcurate evaluate --benchmark``: the three tasks from the published CSV layouts and a videos folder, on a run
with the contrastive head; bad rows and clips are counted, never fatal; misuse exits 2."""
import json
from pathlib import Path

import pytest

from jobs import evaluate, pretrain
from schemas.benchmark_csv import write_benchmark
from tests.training.pretrain_fixtures import CATEGORIES, caption_shards, recipe_path  # noqa: F401


@pytest.fixture(scope="module")
def itc_run(caption_shards, recipe_path, tmp_path_factory):  # noqa: F811
    run = tmp_path_factory.mktemp("itc_run") / "run"
    pretrain.run(["--shards", caption_shards, "--config", str(recipe_path), "--output", str(run), "--steps", "15",
                  "--set", "model.contrastive.dim=32", "--quiet"])
    return run


def _titles() -> list[str]:
    from models.synthetic_clips import make_dataset

    return make_dataset(24, seed=3, frames=8, size=64)[1]  # the fixture's clips c0..c23 and captions


def test_three_tasks_with_predictions_and_skips(itc_run, caption_shards, tmp_path, capsys):  # noqa: F811
    videos = Path(caption_shards).parent
    titles = _titles()
    test_rows = [(f"c{i}.mp4", titles[i], CATEGORIES[i % 3]) for i in range(12, 24)] + [("gone.mp4", "不在", "科技")]
    (tmp_path / "cls.csv").write_bytes(write_benchmark(test_rows, "classification") + "坏行,只有两列\n".encode())
    (tmp_path / "cls_train.csv").write_bytes(write_benchmark(
        [(f"c{i}.mp4", titles[i], CATEGORIES[i % 3]) for i in range(12)], "classification"))
    common = ["--run", str(itc_run), "--videos", str(videos), "--device", "cpu", "--batch-size", "5"]
    cls = evaluate.run([*common, "--benchmark", "classification", "--csv", str(tmp_path / "cls.csv"),
                        "--train-csv", str(tmp_path / "cls_train.csv")])
    assert cls["classes"] == 3 and cls["scored_on"] == 12 and 0 <= cls["top1"] <= cls["top5"] == 100.0
    assert cls["skipped_clips"] == {"missing_video": 1} and [r["line"] for r in cls["skipped_rows"]] == [15]
    predictions = [json.loads(line) for line in open(cls["predictions_file"], encoding="utf-8")]
    assert len(predictions) == 12 and predictions[0]["label"] in CATEGORIES
    assert json.loads((itc_run / "eval" / "classification.json").read_text())["top1"] == cls["top1"]
    assert "skipped" in capsys.readouterr().err  # the malformed row is reported on the terminal

    (tmp_path / "ret.csv").write_bytes(write_benchmark([(f"c{i}.mp4", titles[i]) for i in range(8)], "retrieval"))
    for scorer in ("itc", "likelihood"):
        ret = evaluate.run([*common, "--benchmark", "retrieval", "--csv", str(tmp_path / "ret.csv"),
                            "--score", scorer, "--predictions", str(tmp_path / f"{scorer}.jsonl")])
        assert ret["scorer"] == scorer and ret["videos"] == ret["captions"] == 8
        for way in ("video_to_text", "text_to_video"):
            assert 0 <= ret[way]["R@1"] <= ret[way]["R@5"] <= ret[way]["R@10"] == 100.0
            assert 1 <= ret[way]["median_rank"] <= 8
        assert len((tmp_path / f"{scorer}.jsonl").read_text().splitlines()) == 8

    (tmp_path / "cap.csv").write_bytes(write_benchmark(
        [(f"c{i}.mp4", t) for i in range(6) for t in (titles[i], titles[i] + "的视频")], "captioning"))
    cap = evaluate.run([*common, "--benchmark", "captioning", "--csv", str(tmp_path / "cap.csv")])
    assert cap["clips"] == 6 and cap["rows"] == 12 and cap["CIDEr"] >= 0
    assert all(len(p["references"]) == 2 for p in map(json.loads, open(cap["predictions_file"], encoding="utf-8")))


def test_misuse_exits_2(itc_run, caption_shards, recipe_path, tmp_path):  # noqa: F811
    videos = str(Path(caption_shards).parent)
    (tmp_path / "ret.csv").write_bytes(write_benchmark([("c0.mp4", "红色")], "retrieval"))
    base = ["--run", str(itc_run), "--device", "cpu"]
    assert evaluate.main([*base, "--benchmark", "retrieval", "--csv", str(tmp_path / "ret.csv")]) == 2
    assert evaluate.main([*base, "--benchmark", "classification", "--csv", str(tmp_path / "ret.csv"),
                          "--videos", videos]) == 2  # another task's header
    assert evaluate.main([*base, "--benchmark", "retrieval", "--csv", str(tmp_path / "none.csv"),
                          "--videos", videos]) == 2
    assert evaluate.main([*base, "--shards", caption_shards, "--benchmark", "retrieval", "--csv",
                          str(tmp_path / "ret.csv"), "--videos", videos]) == 2
    assert evaluate.main([*base, "--benchmark", "retrieval", "--csv", str(tmp_path / "ret.csv"), "--videos", videos,
                          "--train-csv", str(tmp_path / "ret.csv")]) == 2
    plain = tmp_path / "plain"
    pretrain.run(["--shards", caption_shards, "--config", str(recipe_path), "--output", str(plain), "--steps", "1",
                  "--quiet"])
    assert evaluate.main(["--run", str(plain), "--device", "cpu", "--benchmark", "retrieval", "--csv",
                          str(tmp_path / "ret.csv"), "--videos", videos, "--score", "itc"]) == 2
