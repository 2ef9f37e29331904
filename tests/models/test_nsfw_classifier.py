"""The converted nsfwjs classifier against the original model's outputs (TF.js, stored once as a fixture)."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from models.nsfw_classifier import CLASSES, NSFW_DIR, NsfwClassifier, NsfwMobileNetV2, dequantize, preprocess

REFERENCE = Path(__file__).parent / "nsfw_reference"
PHOTOGRAPHS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry")


@pytest.fixture(scope="module")
def classifier():
    return NsfwClassifier(device="cpu", precision="fp32")


def _reference():
    ref = json.loads((REFERENCE / "reference.json").read_text())
    names = sorted(ref["images"])
    frames = np.stack([np.asarray(Image.open(REFERENCE / name).convert("RGB")) for name in names])
    return ref, names, frames


def test_outputs_equal_the_original_tfjs_model(classifier):
    ref, names, frames = _reference()
    assert [c.lower() for c in ref["classes"]] == list(CLASSES)
    assert len(names) >= 6
    probs = classifier.probabilities(frames, batch_size=3)  # several batches, one of them partial
    expected = np.array([ref["images"][name] for name in names], np.float32)
    assert probs.shape == expected.shape
    np.testing.assert_allclose(probs, expected, atol=1e-4, rtol=0)


def test_real_photographs_are_neutral(classifier):
    _, names, frames = _reference()
    probs = dict(zip(names, classifier.probabilities(frames)))
    for name in PHOTOGRAPHS:
        p = probs[f"{name}.png"]
        assert CLASSES[int(np.argmax(p))] == "neutral", (name, p)
    assert np.mean([probs[f"{n}.png"][CLASSES.index("neutral")] for n in PHOTOGRAPHS]) > 0.9


def test_every_weight_is_loaded_and_dequantised_like_tfjs():
    model = NsfwMobileNetV2()
    with np.load(NSFW_DIR / "weights.npz") as data:
        keys = {name[2:] for name in data.files if name.startswith("q:")}
        q, (minimum, scale) = data["q:fc3.bias"], data["range:fc3.bias"].tolist()
    assert keys == {k for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    assert dequantize(np.array([0, 255], np.uint8), -1.0, 2 / 255).tolist() == [-1.0, 1.0]
    assert dequantize(q, minimum, scale).shape == (5,)
    assert (NSFW_DIR / "LICENSE").read_text().startswith("MIT")


def test_preprocess_resizes_any_frame_to_224_in_unit_range():
    frames = np.full((2, 120, 200, 3), 255, np.uint8)
    x = preprocess(frames)
    assert x.shape == (2, 3, 224, 224) and x.dtype == torch.float32
    assert float(x.min()) == pytest.approx(1.0) and float(x.max()) == pytest.approx(1.0)


def test_reduced_precision_stays_close(classifier):
    _, _, frames = _reference()
    half = NsfwClassifier(device="cpu", precision="bf16")
    assert half.dtype == torch.bfloat16
    np.testing.assert_allclose(half.probabilities(frames[:2]), classifier.probabilities(frames[:2]), atol=0.05)
