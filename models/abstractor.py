"""Visual abstractor: a fixed number of learnable queries summarise a long video token sequence for the LLM.

A ViT-B/16 on 16 frames emits 3,137 tokens; feeding those to a 1B-parameter LLM as a prefix would cost far more than
the title it is asked to write. mPLUG-video (after mPLUG-Owl) compresses them with 128 learnable queries and a single
cross-attention layer, then projects the result to the LLM's embedding width.

Each layer is pre-LN with residuals: the queries attend to the concatenation [visual tokens; queries] (keys and
values, as in mPLUG-Owl's abstractor, so a query can also look at the other queries), then a 4x MLP. A final
LayerNorm follows the last layer; `proj` maps width -> the LLM hidden size. `encode` returns the queries before the
projection (what a linear probe should read), `forward` after it (what the LLM reads).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class AbstractorConfig:
    num_queries: int = 128
    width: int = 768
    layers: int = 1
    heads: int = 12
    mlp_ratio: float = 4.0
    vision_width: int | None = None  # width of the incoming visual tokens; None = same as width (no input map)
    output_dim: int | None = None    # LLM hidden size; None = no projection (width out)

    def __post_init__(self):
        if self.width % self.heads:
            raise ValueError(f"abstractor width {self.width} is not divisible by heads {self.heads}")
        if self.num_queries < 1 or self.layers < 1:
            raise ValueError("abstractor needs at least one query and one layer")


class CrossAttention(nn.Module):
    """Multi-head attention of queries over a separate key/value sequence (scaled_dot_product_attention)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.kv_proj = nn.Linear(width, 2 * width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, queries: torch.Tensor, context: torch.Tensor,
                context_mask: torch.Tensor | None = None) -> torch.Tensor:
        b, nq, w = queries.shape
        q = self.q_proj(queries).view(b, nq, self.heads, -1).transpose(1, 2)
        k, v = self.kv_proj(context).view(b, context.shape[1], 2, self.heads, -1).unbind(2)
        mask = None if context_mask is None else context_mask[:, None, None, :].bool()
        out = F.scaled_dot_product_attention(q, k.transpose(1, 2), v.transpose(1, 2), attn_mask=mask)
        return self.out_proj(out.transpose(1, 2).reshape(b, nq, w))


class AbstractorLayer(nn.Module):
    def __init__(self, cfg: AbstractorConfig):
        super().__init__()
        w = cfg.width
        self.ln_q = nn.LayerNorm(w)
        self.ln_kv = nn.LayerNorm(w)
        self.attn = CrossAttention(w, cfg.heads)
        self.ln_2 = nn.LayerNorm(w)
        hidden = int(w * cfg.mlp_ratio)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(w, hidden)), ("gelu", nn.GELU()),
                                              ("c_proj", nn.Linear(hidden, w))]))

    def forward(self, queries: torch.Tensor, tokens: torch.Tensor,
                token_mask: torch.Tensor | None = None) -> torch.Tensor:
        q = self.ln_q(queries)
        context = torch.cat([self.ln_kv(tokens), q], dim=1)
        mask = None
        if token_mask is not None:
            mask = torch.cat([token_mask.bool(), token_mask.new_ones(q.shape[:2], dtype=torch.bool)], dim=1)
        queries = queries + self.attn(q, context, mask)
        return queries + self.mlp(self.ln_2(queries))


class VisualAbstractor(nn.Module):
    """(B, L, vision_width) visual tokens -> (B, num_queries, output_dim) LLM prefix embeddings."""

    def __init__(self, config: AbstractorConfig):
        super().__init__()
        self.config = cfg = config
        self.queries = nn.Parameter(torch.randn(cfg.num_queries, cfg.width) * 0.02)
        vision_width = cfg.vision_width or cfg.width
        self.input_proj = nn.Identity() if vision_width == cfg.width else nn.Linear(vision_width, cfg.width)
        self.layers = nn.ModuleList(AbstractorLayer(cfg) for _ in range(cfg.layers))
        self.ln_post = nn.LayerNorm(cfg.width)
        self.proj = nn.Identity() if cfg.output_dim is None else nn.Linear(cfg.width, cfg.output_dim)

    @property
    def output_dim(self) -> int:
        return self.config.output_dim or self.config.width

    def encode(self, tokens: torch.Tensor, token_mask: torch.Tensor | None = None) -> torch.Tensor:
        """(B, L, vision_width) -> (B, num_queries, width): the query outputs before the projection.
        token_mask (B, L), True/1 = attend, lets padded token sequences share a batch."""
        tokens = self.input_proj(tokens.to(self.queries.dtype))
        x = self.queries.expand(tokens.shape[0], -1, -1)
        for layer in self.layers:
            x = layer(x, tokens, token_mask)
        return self.ln_post(x)

    def forward(self, tokens: torch.Tensor, token_mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.proj(self.encode(tokens, token_mask))
