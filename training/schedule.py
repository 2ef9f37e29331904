"""Optimisation recipe of mPLUG-video pretraining: AdamW over the trainable parameters only (no weight decay on
biases, norms, embeddings and learnable queries), linear warm-up then cosine decay to a floor."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch


@dataclass
class TrainConfig:
    steps: int = 1000                     # optimizer steps
    lr: float = 1e-4
    min_lr: float = 1e-6                  # cosine floor
    warmup_steps: int = 2000              # the paper's; tiny runs set their own
    weight_decay: float = 0.05
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])
    eps: float = 1e-6
    grad_clip: float = 3.0
    grad_accum: int = 1                   # micro-batches per optimizer step
    device: str = "auto"                  # cuda when present, else cpu; under torchrun each rank takes LOCAL_RANK
    precision: str = "auto"               # bf16 autocast on cuda, fp32 on cpu; or "bf16" / "fp16" / "fp32"
    seed: int = 0
    log_every: int = 10
    save_every: int = 100
    keep_checkpoints: int = 2


def _no_decay(name: str, param: torch.nn.Parameter) -> bool:
    return param.ndim < 2 or name.endswith(".bias") or any(
        k in name for k in ("norm", "ln_", "embedding", "queries", "class_token", "cls"))


def make_optimizer(named_params: list[tuple[str, torch.nn.Parameter]], cfg: TrainConfig) -> torch.optim.AdamW:
    decay = [p for n, p in named_params if p.requires_grad and not _no_decay(n, p)]
    rest = [p for n, p in named_params if p.requires_grad and _no_decay(n, p)]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=cfg.lr, betas=tuple(cfg.betas), eps=cfg.eps)


def lr_factor(step: int, cfg: TrainConfig) -> float:
    """Multiplier of ``cfg.lr`` at optimizer step ``step`` (0-based)."""
    if cfg.warmup_steps and step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    span = max(1, cfg.steps - cfg.warmup_steps)
    progress = min(1.0, (step - cfg.warmup_steps) / span)
    floor = cfg.min_lr / cfg.lr if cfg.lr else 0.0
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def make_scheduler(optimizer: torch.optim.Optimizer, cfg: TrainConfig) -> torch.optim.lr_scheduler.LambdaLR:
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: lr_factor(step, cfg))
