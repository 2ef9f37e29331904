"""Tiny CLIP: AUC helper, held-out quality of the committed checkpoint, and an end-to-end training smoke run."""
import itertools
import json

import numpy as np
import pytest

from models.clip_model import TINY_CLIP_DIR, load_clip, sha256_file
from models.synthetic_clips import make_dataset
from models.train_clip import evaluate_auc, roc_auc, train_tiny_clip

TINY = {"vision_width": 64, "vision_layers": 1, "text_width": 64, "text_layers": 1, "embed_dim": 64}


def test_roc_auc_rank_sum():
    assert roc_auc([3, 4], [1, 2]) == 1.0
    assert roc_auc([1, 2], [3, 4]) == 0.0
    assert roc_auc([1, 1], [1, 1]) == 0.5
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 5, 30), rng.integers(0, 4, 25)  # many ties
    brute = np.mean([1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg)])
    assert roc_auc(pos, neg) == pytest.approx(brute)
    with pytest.raises(ValueError):
        roc_auc([], [1.0])


def test_committed_checkpoint_heldout_auc():
    bundle = load_clip(TINY_CLIP_DIR, device="cpu")
    frames, captions, _ = make_dataset(200, seed=20240611)  # training used seed 0, its own eval seed 1000003
    auc = evaluate_auc(bundle, frames, captions, seed=1)
    assert auc >= 0.9, auc


def test_training_smoke(tmp_path):
    metrics = train_tiny_clip(tmp_path / "a", samples=128, epochs=4, batch_size=32, eval_samples=32, lr=3e-3,
                              warmup_steps=2, model_overrides=TINY)
    for name in ("model.pt", "model_config.json", "vocab.json", "metrics.json"):
        assert (tmp_path / "a" / name).is_file()
    assert metrics["final_epoch_loss"] < metrics["first_epoch_loss"]
    assert len(metrics["epoch_losses"]) == 4 and metrics["steps"] == 16
    assert 0.0 <= metrics["heldout_auc"] <= 1.0
    assert json.loads((tmp_path / "a" / "metrics.json").read_text(encoding="utf-8")) == metrics
    bundle = load_clip(tmp_path / "a", device="cpu")
    assert bundle.embed_texts(["红色圆形"]).shape == (1, 64)
    # same seed -> the same weights
    again = train_tiny_clip(tmp_path / "b", samples=128, epochs=4, batch_size=32, eval_samples=32, lr=3e-3,
                            warmup_steps=2, model_overrides=TINY)
    assert again["checkpoint_sha256"] == metrics["checkpoint_sha256"] == sha256_file(tmp_path / "a" / "model.pt")
