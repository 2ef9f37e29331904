"""``--phase all``: the kept records go through decode, probed duration and quality; every input row still lands once."""
import json

from jobs.curate import run
from pipeline.manifest import read_ledger
from tests.media_fixtures import media  # noqa: F401

CASES = {  # video_id: (fixture attribute or None, expected status, expected stage, reason fragment)
    "ok": ("normal", "kept", None, None),
    "static": ("static", "rejected", "quality", "static"),
    "blank": ("blank", "rejected", "quality", "blank"),
    "tiny": ("tiny", "rejected", "quality", "short side"),
    "wide": ("wide", "rejected", "quality", "aspect"),
    "audio": ("audio", "error", "decode", "no video stream"),
    "image": ("image", "error", "decode", "not a video"),
    "empty": ("empty", "error", "decode", "empty file"),
    "text": ("text", "error", "decode", "not a video"),
    "missing": ("missing", "error", "decode", "missing file"),
    "truncated": ("truncated", "error", "decode", "truncated"),
    "corrupt": ("corrupt", "error", "decode", "corrupt"),
    "nopath": (None, "error", "decode", "no video_path"),
}
TITLES = ["周末去海边露营的一天", "老爸的拿手菜糖醋排骨", "王者荣耀李白连招教学", "第一次做蛋糕失败了", "猫咪和狗狗抢玩具",
          "深夜食堂的日式咖喱饭", "自驾游川藏线第三天", "篮球少年的训练日常", "三分钟学会折纸鹤", "奶奶的菜园子丰收了",
          "城市夜景延时摄影", "小学生的科学实验", "外婆做的手工汤圆"]


def test_media_phase_puts_each_video_at_its_stage(media, tmp_path):  # noqa: F811
    path = tmp_path / "records.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for (vid, (attr, *_)), title in zip(CASES.items(), TITLES):
            record = {"video_id": vid, "title": title, "duration": 30}
            if attr:
                record["video_path"] = str(getattr(media, attr))
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.write(json.dumps({"video_id": "textonly", "title": "短"}, ensure_ascii=False) + "\n")
    manifest = run(["--phase", "all", "--input", str(path), "--output", str(tmp_path / "out"), "--quiet",
                    "--direct_num_workers=1", "--set", "decode.batch_size=4"])
    rows = {r["video_id"]: r for r in read_ledger(manifest["ledger"]).to_pylist()}
    assert len(rows) == len(CASES) + 1 == manifest["funnel"]["input"]
    for vid, (_, status, stage, fragment) in CASES.items():
        row = rows[vid]
        assert (row["status"], row["stage"]) == (status, stage), (vid, row["reason"])
        if fragment:
            assert fragment in row["reason"], (vid, row["reason"])
    ok = rows["ok"]
    assert ok["width"] == 320 and ok["height"] == 240 and abs(ok["duration"] - 12) < 0.2
    assert ok["duration_meta"] == 30 and ok["codec"] == "h264" and ok["has_audio"]
    assert ok["quality_motion"] > 2 and ok["quality_frames"] == 8
    assert rows["textonly"]["stage"] == "title_quality"  # text stages still decide first
