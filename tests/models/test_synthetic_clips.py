"""Synthetic clip generator: deterministic, right shapes, captions name the rendered attributes."""
import numpy as np

from models.synthetic_clips import COLOURS, MOTIONS, SCENES, SHAPES, caption_for, caption_vocabulary, make_dataset


def test_shapes_and_determinism():
    frames, captions, attrs = make_dataset(12, seed=3)
    assert frames.shape == (12, 8, 64, 64, 3) and frames.dtype == np.uint8
    assert len(captions) == len(attrs) == 12
    again, captions2, _ = make_dataset(12, seed=3)
    assert np.array_equal(frames, again) and captions == captions2
    other, captions3, _ = make_dataset(12, seed=4)
    assert not np.array_equal(frames, other)
    small, _, _ = make_dataset(2, seed=0, frames=4, size=32)
    assert small.shape == (2, 4, 32, 32, 3)


def test_captions_name_attributes():
    _, captions, attrs = make_dataset(60, seed=1)
    vocab = set(caption_vocabulary())
    for caption, a in zip(captions, attrs):
        assert a["shape"] in SHAPES and a["colour"] in COLOURS and a["motion"] in MOTIONS and a["scene"] in SCENES
        assert caption == caption_for(a)
        assert a["colour"] in caption and a["shape"] in caption and a["motion"] in caption
        assert set(caption) <= vocab
    assert len(set(captions)) > 30


def test_motion_is_visible():
    frames, _, attrs = make_dataset(80, seed=2)
    change = np.abs(frames[:, -1].astype(int) - frames[:, 0].astype(int)).mean(axis=(1, 2, 3))
    static = np.array([a["motion"] == "静止不动" for a in attrs])
    moving = np.array([a["motion"] in ("向左移动", "向右移动", "向上移动", "向下移动", "放大") for a in attrs])
    assert static.any() and moving.any()
    assert change[moving].mean() > change[static].mean() + 1.0
