"""nsfwjs's MobileNetV2 NSFW classifier (Drawing / Hentai / Neutral / Porn / Sexy) rebuilt in PyTorch.

The network is Keras's MobileNetV2 (alpha 1.0, 224 px) with nsfwjs's head: AveragePool 7 -> Dense 256 (ReLU) ->
Dense 128 (ReLU) -> Dense 5 (softmax). It is written out here rather than borrowed from torchvision because Keras pads
stride-2 convolutions asymmetrically (one pixel bottom/right, via ZeroPadding2D) where torchvision pads one pixel on
every side: same weights, different outputs. Input follows nsfwjs exactly: RGB / 255 (no mean/std), resized to
224x224 with bilinear, corner-aligned interpolation.

Weights: ``models/nsfw_mobilenet_v2/weights.npz`` (MIT, see LICENSE and PROVENANCE.md there), written once by
``models/convert_nsfwjs.py``. They are stored uint8-quantised as nsfwjs ships them, with each tensor's (min, scale),
and dequantised here exactly as TF.js does, so the float weights are the ones the original model runs with.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from models.clip_model import _DTYPES, resolve_device, resolve_precision

NSFW_DIR = Path(__file__).resolve().parent / "nsfw_mobilenet_v2"
CLASSES: tuple[str, ...] = ("drawing", "hentai", "neutral", "porn", "sexy")
IMAGE_SIZE = 224
# (expansion, output channels, repeats, first stride) of MobileNetV2's inverted-residual stages
_STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


class ConvBN(nn.Module):
    """Conv (no bias) + BatchNorm (eps 1e-3, Keras's) + optional ReLU6; stride 2 pads bottom/right like Keras."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, relu: bool = True,
                 keras: tuple[str, str] = ("", "")) -> None:
        super().__init__()
        self.stride, self.relu, self.keras = stride, relu, keras
        padding = 0 if stride == 2 or kernel == 1 else kernel // 2
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 2:
            x = F.pad(x, (0, 1, 0, 1))
        x = self.bn(self.conv(x))
        return F.relu6(x) if self.relu else x

    def fold_batchnorm(self) -> None:
        """Inference only: the BatchNorm folded into the convolution's weight and bias (outputs change by ~1e-6)."""
        if isinstance(self.bn, nn.BatchNorm2d):
            self.conv, self.bn = fuse_conv_bn_eval(self.conv.eval(), self.bn.eval()), nn.Identity()


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expansion: int, name: str) -> None:
        super().__init__()
        hidden = cin * expansion
        self.expand = (ConvBN(cin, hidden, 1, keras=(f"{name}_expand", f"{name}_expand_BN"))
                       if expansion != 1 else None)
        self.depthwise = ConvBN(hidden, hidden, 3, stride, groups=hidden,
                                keras=(f"{name}_depthwise", f"{name}_depthwise_BN"))
        self.project = ConvBN(hidden, cout, 1, relu=False, keras=(f"{name}_project", f"{name}_project_BN"))
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.project(self.depthwise(self.expand(x) if self.expand is not None else x))
        return x + y if self.residual else y


class NsfwMobileNetV2(nn.Module):
    """(N, 3, 224, 224) float in [0, 1] -> (N, 5) class probabilities in ``CLASSES`` order."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = ConvBN(3, 32, 3, 2, keras=("Conv1", "bn_Conv1"))
        blocks, cin, index = [], 32, 0
        for expansion, cout, repeats, stride in _STAGES:
            for i in range(repeats):
                name = "expanded_conv" if index == 0 else f"block_{index}"
                blocks.append(InvertedResidual(cin, cout, stride if i == 0 else 1, expansion, name))
                cin, index = cout, index + 1
        self.blocks = nn.Sequential(*blocks)
        self.head_conv = ConvBN(cin, 1280, 1, keras=("Conv_1", "Conv_1_bn"))
        self.fc1, self.fc2, self.fc3 = nn.Linear(1280, 256), nn.Linear(256, 128), nn.Linear(128, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.head_conv(self.blocks(self.stem(x)))
        x = F.avg_pool2d(x, 7).flatten(1)
        x = F.relu(self.fc2(F.relu(self.fc1(x))))  # nsfwjs's dropouts are inactive at inference
        return torch.softmax(self.fc3(x), dim=1)

    def keras_names(self) -> dict[str, tuple[str, str]]:
        """state-dict key -> (Keras weight name, layout) for every parameter and BN statistic: how
        ``convert_nsfwjs`` maps the original weights. Layout says how to transpose the Keras array."""
        names: dict[str, tuple[str, str]] = {}
        bn_keys = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
                   "running_var": "moving_variance"}
        for prefix, module in self.named_modules():
            if isinstance(module, ConvBN):
                conv, bn = module.keras
                depthwise = module.conv.groups > 1
                names[f"{prefix}.conv.weight"] = (f"{conv}/{'depthwise_kernel' if depthwise else 'kernel'}",
                                                  "depthwise" if depthwise else "conv")
                for key, keras_key in bn_keys.items():
                    names[f"{prefix}.bn.{key}"] = (f"{bn}/{keras_key}", "vector")
        for ours, theirs in (("fc1", "dense_1"), ("fc2", "dense_2"), ("fc3", "dense_3")):
            names[f"{ours}.weight"] = (f"{theirs}/kernel", "dense")
            names[f"{ours}.bias"] = (f"{theirs}/bias", "vector")
        return names


def to_torch_layout(array: np.ndarray, layout: str) -> np.ndarray:
    """A Keras weight array in PyTorch's layout: conv (kh, kw, in, out) -> (out, in, kh, kw); depthwise
    (kh, kw, in, 1) -> (in, 1, kh, kw); dense (in, out) -> (out, in)."""
    if layout == "conv":
        return array.transpose(3, 2, 0, 1)
    if layout == "depthwise":
        return array.transpose(2, 3, 0, 1)
    if layout == "dense":
        return array.T
    return array


def dequantize(values: np.ndarray, minimum: float, scale: float) -> np.ndarray:
    """TF.js's uint8 dequantisation (``q * scale + min``, in float64, stored as float32)."""
    return (values.astype(np.float64) * scale + minimum).astype(np.float32)


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """The float32 state dict from a quantised weights file: arrays ``q:<key>`` (uint8, PyTorch layout) and
    ``range:<key>`` (float64 [min, scale])."""
    state = {}
    with np.load(path, allow_pickle=False) as data:
        for name in data.files:
            if name.startswith("q:"):
                key = name[2:]
                minimum, scale = data[f"range:{key}"].tolist()
                state[key] = torch.from_numpy(np.ascontiguousarray(dequantize(data[name], minimum, scale)))
    return state


def preprocess(frames: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 RGB -> (N, 3, 224, 224) float32, as nsfwjs's ``infer`` does: divide by 255, then
    (when not already 224x224) resize bilinear with aligned corners."""
    x = torch.from_numpy(np.ascontiguousarray(frames)).to(torch.float32).div_(255.0).permute(0, 3, 1, 2)
    if x.shape[-2:] != (IMAGE_SIZE, IMAGE_SIZE):
        x = F.interpolate(x, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=True)
    return x


class NsfwClassifier:
    """The loaded classifier: ``probabilities(frames)`` in batches on the configured device and precision.

    For inference the BatchNorms are folded into the convolutions and activations kept channels-last: together
    about 2x the frames/s on one CPU core (docs/BENCHMARKS.md). Small batches (4) run fastest on CPU, where a
    batch's activations then stay in cache; on a GPU use larger ones.
    """

    def __init__(self, weights: str | Path = NSFW_DIR / "weights.npz", device: str = "auto",
                 precision: str = "auto") -> None:
        weights = Path(weights)
        if not weights.is_file():
            raise FileNotFoundError(f"NSFW classifier weights not found: {weights}")
        self.device = resolve_device(device)
        self.dtype = _DTYPES[resolve_precision(precision, self.device)]
        model = NsfwMobileNetV2()
        model.load_state_dict(load_state_dict(weights))
        model.eval()
        for module in model.modules():
            if isinstance(module, ConvBN):
                module.fold_batchnorm()
        self.model = model.to(self.device, self.dtype, memory_format=torch.channels_last)
        self.fingerprint = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]

    def probabilities(self, frames: np.ndarray, batch_size: int = 4) -> np.ndarray:
        """(N, H, W, 3) uint8 RGB frames -> (N, 5) float32 probabilities in ``CLASSES`` order."""
        frames = np.asarray(frames)
        return self.probabilities_many([frames[None] if frames.ndim == 3 else frames], batch_size)[0]

    def probabilities_many(self, videos: list[np.ndarray], batch_size: int = 4) -> list[np.ndarray]:
        """Per video, (N_i, 5) probabilities; the frames of all videos (any sizes) run in shared batches.

        Reproducible to the bit whatever the chunking: every batch is padded to ``batch_size`` (oneDNN picks its
        kernels by batch size, so a short last batch computes the same frame differently) and on CPU the model runs
        on one intra-op thread (a second thread splits the sums differently). Workers run one per core anyway.
        """
        if not videos:
            return []
        out = []
        threads = torch.get_num_threads()
        if self.device == "cpu":
            torch.set_num_threads(1)  # the resize too: its float sums also split by thread
        try:
            x = torch.cat([preprocess(frames) for frames in videos])
            total = len(x)
            if total % batch_size:
                x = torch.cat([x, x.new_zeros((batch_size - total % batch_size, *x.shape[1:]))])
            with torch.inference_mode():
                for start in range(0, len(x), batch_size):
                    batch = x[start:start + batch_size].to(self.device, self.dtype, memory_format=torch.channels_last)
                    out.append(self.model(batch).float().cpu().numpy())
        finally:
            torch.set_num_threads(threads)
        probs = np.concatenate(out)[:total] if out else np.zeros((0, len(CLASSES)), np.float32)
        return np.split(probs, np.cumsum([len(frames) for frames in videos])[:-1])
