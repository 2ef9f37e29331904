"""Clip augmentation: one set of random parameters for every frame of a clip, a deterministic function of the seed,
CLIP normalisation, and the global torch generator left as it was."""
import pytest
import torch

from training.augment import CLIP_MEAN, CLIP_STD, EvalTransform, TrainTransform, frames_to_tensor


def _clip(frames: int = 4, height: int = 48, width: int = 64, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (frames, 3, height, width), dtype=torch.uint8, generator=generator)


def test_identical_frames_stay_identical():
    transform = TrainTransform(32)
    clip = _clip(1).repeat(4, 1, 1, 1)
    for seed in range(25):  # crop, flip and every RandAugment op must be drawn once per clip
        out = transform(clip, seed)
        assert out.shape == (4, 3, 32, 32) and out.dtype == torch.float32
        assert all(torch.equal(out[0], out[t]) for t in range(1, 4)), seed


def test_different_frames_get_the_same_crop_and_flip():
    # A brightness ramp over time survives a shared crop/flip as the same ramp; per-frame crops would break it.
    transform = TrainTransform(32, randaugment=False)
    base = _clip(1, seed=3).clamp(max=200)
    clip = torch.cat([base + 10 * t for t in range(4)])
    std = torch.tensor(CLIP_STD).view(3, 1, 1)
    for seed in range(20):
        out = transform(clip, seed) * std
        for t in range(1, 4):
            assert torch.allclose(out[t] - out[0], torch.full_like(out[0], 10 * t / 255), atol=1.5 / 255), seed


def test_same_seed_same_output_different_seed_different():
    transform, clip = TrainTransform(32), _clip()
    assert torch.equal(transform(clip, 5), transform(clip, 5))
    outputs = [transform(clip, seed) for seed in range(6)]
    assert all(not torch.equal(outputs[0], other) for other in outputs[1:])


def test_global_generator_untouched():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    TrainTransform(32)(_clip(), 9)
    assert torch.equal(torch.rand(3), expected)


def test_eval_resizes_short_side_center_crops_and_normalises():
    transform = EvalTransform(24)
    clip = torch.full((2, 3, 48, 96), 128, dtype=torch.uint8)
    out = transform(clip)
    assert out.shape == (2, 3, 24, 24) and out.dtype == torch.float32
    expected = (128 / 255 - torch.tensor(CLIP_MEAN)) / torch.tensor(CLIP_STD)
    assert torch.allclose(out[0, :, 5, 5], expected, atol=1e-5)
    ramp = torch.arange(96, dtype=torch.uint8).view(1, 1, 1, 96).expand(1, 3, 48, 96).contiguous()
    centre = transform(ramp)[0, 0, 12]  # the middle half of the ramp, scaled down 2x
    assert centre.argmin() == 0 and centre.argmax() == 23
    assert torch.equal(transform(clip), transform(clip, seed=4))


def test_rejects_wrong_layout():
    with pytest.raises(ValueError):
        TrainTransform(32)(_clip().float(), 0)
    with pytest.raises(ValueError):
        EvalTransform(32)(_clip().permute(0, 2, 3, 1))
    assert frames_to_tensor(_clip().permute(0, 2, 3, 1).numpy()).shape == (4, 3, 48, 64)
