"""TimeSformer-style video encoder (divided space-time attention) that starts out as an open_clip image ViT.

mPLUG-video trains a TimeSformer ViT-B/16 initialised from CLIP. Each block here runs, pre-LN and residual:
temporal attention across the T frames at each token position, then spatial attention within each frame, then the
MLP. The temporal branch's output projection and the temporal position embedding start at zero, so a freshly loaded
encoder computes exactly what the CLIP image tower computes frame by frame; video modelling is learnt from there.

Unlike the original TimeSformer (one video CLS token averaged across frames after every block), every frame keeps its
own CLS token all the way through, and the CLS position takes part in temporal attention like any patch position.
That is what makes the init-time equivalence with the image tower exact for multi-frame input.

Shapes: `forward_frames(video)` -> (B, T, 1 + N, width): per-frame [CLS; N patch tokens] after ln_post.
`forward(video)` -> (B, 1 + T*N, width): the video CLS (mean of the per-frame CLS tokens) first, then the patch
tokens frame-major (all of frame 0, then frame 1, ...). Input is (B, T, 3, H, W) float, already CLIP-normalised.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Mapping

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint


@dataclass
class VideoEncoderConfig:
    image_size: int = 224
    patch_size: int = 16
    width: int = 768
    layers: int = 12
    heads: int = 12
    mlp_ratio: float = 4.0
    num_frames: int = 16            # most frames a video may have (length of the temporal position embedding)
    quick_gelu: bool = False        # OpenAI CLIP weights were trained with QuickGELU; open_clip/LAION ones with GELU
    grad_checkpointing: bool = False  # recompute blocks in backward: ViT-B x 16 frames does not fit otherwise

    def __post_init__(self):
        if self.image_size % self.patch_size:
            raise ValueError(f"image_size {self.image_size} is not a multiple of patch_size {self.patch_size}")
        if self.width % self.heads:
            raise ValueError(f"width {self.width} is not divisible by heads {self.heads}")

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size


class QuickGELU(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class SelfAttention(nn.Module):
    """Multi-head self-attention on scaled_dot_product_attention, with nn.MultiheadAttention's parameter names so
    open_clip weights (in_proj_weight/bias, out_proj) copy over one to one."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * width))
        self.out_proj = nn.Linear(width, width)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, length, width = x.shape
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).view(n, length, 3, self.heads, -1).unbind(2)
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        return self.out_proj(out.transpose(1, 2).reshape(n, length, width))


class DividedSpaceTimeBlock(nn.Module):
    """Temporal attention (zero-initialised output) -> spatial attention -> MLP, each pre-LN with a residual."""

    def __init__(self, cfg: VideoEncoderConfig):
        super().__init__()
        w = cfg.width
        self.ln_t = nn.LayerNorm(w)
        self.temporal_attn = SelfAttention(w, cfg.heads)
        nn.init.zeros_(self.temporal_attn.out_proj.weight)
        nn.init.zeros_(self.temporal_attn.out_proj.bias)
        self.ln_1 = nn.LayerNorm(w)
        self.attn = SelfAttention(w, cfg.heads)
        self.ln_2 = nn.LayerNorm(w)
        hidden = int(w * cfg.mlp_ratio)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(w, hidden)),
                                              ("gelu", QuickGELU() if cfg.quick_gelu else nn.GELU()),
                                              ("c_proj", nn.Linear(hidden, w))]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, s, w = x.shape
        xt = x.transpose(1, 2).reshape(b * s, t, w)  # one sequence of T frames per token position
        xt = xt + self.temporal_attn(self.ln_t(xt))
        xs = xt.view(b, s, t, w).transpose(1, 2).reshape(b * t, s, w)  # one sequence of 1 + N tokens per frame
        xs = xs + self.attn(self.ln_1(xs))
        xs = xs + self.mlp(self.ln_2(xs))
        return xs.view(b, t, s, w)


class TimeSformer(nn.Module):
    """Video ViT with divided space-time attention; see the module docstring for shapes and token order."""

    def __init__(self, config: VideoEncoderConfig):
        super().__init__()
        self.config = cfg = config
        scale = cfg.width ** -0.5
        self.conv1 = nn.Conv2d(3, cfg.width, kernel_size=cfg.patch_size, stride=cfg.patch_size, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(cfg.width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(cfg.grid ** 2 + 1, cfg.width))
        self.temporal_embedding = nn.Parameter(torch.zeros(cfg.num_frames, cfg.width))
        self.ln_pre = nn.LayerNorm(cfg.width)
        self.blocks = nn.ModuleList(DividedSpaceTimeBlock(cfg) for _ in range(cfg.layers))
        self.ln_post = nn.LayerNorm(cfg.width)

    @property
    def width(self) -> int:
        return self.config.width

    def num_tokens(self, frames: int) -> int:
        return 1 + frames * self.config.grid ** 2

    def forward_frames(self, video: torch.Tensor) -> torch.Tensor:
        """(B, T, 3, H, W) -> (B, T, 1 + N, width): per-frame CLS and patch tokens after ln_post."""
        if video.ndim != 5:
            raise ValueError(f"expected video (B, T, 3, H, W), got shape {tuple(video.shape)}")
        b, t = video.shape[:2]
        if t > self.config.num_frames:
            raise ValueError(f"video has {t} frames; this encoder embeds at most num_frames={self.config.num_frames}")
        x = self.conv1(video.flatten(0, 1).to(self.conv1.weight.dtype))  # (B*T, width, g, g)
        x = x.flatten(2).transpose(1, 2)
        cls = self.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype)
        x = x.view(b, t, x.shape[1], x.shape[2]) + self.temporal_embedding[:t, None, :].to(x.dtype)
        x = self.ln_pre(x)
        for block in self.blocks:
            if self.config.grad_checkpointing and self.training and torch.is_grad_enabled():
                x = checkpoint(block, x, use_reentrant=False)
            else:
                x = block(x)
        return self.ln_post(x)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        """(B, T, 3, H, W) -> (B, 1 + T*N, width): [mean of per-frame CLS; frame-major patch tokens]."""
        x = self.forward_frames(video)
        return torch.cat([x[:, :, 0].mean(1, keepdim=True), x[:, :, 1:].flatten(1, 2)], dim=1)


@dataclass
class LoadReport:
    """What `load_open_clip_visual` copied, reshaped and left alone."""
    loaded: list[str] = field(default_factory=list)         # encoder parameters given CLIP weights
    interpolated: list[str] = field(default_factory=list)   # of those, resized (positional embedding)
    temporal_from_spatial: list[str] = field(default_factory=list)  # temporal q/k/v + LN copied from spatial
    not_loaded: list[str] = field(default_factory=list)     # encoder parameters left at their own init
    unused: list[str] = field(default_factory=list)         # source visual keys with no counterpart (e.g. proj)

    def summary(self) -> str:
        return (f"loaded {len(self.loaded)} tensors ({len(self.interpolated)} interpolated), temporal q/k/v from "
                f"spatial: {len(self.temporal_from_spatial)}, left at init: {len(self.not_loaded)}, "
                f"unused source keys: {', '.join(self.unused) or 'none'}")


def _visual_state(source: nn.Module | Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    if isinstance(source, nn.Module):
        source = getattr(source, "visual", source).state_dict()
    keys = list(source)
    if any(k.startswith("visual.") for k in keys):  # a whole CLIP state dict: keep the image tower
        return {k[len("visual."):]: v for k, v in source.items() if k.startswith("visual.")}
    return dict(source)


def _resize_positional(pos: torch.Tensor, grid: int) -> torch.Tensor:
    """(1 + g*g, w) -> (1 + grid*grid, w) by bicubic interpolation of the patch part (CLS position kept)."""
    src = int(math.isqrt(pos.shape[0] - 1))
    if src * src != pos.shape[0] - 1:
        raise ValueError(f"positional embedding of {pos.shape[0]} rows is not 1 + a square grid")
    patches = pos[1:].float().reshape(1, src, src, -1).permute(0, 3, 1, 2)
    patches = F.interpolate(patches, size=(grid, grid), mode="bicubic", align_corners=False)
    return torch.cat([pos[:1].float(), patches.permute(0, 2, 3, 1).reshape(grid * grid, -1)]).to(pos.dtype)


def source_uses_quick_gelu(source: nn.Module | Mapping[str, torch.Tensor]) -> bool | None:
    """Whether an open_clip model's image tower uses QuickGELU; None when it cannot tell (a state dict)."""
    visual = getattr(source, "visual", source) if isinstance(source, nn.Module) else None
    blocks = getattr(getattr(visual, "transformer", None), "resblocks", None)
    act = getattr(getattr(blocks[0], "mlp", None), "gelu", None) if blocks else None
    return None if act is None else type(act).__name__ == "QuickGELU"


def load_open_clip_visual(encoder: TimeSformer, source: nn.Module | Mapping[str, torch.Tensor], *,
                          temporal_from_spatial: bool = True) -> LoadReport:
    """Copy an open_clip VisionTransformer (a CLIP model, its .visual, or either's state dict) into the spatial
    branch of `encoder`; the temporal branch keeps its zero output projection, so outputs match CLIP per frame.

    With temporal_from_spatial the temporal q/k/v and LayerNorm start as copies of the spatial ones (TimeSformer's
    recipe: temporal attention then begins with meaningful similarities once its output projection moves off zero).
    Raises ValueError on any shape mismatch other than the positional grid, which is interpolated, and on an
    activation mismatch (QuickGELU vs GELU) when the source is a module; a bare state dict cannot tell, so there the
    encoder config's quick_gelu must be right.
    """
    cfg = encoder.config
    state = _visual_state(source)
    quick = source_uses_quick_gelu(source)
    if quick is not None and quick != cfg.quick_gelu:
        raise ValueError(f"activation mismatch: source uses {'QuickGELU' if quick else 'GELU'}, encoder config has "
                         f"quick_gelu={cfg.quick_gelu}")
    blocks_in_source = {int(k.split(".")[2]) for k in state if k.startswith("transformer.resblocks.")}
    if len(blocks_in_source) != cfg.layers:
        raise ValueError(f"source has {len(blocks_in_source)} transformer blocks, encoder has {cfg.layers}")
    mapping = {k: k for k in ("conv1.weight", "class_embedding", "positional_embedding", "ln_pre.weight",
                              "ln_pre.bias", "ln_post.weight", "ln_post.bias")}
    for i in range(cfg.layers):
        for name in ("ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight",
                     "attn.out_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                     "mlp.c_proj.weight", "mlp.c_proj.bias"):
            mapping[f"blocks.{i}.{name}"] = f"transformer.resblocks.{i}.{name}"
    own = encoder.state_dict()
    report = LoadReport()
    new = {}
    for dst, src in mapping.items():
        if src not in state:
            raise ValueError(f"source has no {src!r}: not an open_clip VisionTransformer state dict?")
        value = state[src]
        if dst == "positional_embedding" and value.shape != own[dst].shape and value.shape[1:] == own[dst].shape[1:]:
            value = _resize_positional(value, cfg.grid)
            report.interpolated.append(dst)
        if value.shape != own[dst].shape:
            raise ValueError(f"shape mismatch for {dst}: source {src} is {tuple(value.shape)}, "
                             f"encoder expects {tuple(own[dst].shape)}")
        new[dst] = value
        report.loaded.append(dst)
    if temporal_from_spatial:
        for i in range(cfg.layers):
            for t_name, s_name in (("ln_t.weight", "ln_1.weight"), ("ln_t.bias", "ln_1.bias"),
                                   ("temporal_attn.in_proj_weight", "attn.in_proj_weight"),
                                   ("temporal_attn.in_proj_bias", "attn.in_proj_bias")):
                new[f"blocks.{i}.{t_name}"] = new[f"blocks.{i}.{s_name}"]
                report.temporal_from_spatial.append(f"blocks.{i}.{t_name}")
    with torch.no_grad():
        for name, value in new.items():
            own[name].copy_(value.to(own[name].dtype))
    report.not_loaded = sorted(set(own) - set(new))
    report.unused = sorted(set(state) - set(mapping.values()))
    return report
