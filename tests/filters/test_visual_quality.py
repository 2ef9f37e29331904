import re

import numpy as np
import pyarrow as pa
import pytest

from filters.base import apply
from filters.video_decode import sample_frames
from filters.video_probe import probe
from filters.visual_quality import QualityConfig, VisualQualityFilter
from tests.media_fixtures import media  # noqa: F401  (session fixture: the test clips)

F = VisualQualityFilter(QualityConfig())


def check_clip(path):
    info = probe(path, timeout_s=10)
    frames = sample_frames(path, timeout_s=10, size=(info["width"], info["height"]))
    return apply(F, {**info, "frames": frames})


def test_normal_clip_passes(media):
    verdict = check_clip(media.normal)
    assert verdict.keep and verdict.stage == "quality"
    assert verdict.scores["quality_short_side"] == 240
    assert verdict.scores["quality_aspect"] == pytest.approx(4 / 3)
    assert verdict.scores["quality_blank_fraction"] == 0.0
    assert verdict.scores["quality_motion"] > 10


@pytest.mark.parametrize("name,reason", [
    ("static", r"^static: motion 0\.\d < 2\.0$"),
    ("blank", r"^blank: 8/8 frames near-uniform$"),
    ("tiny", r"^resolution 96x64: short side 64 < 128$"),
    ("wide", r"^aspect ratio 6\.40 outside 0\.33-3\.00$"),
])
def test_rejected_clips(media, name, reason):
    verdict = check_clip(getattr(media, name))
    assert not verdict.keep
    assert re.match(reason, verdict.reason), verdict.reason


def _frames(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 24, 32, 3), dtype=np.uint8)


def test_blank_fraction_threshold():
    frames = _frames()
    frames[:4] = (200, 0, 0)  # solid red counts as blank too
    scores = F.score({"width": 320, "height": 240, "frames": frames})
    assert scores["quality_blank_fraction"] == 0.5 and F.decide(scores) is None  # half is allowed
    frames[4] = 0
    scores = F.score({"width": 320, "height": 240, "frames": frames})
    assert F.decide(scores) == "blank: 5/8 frames near-uniform"


def test_portrait_and_rethresholding_from_stored_scores():
    scores = F.score({"width": 64, "height": 96, "frames": _frames()})
    assert F.decide(scores) == "resolution 64x96: short side 64 < 128"
    # Score, then decide: new thresholds apply to the stored scores, no frames needed.
    assert VisualQualityFilter(QualityConfig(min_short_side=64)).decide(scores) is None
    portrait = F.score({"width": 1080, "height": 1920, "frames": _frames()})
    assert F.decide(portrait) is None
    assert F.decide(F.score({"width": 100, "height": 640, "frames": _frames()})).startswith("aspect ratio 0.16")


def test_static_threshold_and_single_frame():
    still = np.repeat(_frames(1), 8, axis=0)
    scores = F.score({"width": 320, "height": 240, "frames": still})
    assert scores["quality_motion"] == 0.0 and F.decide(scores) == "static: motion 0.0 < 2.0"
    assert VisualQualityFilter(QualityConfig(static_threshold=0)).decide(scores) is None
    one = F.score({"width": 320, "height": 240, "frames": _frames(1)})
    assert one["quality_motion"] is None and F.decide(one) is None


def test_missing_inputs_give_nulls():
    scores = F.score({"width": None, "height": None, "frames": None})
    assert scores["quality_short_side"] is None and scores["quality_frames"] == 0
    assert F.decide(scores) is None
    with pytest.raises(ValueError):
        F.score({"width": 320, "height": 240, "frames": np.zeros((8, 24, 32), np.uint8)})


def test_scores_fit_ledger_columns():
    scores = F.score({"width": 320, "height": 240, "frames": _frames()})
    assert [name for name, _ in F.columns] == list(scores)
    table = pa.table({name: pa.array([scores[name]], type=typ) for name, typ in F.columns})
    assert table.num_rows == 1
