"""On-screen text, a ``quality`` score: how much of the picture burnt-in captions, watermarks and ad cards cover.

A video whose frames are mostly text (slides, lyric cards, "点击链接" ads, captions-as-content) teaches a
video-language model little about what the title describes; Data-Juicer (video_ocr_area_ratio_filter), Panda-70M
and Open-Sora filter the same way. rapidocr's PP-OCRv6 detector (Apache-2.0, ONNX models bundled in its wheel, run
by onnxruntime) runs on ``text_frames`` of the sampled frames, evenly spread, at the decoded size (short side 224:
no upscaling, ~60 ms per frame on one core instead of ~500 at rapidocr's default 736). Recognition is optional:
it reads the text to measure how much of the title is on screen (a title copied from the subtitles says little
that the frames do not already show).

Scores: ``quality_text_area_mean`` / ``_max`` (share of the frame covered by detected text boxes, per frame capped
at 1), ``quality_text_boxes`` (most boxes in one checked frame), and with recognition ``quality_text`` (the text of
the frame with most text, truncated) and ``quality_text_title_overlap`` (share of the title's characters found on
screen). ``filters.visual_quality`` decides on the mean area.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from filters.normalize import comparison_text
from schemas.config import QualityConfig

MAX_TEXT_CHARS = 200
# A detected "line" thicker than this share of the frame's short side is texture, not text: the detector reads a
# fractal (ffmpeg's mandelbrot source) as one box over 88% of the frame; a 72 px caption on a 360 px frame is 25%.
# Thickness is the box's shorter extent, so vertical captions (narrow, tall columns) still count.
MAX_LINE_THICKNESS = 0.4
COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("quality_text_area_mean", pa.float32()),
    ("quality_text_area_max", pa.float32()),
    ("quality_text_boxes", pa.int32()),
    ("quality_text", pa.string()),
    ("quality_text_title_overlap", pa.float32()),
)


def polygon_area(box: np.ndarray) -> float:
    """Area of a detected quadrilateral (4 x 2 points), by the shoelace formula."""
    x, y = box[:, 0].astype(np.float64), box[:, 1].astype(np.float64)
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def pick_frames(count: int, wanted: int) -> list[int]:
    """``wanted`` indices of ``count`` sampled frames, evenly spread and away from the ends (fades, title cards)."""
    wanted = min(wanted, count)
    return sorted({int((i + 0.5) * count / wanted) for i in range(wanted)})


def title_overlap(title: str, screen_text: str) -> float | None:
    """Share of the title's comparison characters (Han, letters, digits) that also appear on screen, counted with
    multiplicity."""
    chars = comparison_text(title or "")
    if not chars:
        return None
    available: dict[str, int] = {}
    for ch in comparison_text(screen_text):
        available[ch] = available.get(ch, 0) + 1
    found = 0
    for ch in chars:
        if available.get(ch, 0):
            available[ch] -= 1
            found += 1
    return found / len(chars)


class TextAreaScorer:
    """rapidocr loaded on first use (once per worker); ``score(frames, title)`` gives the ledger columns."""

    def __init__(self, config: QualityConfig) -> None:
        self.config = config
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            from rapidocr import RapidOCR  # ~1 s to load the ONNX sessions; only workers that decode pay it

            threads = self.config.text_threads or -1
            self._engine = RapidOCR(params={
                "Global.use_cls": False, "Global.use_rec": self.config.text_recognition,
                "Global.log_level": "error", "Det.limit_side_len": self.config.text_det_side,
                "Det.limit_type": "min",
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": threads})
        return self._engine

    def _detect(self, frame: np.ndarray) -> tuple[list[np.ndarray], str]:
        rec = self.config.text_recognition
        result = self.engine(frame, use_det=True, use_cls=False, use_rec=rec)
        limit = MAX_LINE_THICKNESS * min(frame.shape[:2])
        boxes = [box for box in ([] if result.boxes is None else np.asarray(result.boxes))
                 if min(np.ptp(box[:, 0]), np.ptp(box[:, 1])) <= limit]
        text = "".join(getattr(result, "txts", None) or ()) if rec else ""
        return boxes, text

    def score(self, frames: np.ndarray, title: str = "") -> dict[str, Any]:
        scores: dict[str, Any] = dict.fromkeys(name for name, _ in COLUMNS)
        if frames is None or not len(frames):
            return scores
        areas, counts, best_text = [], [], ""
        for index in pick_frames(len(frames), self.config.text_frames):
            frame = np.ascontiguousarray(frames[index][..., ::-1])  # rapidocr reads arrays as OpenCV BGR
            boxes, text = self._detect(frame)
            frame_area = float(frame.shape[0] * frame.shape[1])
            areas.append(min(1.0, sum(polygon_area(np.asarray(b)) for b in boxes) / frame_area))
            counts.append(len(boxes))
            if len(text) > len(best_text):
                best_text = text
        scores.update(quality_text_area_mean=float(np.float32(np.mean(areas))),
                      quality_text_area_max=float(np.float32(max(areas))), quality_text_boxes=int(max(counts)))
        if self.config.text_recognition:
            scores["quality_text"] = best_text[:MAX_TEXT_CHARS]
            overlap = title_overlap(title, best_text)
            scores["quality_text_title_overlap"] = None if overlap is None else float(np.float32(overlap))
        return scores
