"""Clip-level image augmentation for video-language training, as in Youku-mPLUG: random resized crop (scale 0.5-1),
horizontal flip and RandAugment in training, short-side resize + center crop in evaluation, then CLIP normalisation.

Frame consistency: the T frames of a clip are one (T, 3, H, W) tensor, and torchvision.transforms.v2 draws one set
of random parameters per call and applies it to every leading batch index, so all frames get the same crop, flip and
RandAugment ops/magnitudes (tested). Independent per-frame crops would make the clip jitter and teach the model
nothing about motion. Ops that adapt to content (autocontrast, equalize) still measure each frame separately.

Determinism: the v2 transforms draw from torch's global generator, so ``TrainTransform`` seeds it from the caller's
per-sample seed inside ``torch.random.fork_rng`` (the global state is restored afterwards). A clip's augmentation is
then a function of that seed alone, not of which worker or in what order samples were processed, which is what
lets training resume exactly.
"""
from __future__ import annotations

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def frames_to_tensor(frames) -> torch.Tensor:
    """(T, H, W, 3) uint8 array -> (T, 3, H, W) uint8 tensor (a view when the input is a contiguous array)."""
    tensor = torch.as_tensor(frames)
    if tensor.dtype != torch.uint8 or tensor.ndim != 4 or tensor.shape[-1] != 3:
        raise ValueError(f"expected (T, H, W, 3) uint8 frames, got {tuple(tensor.shape)} {tensor.dtype}")
    return tensor.permute(0, 3, 1, 2)


def _normalize() -> v2.Compose:
    return v2.Compose([v2.ToDtype(torch.float32, scale=True), v2.Normalize(mean=CLIP_MEAN, std=CLIP_STD)])


def _check(frames: torch.Tensor) -> None:
    if frames.dtype != torch.uint8 or frames.ndim != 4 or frames.shape[1] != 3:
        raise ValueError(f"expected (T, 3, H, W) uint8 frames, got {tuple(frames.shape)} {frames.dtype}")


class TrainTransform:
    """(T, 3, H, W) uint8 + seed -> (T, 3, size, size) float32, the same random augmentation on every frame."""

    def __init__(self, size: int, *, scale: tuple[float, float] = (0.5, 1.0), flip: bool = True,
                 randaugment: bool = True, num_ops: int = 2, magnitude: int = 9) -> None:
        self.size = int(size)
        steps: list = [v2.RandomResizedCrop(self.size, scale=scale, antialias=True)]
        if flip:
            steps.append(v2.RandomHorizontalFlip())
        if randaugment:
            steps.append(v2.RandAugment(num_ops=num_ops, magnitude=magnitude))
        self.augment = v2.Compose(steps)
        self.normalize = _normalize()

    def __call__(self, frames: torch.Tensor, seed: int) -> torch.Tensor:
        _check(frames)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            out = self.augment(tv_tensors.Video(frames))
        return self.normalize(out).as_subclass(torch.Tensor).contiguous()


class EvalTransform:
    """(T, 3, H, W) uint8 -> (T, 3, size, size) float32: short side to ``size``, center crop, no randomness."""

    def __init__(self, size: int) -> None:
        self.size = int(size)
        self.transform = v2.Compose([v2.Resize(self.size, antialias=True), v2.CenterCrop(self.size), _normalize()])

    def __call__(self, frames: torch.Tensor, seed: int | None = None) -> torch.Tensor:
        _check(frames)
        return self.transform(tv_tensors.Video(frames)).as_subclass(torch.Tensor).contiguous()
