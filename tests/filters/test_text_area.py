"""On-screen text at ``quality``: clips with burnt-in Chinese text drawn by ffmpeg with a system CJK font."""
import subprocess
from pathlib import Path

import numpy as np
import pytest

from filters.text_area import TextAreaScorer, pick_frames, polygon_area, title_overlap
from filters.video_decode import sample_frames
from filters.visual_quality import QualityConfig, VisualQualityFilter

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # fonts-wqy-microhei (README's setup command)
pytestmark = pytest.mark.skipif(not Path(FONT).is_file(), reason="fonts-wqy-microhei is not installed")


def _text(text: str, size: int, y: str, colour: str = "white") -> str:
    return f"drawtext=fontfile={FONT}:text='{text}':fontsize={size}:fontcolor={colour}:x=(w-tw)/2:y={y}"


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    root = tmp_path_factory.mktemp("ocr")
    filters = {
        "clean": "null",
        "subtitled": _text("欢迎观看今天的美食节目", 28, "h-50") + ":box=1:boxcolor=black@0.5",
        "heavy": ",".join([_text("限时抢购 全场五折", 72, "40", "yellow"), _text("关注我们 每天更新", 72, "150"),
                           _text("点击链接 立即购买", 72, "260", "red")]),
    }
    out = {}
    for name, vf in filters.items():
        out[name] = root / f"{name}.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "gradients=size=640x360:rate=10:speed=0.05", "-vf", vf, "-t", "6", "-c:v", "libx264",
                        "-pix_fmt", "yuv420p", str(out[name])], check=True, timeout=60)
    return {name: sample_frames(str(path), num_frames=8, short_side=224, timeout_s=20) for name, path in out.items()}


def test_text_area_is_measured_and_heavy_text_is_rejected(clips):
    quality = VisualQualityFilter(QualityConfig())
    results = {}
    for name, frames in clips.items():
        scores = quality.score({"width": 640, "height": 360, "frames": frames, "title": "美食节目"})
        results[name] = (scores, quality.decide(scores))
    clean, subtitled, heavy = (results[n] for n in ("clean", "subtitled", "heavy"))
    assert clean[0]["quality_text_area_mean"] == 0 and clean[0]["quality_text_boxes"] == 0 and clean[1] is None
    assert 0.01 < subtitled[0]["quality_text_area_mean"] < 0.15 and subtitled[1] is None
    assert subtitled[0]["quality_text_boxes"] >= 1
    assert heavy[0]["quality_text_area_mean"] > 0.3 and heavy[0]["quality_text_boxes"] >= 3
    assert heavy[1].startswith("on-screen text covers") and "> 20%" in heavy[1]
    assert subtitled[0]["quality_text"] is None  # recognition is off by default


def test_recognition_reads_the_title_on_screen(clips):
    scorer = TextAreaScorer(QualityConfig(text_recognition=True, text_frames=2))
    scores = scorer.score(clips["subtitled"], "今天的美食节目")
    assert "美食节目" in scores["quality_text"]
    assert scores["quality_text_title_overlap"] == pytest.approx(1.0)
    assert scorer.score(clips["subtitled"], "篮球比赛")["quality_text_title_overlap"] == 0


def test_switches_and_thresholds_replay_from_stored_scores():
    stored = {"quality_text_area_mean": 0.35, "quality_frames": 8, "quality_motion": 10.0,
              "quality_blank_fraction": 0.0}
    assert VisualQualityFilter(QualityConfig()).decide(stored)
    assert VisualQualityFilter(QualityConfig(max_text_area=0.5)).decide(stored) is None
    off = VisualQualityFilter(QualityConfig(text_detection=False))
    assert off.text_area is None and off.decide(stored) is None
    assert off.score({"width": 64, "height": 64, "frames": np.zeros((2, 8, 8, 3), np.uint8)}).get(
        "quality_text_area_mean") is None


def test_helpers():
    assert pick_frames(8, 3) == [1, 4, 6] and pick_frames(2, 3) == [0, 1]
    assert polygon_area(np.array([[0, 0], [10, 0], [10, 5], [0, 5]])) == 50
    assert title_overlap("美食 节目!", "今日美食") == 0.5 and title_overlap("!!", "x") is None
