"""visual_safety's NSFW scores: per-class columns, the k-th-highest-frame score, and the decision from the ledger."""
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filters.visual_safety import NSFW_CLASSES, VisualSafetyConfig, VisualSafetyFilter, nsfw_scores
from schemas.ledger import COLUMNS

REFERENCE = Path(__file__).parents[1] / "models" / "nsfw_reference"


def _frames(*rows):
    """Per-frame probabilities from {class: p} dicts (the rest on neutral)."""
    out = np.zeros((len(rows), 5), np.float32)
    for i, row in enumerate(rows):
        for name, p in row.items():
            out[i, NSFW_CLASSES.index(name)] = p
        out[i, NSFW_CLASSES.index("neutral")] = 1 - sum(row.values())
    return out


def test_scores_are_ledger_columns_with_mean_and_max():
    scores = VisualSafetyFilter(VisualSafetyConfig()).score({"nsfw_probabilities": _frames({"porn": 0.2},
                                                                                           {"porn": 0.6})})
    assert set(scores) <= set(COLUMNS)
    assert scores["visual_nsfw_porn_mean"] == pytest.approx(0.4) and scores["visual_nsfw_porn_max"] == pytest.approx(0.6)
    assert scores["visual_nsfw_neutral_max"] == pytest.approx(0.8)
    assert scores["visual_unsafe_nsfw"] == pytest.approx(0.2)  # second-highest frame
    assert scores["visual_unsafe_zeroshot"] is None  # no encoder, no embeddings


def test_one_misfiring_frame_is_not_enough_but_two_are():
    cfg = VisualSafetyConfig()
    flt = VisualSafetyFilter.decider(cfg)
    one = nsfw_scores(_frames({"porn": 0.95}, {}, {}, {"sexy": 0.4}), cfg)
    assert flt.decide(one) is None
    two = nsfw_scores(_frames({"porn": 0.97}, {"hentai": 0.55, "porn": 0.4}, {}, {}), cfg)
    reason = flt.decide(two)
    assert reason and reason.startswith("NSFW classifier: unsafe 0.95 > 0.90") and "porn p=0.97" in reason
    assert VisualSafetyFilter.decider(VisualSafetyConfig(nsfw_min_frames=1)).decide(
        nsfw_scores(_frames({"porn": 0.95}), VisualSafetyConfig(nsfw_min_frames=1)))


def test_sexy_counts_at_its_weight_and_the_switch_turns_the_decision_off():
    frames = _frames({"sexy": 0.95}, {"sexy": 0.95})
    assert nsfw_scores(frames, VisualSafetyConfig())["visual_unsafe_nsfw"] == pytest.approx(0.475)
    strict = VisualSafetyConfig(nsfw_sexy_weight=1.0)
    scores = nsfw_scores(frames, strict)
    assert VisualSafetyFilter.decider(strict).decide(scores)
    assert VisualSafetyFilter.decider(VisualSafetyConfig(nsfw_sexy_weight=1.0, nsfw=False)).decide(scores) is None


def test_real_photographs_are_kept_by_the_real_classifier():
    from models.nsfw_classifier import NsfwClassifier

    ref = json.loads((REFERENCE / "reference.json").read_text())
    photos = [name for name in sorted(ref["images"]) if "frame" not in name]
    frames = np.stack([np.asarray(Image.open(REFERENCE / name).convert("RGB")) for name in photos])
    probs = NsfwClassifier(device="cpu", precision="fp32").probabilities(frames)
    flt = VisualSafetyFilter(VisualSafetyConfig())
    scores = flt.score({"nsfw_probabilities": probs})
    assert scores["visual_nsfw_neutral_mean"] > 0.9 and scores["visual_unsafe_nsfw"] < 0.05
    assert flt.decide(scores) is None
