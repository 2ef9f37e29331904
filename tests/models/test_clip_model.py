"""load_clip: the committed tiny checkpoint through the real loading code, spec forms, device/precision resolution."""
import json
import time

import numpy as np
import pytest
import torch

from models import clip_model
from models.clip_model import (TINY_CLIP_DIR, ClipLoadError, load_clip, normalize_spec, resolve_device,
                               resolve_precision, sha256_file)
from models.synthetic_clips import make_dataset


@pytest.fixture(scope="module")
def bundle():
    return load_clip(TINY_CLIP_DIR, device="cpu")


def test_committed_files():
    for name in ("model.pt", "model_config.json", "vocab.json", "metrics.json"):
        assert (TINY_CLIP_DIR / name).is_file(), name
    assert (TINY_CLIP_DIR / "model.pt").stat().st_size < 10 * 1024 * 1024
    metrics = json.loads((TINY_CLIP_DIR / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["heldout_auc"] >= 0.9
    assert metrics["checkpoint_sha256"] == sha256_file(TINY_CLIP_DIR / "model.pt")


def test_embeddings_shape_and_norm(bundle):
    frames, captions, _ = make_dataset(3, seed=11)
    img = bundle.embed_images(frames.reshape(-1, 64, 64, 3), batch_size=5)
    txt = bundle.embed_texts(captions, batch_size=2)
    assert img.shape == (24, bundle.embed_dim) and txt.shape == (3, bundle.embed_dim) and bundle.embed_dim == 128
    assert img.dtype == np.float32 and txt.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(img, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(txt, axis=1), 1.0, atol=1e-5)
    assert bundle.device == "cpu" and bundle.dtype == torch.float32
    assert bundle.fingerprint == sha256_file(TINY_CLIP_DIR / "model.pt")
    # batching does not change results; a single (H, W, 3) frame is a batch of one
    np.testing.assert_allclose(bundle.embed_images(frames[0]), img[:8], atol=1e-5)
    np.testing.assert_allclose(bundle.embed_images(frames[0, 0]), img[:1], atol=1e-5)
    np.testing.assert_allclose(bundle.embed_texts(captions[0]), txt[:1], atol=1e-5)
    assert bundle.embed_images(np.zeros((0, 64, 64, 3), np.uint8)).shape == (0, 128)
    assert bundle.embed_texts([]).shape == (0, 128)


def test_preprocess_resizes_any_frame_size(bundle):
    frames = np.random.default_rng(0).integers(0, 256, size=(2, 120, 200, 3), dtype=np.uint8)
    assert bundle.preprocess_frames(frames).shape == (2, 3, 64, 64)
    assert bundle.embed_images(frames).shape == (2, 128)
    frames.flags.writeable = False  # decoders often return read-only buffers
    assert bundle.embed_images(frames).shape == (2, 128)
    with pytest.raises(ValueError):
        bundle.preprocess_frames(frames.astype(np.float32))


def test_spec_forms_agree(bundle, tmp_path):
    explicit = {"kind": "open_clip", "arch": "tiny", "checkpoint": str(TINY_CLIP_DIR / "model.pt"),
                "model_config": json.loads((TINY_CLIP_DIR / "model_config.json").read_text(encoding="utf-8")),
                "tokenizer": str(TINY_CLIP_DIR / "vocab.json")}
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(explicit), encoding="utf-8")
    # hub-style open_clip_config.json ({"model_cfg": ..., "preprocess_cfg": ...}) is accepted too
    hub_cfg = tmp_path / "open_clip_config.json"
    hub_cfg.write_text(json.dumps({"model_cfg": explicit["model_config"], "preprocess_cfg": {}}), encoding="utf-8")
    texts = ["红色圆形在草地上向右移动"]
    ref = bundle.embed_texts(texts)
    for spec in (explicit, str(spec_file), json.dumps(explicit), dict(explicit, model_config=str(hub_cfg))):
        other = load_clip(spec, device="cpu")
        np.testing.assert_allclose(other.embed_texts(texts), ref, atol=1e-6)
        assert other.fingerprint == bundle.fingerprint


def test_load_errors(tmp_path):
    with pytest.raises(ClipLoadError, match="checkpoint not found"):
        load_clip(dict(normalize_spec(TINY_CLIP_DIR), checkpoint=str(tmp_path / "missing.pt")), device="cpu")
    with pytest.raises(ClipLoadError, match="unknown CLIP kind"):
        load_clip({"kind": "siglip"}, device="cpu")
    with pytest.raises(ClipLoadError, match="unrecognised"):
        load_clip(str(tmp_path / "nothing-here"), device="cpu")
    with pytest.raises(ClipLoadError, match="not built in"):
        load_clip({"kind": "open_clip", "arch": "no-such-arch"}, device="cpu")


def test_chinese_clip_offline_error_is_clear():
    name = "OFA-Sys/chinese-clip-vit-base-patch16"
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(name, "config.json"), str):
        pytest.skip("Chinese-CLIP is in the local HF cache")
    start = time.perf_counter()
    with pytest.raises(ClipLoadError, match="Chinese-CLIP"):
        load_clip({"kind": "chinese_clip", "name_or_path": name}, device="cpu")
    assert time.perf_counter() - start < 20  # HF_HUB_OFFLINE=1 (tests/conftest.py): no hub wait


def test_auto_device_and_precision(monkeypatch):
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu" and resolve_device("cuda:1") == "cuda:1"
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("auto", "cuda") == "fp16" and resolve_precision("auto", "cuda:0") == "fp16"
    assert resolve_precision("bf16", "cpu") == "bf16"
    with pytest.raises(ValueError):
        resolve_precision("fp8", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    seen = {}
    monkeypatch.setattr(clip_model, "_load_open_clip", lambda spec, device, precision: seen.update(
        device=device, precision=precision))
    load_clip(TINY_CLIP_DIR)  # the same code path picks cuda + fp16 when a GPU is present
    assert seen == {"device": "cuda", "precision": "fp16"}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    load_clip(TINY_CLIP_DIR)
    assert seen == {"device": "cpu", "precision": "fp32"}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU here")
def test_cuda_fp16_matches_cpu(bundle):
    gpu = load_clip(TINY_CLIP_DIR)
    assert gpu.device == "cuda" and gpu.dtype == torch.float16
    frames, captions, _ = make_dataset(4, seed=5)
    np.testing.assert_allclose(gpu.embed_images(frames[:, 0]), bundle.embed_images(frames[:, 0]), atol=2e-2)
    np.testing.assert_allclose(gpu.embed_texts(captions), bundle.embed_texts(captions), atol=2e-2)
