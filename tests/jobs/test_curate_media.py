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
    import io
    import zipfile

    from PIL import Image
    for vid in ("ok", "static"):  # every decoded video leaves a thumbnail for audits
        with zipfile.ZipFile(tmp_path / "out" / rows[vid]["thumbnail_file"]) as archive:
            image = Image.open(io.BytesIO(archive.read(f"{rows[vid]['record_id']}.jpg")))
            assert max(image.size) <= 160
    assert rows["corrupt"]["thumbnail_file"] is None


def test_byte_copies_and_reencodes_under_other_titles_are_visual_dups(media, tmp_path):  # noqa: F811
    import shutil
    import subprocess
    copy = tmp_path / "copy.mp4"
    shutil.copy(media.normal, copy)
    reencoded = tmp_path / "reencoded.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(media.normal), "-vf", "scale=256:192",
                    "-c:v", "libx264", "-crf", "30", "-an", str(reencoded)], check=True, timeout=60)
    records = [("orig", "周末去海边露营的一天", media.normal), ("copy", "老爸的拿手菜糖醋排骨", copy),
               ("reenc", "王者荣耀李白连招教学", reencoded)]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps({"video_id": v, "title": t, "duration": 12 + i * 3, "video_path": str(p)},
                                       ensure_ascii=False) + "\n" for i, (v, t, p) in enumerate(records)),
                    encoding="utf-8")
    manifest = run(["--phase", "all", "--input", str(path), "--output", str(tmp_path / "out"), "--quiet",
                    "--direct_num_workers=1", "--set", "clip_score.mode=absolute", "--set", "clip_score.threshold=-1"])
    rows = {r["video_id"]: r for r in read_ledger(manifest["ledger"]).to_pylist()}
    assert rows["orig"]["status"] == "kept"
    for vid in ("copy", "reenc"):
        assert (rows[vid]["stage"], rows[vid]["dup_of"]) == ("visual_dup", "orig"), rows[vid]["reason"]
        assert rows[vid]["visual_dup_cluster"] == rows["orig"]["record_id"]


def test_two_media_runs_give_the_same_ledger(media, tmp_path):  # noqa: F811
    path = tmp_path / "records.jsonl"
    names = ["normal", "static", "blank", "corrupt", "truncated"]
    path.write_text("".join(json.dumps({"video_id": n, "title": t, "duration": 30, "video_path": str(getattr(media, n))},
                                       ensure_ascii=False) + "\n" for n, t in zip(names, TITLES)), encoding="utf-8")
    ledgers = []
    for name, workers in (("one", "--direct_num_workers=1"), ("two", "--direct_num_workers=2")):
        manifest = run(["--phase", "all", "--input", str(path), "--output", str(tmp_path / name), "--quiet",
                        workers])
        ledgers.append(sorted(read_ledger(manifest["ledger"]).to_pylist(), key=lambda r: r["record_id"]))
    for a, b in zip(*ledgers):
        assert (a["status"], a["stage"], a["reason"]) == (b["status"], b["stage"], b["reason"])
        for key, value in a.items():
            if isinstance(value, float):
                assert abs(value - b[key]) < 1e-4, key
            elif not key.endswith("_file"):  # paths under each run's own output
                assert value == b[key], key
