"""An image-text-contrastive (ITC) head for mPLUG-video: the paper's own remedy for its weak retrieval.

With the LLM frozen, mPLUG-video can only rank captions for a video by how likely the LLM finds them after the
visual prefix (R@1 ~7-8% against 38% for mPLUG-2). The head adds what retrieval needs: one space where a video and a
title are compared by a dot product. Video side: the abstractor's pooled query outputs (``MplugVideo.video_features``)
through a linear projection. Text side: the frozen LLM's last hidden states over the title alone (no video prefix,
so a caption is embedded once, independently of any video), mean-pooled over its tokens, through a two-layer MLP.
Both are L2-normalised; a learnable temperature scales the similarities (CLIP's init, capped at 100).

Loss: symmetric InfoNCE over the batch, gathered over all ranks under DDP so every GPU sees every negative. Clips
of one title in a batch (reposts, templated titles) are not negatives of each other: the targets spread over all
clips whose title tokens are identical. Only the head and the visual side learn; the LLM runs without gradients.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ContrastiveConfig:
    dim: int = 256          # joint embedding width
    weight: float = 1.0     # loss = captioning + weight * InfoNCE
    init_temperature: float = 0.07


class ContrastiveHead(nn.Module):
    def __init__(self, video_width: int, text_width: int, config: ContrastiveConfig) -> None:
        super().__init__()
        self.config = config
        self.video_proj = nn.Linear(video_width, config.dim)
        self.text_proj = nn.Sequential(nn.LayerNorm(text_width), nn.Linear(text_width, text_width), nn.GELU(),
                                       nn.Linear(text_width, config.dim))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / config.init_temperature)))

    def embed_video(self, pooled: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.video_proj(pooled.float()), dim=-1)

    def embed_text(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(B, L, H) LLM hidden states and (B, L) mask of the title tokens -> (B, dim) unit vectors."""
        weights = mask.to(hidden.dtype).unsqueeze(-1)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp_min(1.0)
        return F.normalize(self.text_proj(pooled.float()), dim=-1)

    def scale(self) -> torch.Tensor:
        return self.logit_scale.clamp(max=math.log(100.0)).exp()

    def loss(self, video: torch.Tensor, text: torch.Tensor, title_ids: torch.Tensor) -> torch.Tensor:
        """Symmetric InfoNCE of unit video and text embeddings (B, dim); ``title_ids`` (B, L) marks clips of one
        title, which share the target mass instead of being pushed apart."""
        video, text, title_ids = _gather(video), _gather(text), _gather_ids(title_ids)
        logits = self.scale() * video @ text.t()
        same = (title_ids[:, None, :] == title_ids[None, :, :]).all(-1).float()
        targets = same / same.sum(1, keepdim=True)
        return 0.5 * (_soft_ce(logits, targets) + _soft_ce(logits.t(), targets.t()))


def _soft_ce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return -(targets * F.log_softmax(logits, dim=1)).sum(1).mean()


def _world() -> int:
    return torch.distributed.get_world_size() if torch.distributed.is_available() and \
        torch.distributed.is_initialized() else 1


def _gather(x: torch.Tensor) -> torch.Tensor:
    """All ranks' rows, differentiable (each rank's gradient flows back to its own rows). Ranks may hold different
    numbers of rows (a skipped undecodable clip): rows are padded to the largest count, then dropped again."""
    world = _world()
    if world == 1:
        return x
    import torch.distributed as dist
    from torch.distributed.nn.functional import all_gather

    count = torch.tensor([x.shape[0]], device=x.device)
    counts = [torch.zeros_like(count) for _ in range(world)]
    dist.all_gather(counts, count)
    most = int(max(counts))
    padded = torch.cat([x, x.new_zeros((most - x.shape[0], *x.shape[1:]))], 0)
    valid = torch.cat([torch.arange(most, device=x.device) < c for c in counts])
    return torch.cat(all_gather(padded), 0)[valid]


def _gather_ids(ids: torch.Tensor) -> torch.Tensor:
    """Title token rows of all ranks, right-padded with -1 to one width."""
    if _world() == 1:
        return ids
    import torch.distributed as dist

    width = torch.tensor([ids.shape[1]], device=ids.device)
    dist.all_reduce(width, op=dist.ReduceOp.MAX)
    return _gather(F.pad(ids, (0, int(width) - ids.shape[1]), value=-1))
