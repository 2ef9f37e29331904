import hashlib

import numpy as np
import pytest

from filters.base import apply
from filters.visual_safety import (VisualSafetyConfig, VisualSafetyFilter, load_safety_head, train_safety_head,
                                   video_embedding)

DIM = 64


class FakeEncoder:
    """``embed_texts`` maps each text to a fixed random unit vector (seeded by a hash of the text)."""

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim
        self.calls = 0

    def vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim)
        return (v / np.linalg.norm(v)).astype(np.float32)

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.stack([self.vector(t) for t in texts])


def unit(x):
    x = np.asarray(x, np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def frames_near(vector, n=8, noise=0.15, seed=0):
    """n frame embeddings close to ``vector`` (cosine ~0.99)."""
    rng = np.random.default_rng(seed)
    return unit(vector[None, :] + noise * rng.standard_normal((n, len(vector))) / np.sqrt(len(vector)))


@pytest.fixture
def encoder():
    return FakeEncoder()


def test_safe_video_is_kept(encoder):
    flt = VisualSafetyFilter(VisualSafetyConfig(), encoder)
    verdict = apply(flt, {"frame_embeddings": frames_near(encoder.vector("风景"))})
    assert verdict.keep
    assert verdict.scores["visual_unsafe_zeroshot"] < 0.01
    assert verdict.scores["visual_unsafe_term"] in VisualSafetyConfig().unsafe_prompts
    assert verdict.scores["visual_unsafe_head"] is None
    assert set(verdict.scores) == {name for name, _ in flt.columns}


def test_one_unsafe_frame_is_enough(encoder):
    frames = unit(np.random.default_rng(7).standard_normal((8, DIM)))  # content close to no prompt
    frames[3] = frames_near(encoder.vector("毒品"), n=1, seed=1)[0]  # max over frames, not mean
    flt = VisualSafetyFilter(VisualSafetyConfig(), encoder)
    verdict = apply(flt, {"frame_embeddings": frames})
    assert verdict.scores["visual_unsafe_zeroshot"] > 0.99
    assert verdict.scores["visual_unsafe_term"] == "毒品"
    assert verdict.stage == "visual_safety"
    assert "毒品" in verdict.reason and "> 0.50" in verdict.reason


def test_best_safe_and_unsafe_frames_compete(encoder):
    """Per prompt the best frame counts: a frame matching a safe prompt as well as another matches an unsafe one
    splits the mass (~0.5), so such a video sits at the default threshold; a head trained on real data decides it."""
    frames = frames_near(encoder.vector("美食"))
    frames[3] = frames_near(encoder.vector("毒品"), n=1, seed=1)[0]
    score = VisualSafetyFilter(VisualSafetyConfig(), encoder).score({"frame_embeddings": frames})
    assert 0.2 < score["visual_unsafe_zeroshot"] < 0.8 and score["visual_unsafe_term"] == "毒品"


def test_english_prompt_and_threshold(encoder):
    flt = VisualSafetyFilter(VisualSafetyConfig(), encoder)
    scores = flt.score({"frame_embeddings": frames_near(encoder.vector("graphic violence"))})
    assert scores["visual_unsafe_term"] == "graphic violence"
    strict = VisualSafetyFilter(VisualSafetyConfig(threshold=1.0), encoder)
    assert strict.decide(scores) is None  # only strictly above the threshold rejects


def test_prompts_embedded_once(encoder):
    flt = VisualSafetyFilter(VisualSafetyConfig(), encoder)
    assert encoder.calls == 0  # lazily, on first use
    for seed in range(3):
        flt.score({"frame_embeddings": frames_near(encoder.vector("风景"), seed=seed)})
    assert encoder.calls == 1
    assert flt.prompt_embeddings.shape == (18, DIM)


def test_missing_or_empty_frames_are_kept(encoder):
    flt = VisualSafetyFilter(VisualSafetyConfig(), encoder)
    for record in ({}, {"frame_embeddings": None}, {"frame_embeddings": np.zeros((0, DIM), np.float32)}):
        verdict = apply(flt, record)
        assert verdict.keep and verdict.scores["visual_unsafe_zeroshot"] is None


def test_single_vector_counts_as_one_frame(encoder):
    flt = VisualSafetyFilter(VisualSafetyConfig(), encoder)
    assert flt.score({"frame_embeddings": encoder.vector("色情画面")})["visual_unsafe_term"] == "色情画面"


def test_dimension_mismatch_is_an_error(encoder):
    flt = VisualSafetyFilter(VisualSafetyConfig(), encoder)
    with pytest.raises(ValueError, match="dim"):
        flt.score({"frame_embeddings": np.ones((2, DIM + 1), np.float32)})


def test_needs_encoder_or_head():
    with pytest.raises(ValueError, match="encoder"):
        VisualSafetyFilter(VisualSafetyConfig(nsfw=False))
    assert VisualSafetyFilter(VisualSafetyConfig()).encoder is None  # the NSFW classifier alone is enough
    with pytest.raises(ValueError, match="not found"):
        VisualSafetyFilter(VisualSafetyConfig(head_path="/nonexistent/head.npz"), FakeEncoder())


def labelled_videos(n, seed, dim=DIM):
    """Synthetic per-video embeddings: unsafe ones lean towards one hidden direction, safe ones towards another."""
    rng = np.random.default_rng(seed)
    directions = unit(np.random.default_rng(123).standard_normal((2, dim)))
    labels = (rng.random(n) < 0.3).astype(np.int64)
    x = rng.standard_normal((n, dim)) / np.sqrt(dim) + 0.35 * directions[labels]
    return unit(x), labels


def auc(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    return float((pos[:, None] > neg[None, :]).mean())


def test_head_separates_held_out_videos(tmp_path):
    x, y = labelled_videos(400, seed=1)
    report = train_safety_head(x, y, tmp_path / "head.npz")
    assert report["dim"] == DIM and report["n_train"] + report["n_valid"] == 400
    assert report["valid_auc"] >= 0.95
    weight, bias, meta = load_safety_head(tmp_path / "head.npz")
    assert weight.shape == (DIM,) and meta["n_unsafe"] == int(y.sum())
    x_test, y_test = labelled_videos(300, seed=2)
    flt = VisualSafetyFilter(VisualSafetyConfig(head_path=str(tmp_path / "head.npz")))  # head alone, no encoder
    # each held-out "video" is 4 frames scattered around its embedding; the head sees their re-normalised mean
    probs = np.array([flt.score({"frame_embeddings": frames_near(v, n=4, noise=0.05, seed=i)})["visual_unsafe_head"]
                      for i, v in enumerate(x_test)])
    assert auc(probs, y_test) >= 0.95
    assert ((probs > 0.5) == (y_test == 1)).mean() >= 0.9
    scores = flt.score({"frame_embeddings": x_test[:1]})
    assert scores["visual_unsafe_zeroshot"] is None and scores["visual_unsafe_term"] is None


def test_head_decides_zero_shot_is_recorded(tmp_path, encoder):
    x, y = labelled_videos(200, seed=3)
    train_safety_head(x, y, tmp_path / "head.npz")
    flt = VisualSafetyFilter(VisualSafetyConfig(head_path=str(tmp_path / "head.npz")), encoder)
    scores = flt.score({"frame_embeddings": frames_near(encoder.vector("赌博现场"))})
    assert scores["visual_unsafe_zeroshot"] > 0.99 and scores["visual_unsafe_head"] is not None
    assert flt.decide({**scores, "visual_unsafe_head": 0.2}) is None  # the head overrides zero-shot
    reason = flt.decide({**scores, "visual_unsafe_head": 0.9})
    assert "head p=0.90" in reason and "赌博现场" in reason
    assert flt.decide({"visual_unsafe_zeroshot": 0.2, "visual_unsafe_head": None}) is None
    head_only = VisualSafetyFilter(VisualSafetyConfig(head_path=str(tmp_path / "head.npz")))
    with pytest.raises(ValueError, match="expects"):
        head_only.score({"frame_embeddings": np.ones((2, DIM + 1), np.float32)})


def test_video_embedding_is_unit_mean():
    frames = unit(np.eye(4, dtype=np.float32)[:2])
    np.testing.assert_allclose(video_embedding(frames), [2 ** -0.5, 2 ** -0.5, 0, 0], atol=1e-6)


def test_train_head_rejects_bad_labels(tmp_path):
    x, _ = labelled_videos(20, seed=4)
    with pytest.raises(ValueError, match="both"):
        train_safety_head(x, np.zeros(20), tmp_path / "h.npz")
    with pytest.raises(ValueError, match="0 .safe. or 1"):
        train_safety_head(x, np.full(20, 2), tmp_path / "h.npz")
    with pytest.raises(ValueError, match="n labels"):
        train_safety_head(x, np.zeros(19), tmp_path / "h.npz")


def test_head_file_name_is_kept(tmp_path):
    x, y = labelled_videos(60, seed=5)
    report = train_safety_head(x, y, tmp_path / "safety.head")
    assert (tmp_path / "safety.head").is_file() and report["output_path"].endswith("safety.head")


def test_zero_shot_does_not_run_when_the_model_cannot_read_the_prompts():
    from filters.category_check import CategoryCheckFilter
    from filters.visual_safety import VisualSafetyFilter
    from pipeline.config import CategoryConfig, VisualSafetyConfig

    class Unreadable:  # like the tiny CLIP shown words outside its closed character vocabulary
        def readable(self, texts):
            return 0.1

        def embed_texts(self, texts):
            raise AssertionError("prompts must not be embedded")

    frames = np.ones((4, 8), np.float32) / np.sqrt(8)
    safety = VisualSafetyFilter(VisualSafetyConfig(), Unreadable())
    scores = safety.score({"frame_embeddings": frames})
    assert scores["visual_unsafe_zeroshot"] is None and safety.decide(scores) is None
    category = CategoryCheckFilter(CategoryConfig(), Unreadable())
    scores = category.score({"frame_embeddings": frames, "title": "标题", "category": "游戏"})
    assert category.decide(scores) is None
